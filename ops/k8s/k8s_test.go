package k8s_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/ops/cli"
)

const (
	baseDir    = "base"
	overlayDir = "overlays/example"
)

// problems runs every check on r; refs also checks that referenced Secrets,
// ConfigMaps and files exist (the base leaves the Secrets to the overlay).
func problems(t *testing.T, r rendered, refs bool) []string {
	out := checkJobs(r, cli.Registry())
	out = append(out, checkArgs(r)...)
	out = append(out, checkEnv(r, readmeEnv(t))...)
	out = append(out, checkPods(r)...)
	if refs {
		out = append(out, checkRefs(r)...)
		out = append(out, checkFiles(r, t.TempDir())...)
	}
	return out
}

func TestManifests(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir  string
		refs bool
	}{{baseDir, false}, {overlayDir, true}} {
		t.Run(tc.dir, func(t *testing.T) {
			t.Parallel()
			for _, p := range problems(t, render(t, tc.dir), tc.refs) {
				t.Error(p)
			}
		})
	}
}

// readmeEnv returns the names in the first column of README.md's
// Configuration table, as written there (`AWS_*`, `SIGHTLINE_SCHEDULE_<JOB>`).
func readmeEnv(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no ## Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	name := regexp.MustCompile("`([A-Z][A-Z0-9_]*(?:\\*|<[A-Z]+>)?)`")
	var out []string
	for line := range strings.Lines(section) {
		cells := strings.Split(line, "|")
		if !strings.HasPrefix(line, "|") || len(cells) < 3 {
			continue
		}
		for _, m := range name.FindAllStringSubmatch(cells[1], -1) {
			out = append(out, m[1])
		}
	}
	if len(out) < 10 {
		t.Fatalf("README.md's Configuration table: found only %v; has its format changed?", out)
	}
	return out
}
