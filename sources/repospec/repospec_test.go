package repospec_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/repospec"
)

// TestMirrorDirFlat checks that mirrors can neither nest nor escape: every
// name, however it is spelled, maps to its own direct child of repos/.
func TestMirrorDirFlat(t *testing.T) {
	t.Parallel()
	dataDir := "/data"
	names := []string{"evil", "evil.git/hooks/x", "evil.git", "a/b", "a_b", "github.com/org/repo",
		"../escape", "..", "a/../../b", strings.Repeat("long/", 80) + "x"}
	seen := map[string]string{}
	for _, name := range names {
		dir := repospec.MirrorDir(dataDir, name)
		if filepath.Dir(dir) != filepath.Join(dataDir, "repos") {
			t.Errorf("MirrorDir(%q) = %s, not a direct child of %s/repos", name, dir, dataDir)
		}
		if len(filepath.Base(dir)) > 255 {
			t.Errorf("MirrorDir(%q): base name of %d bytes", name, len(filepath.Base(dir)))
		}
		if other, dup := seen[dir]; dup {
			t.Errorf("MirrorDir(%q) = MirrorDir(%q) = %s", name, other, dir)
		}
		seen[dir] = name
	}
	if got, want := repospec.MirrorDir(dataDir, "github.com/org/repo"), "/data/repos/github.com_org_repo-"; !strings.HasPrefix(got, want) {
		t.Errorf("MirrorDir(github.com/org/repo) = %s, want it to start with %s", got, want)
	}
}

func TestCheckProtocols(t *testing.T) {
	t.Parallel()
	local := repospec.Spec{Name: "l", Path: "/srv/l"}
	byFile := repospec.Spec{Name: "f", URL: "file:///srv/other.git"}
	byHTTPS := repospec.Spec{Name: "h", URL: "https://user:tok3n@example.com/h.git"}
	for _, s := range []repospec.Spec{local, byHTTPS} {
		if err := s.CheckProtocols(nil); err != nil {
			t.Errorf("CheckProtocols(%+v, default) = %v", s, err)
		}
	}
	err := byFile.CheckProtocols(nil)
	if err == nil || !strings.Contains(err.Error(), `repository "f"`) || !strings.Contains(err.Error(), "file transport, which is not allowed") {
		t.Errorf("CheckProtocols(file URL, default) = %v, want not allowed naming the repository", err)
	}
	if err := byFile.CheckProtocols(giturl.Protocols{"file"}); err != nil {
		t.Errorf("CheckProtocols(file URL, file allowed) = %v", err)
	}
	err = byHTTPS.CheckProtocols(giturl.Protocols{"ssh"})
	if err == nil || strings.Contains(err.Error(), "tok3n") {
		t.Errorf("CheckProtocols(https URL, ssh only) = %v, want an error without the token", err)
	}
}
