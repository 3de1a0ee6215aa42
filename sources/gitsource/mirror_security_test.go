package gitsource_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/giturl"
)

// TestMirrorRefusesInjection gives Mirror URLs that would make git run a
// command: each is refused, and the command never runs.
func TestMirrorRefusesInjection(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "pwned")
	all := giturl.Protocols{"https", "http", "ssh", "git", "file"}
	for _, url := range []string{
		"--upload-pack=touch " + marker,
		"--upload-pack=touch " + marker + " " + dir,
		"ext::sh -c touch% " + marker,
		"fd::17",
		"ssh://-oProxyCommand=touch/x",
	} {
		_, err := gitsource.Mirror(context.Background(), url, filepath.Join(dir, "m.git"), gitsource.MirrorOpts{Protocols: all})
		if err == nil {
			t.Errorf("Mirror(%q) = nil error", url)
		}
	}
	// Past Mirror's check, git itself takes the URL after "--" and allows
	// only the listed transports.
	upstream := gittest.New(t)
	upstream.Commit(t0, "first", map[string]string{"a": "a\n"})
	for _, tt := range []struct {
		url       string
		protocols giturl.Protocols
		want      string
	}{
		{"--upload-pack=touch " + marker, all, "does not exist"},
		{"ext::sh -c touch% " + marker, all, "transport 'ext' not allowed"},
		{"fd::17", giturl.DefaultProtocols, "transport 'fd' not allowed"},
		{upstream.Dir, giturl.DefaultProtocols, "transport 'file' not allowed"},
	} {
		err := gitsource.Network(context.Background(), dir, tt.protocols, "clone", "--mirror", "--quiet", "--", tt.url, filepath.Join(dir, "n.git"))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("git clone -- %q = %v, want %q", tt.url, err, tt.want)
		}
	}
	if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the injected command ran: %s exists (%v)", marker, err)
	}
}

// TestMirrorRefusesLocalByDefault: file:// URLs and paths would read any
// repository on the host; they need "file" in the allow-list.
func TestMirrorRefusesLocalByDefault(t *testing.T) {
	t.Parallel()
	upstream := gittest.New(t)
	upstream.Commit(t0, "first", map[string]string{"a": "a\n"})
	parent := t.TempDir()
	for _, url := range []string{upstream.Dir, "file://" + upstream.Dir} {
		_, err := gitsource.Mirror(context.Background(), url, filepath.Join(parent, "m.git"), gitsource.MirrorOpts{})
		if err == nil || !strings.Contains(err.Error(), "file transport, which is not allowed") {
			t.Errorf("Mirror(%q) with the default protocols = %v, want not allowed", url, err)
		}
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("a refused clone left %d entries", len(entries))
	}
}

// TestMirrorTimeout: a server that accepts and never answers is given up
// on after the network timeout, with nothing left behind.
func TestMirrorTimeout(t *testing.T) {
	t.Parallel()
	addr := gittest.SilentRemote(t)
	parent := t.TempDir()
	start := time.Now()
	_, err := gitsource.Mirror(context.Background(), "git://"+addr+"/x.git", filepath.Join(parent, "m.git"),
		gitsource.MirrorOpts{Timeout: time.Second})
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("Mirror took %s with a 1s timeout", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "no answer within 1s") {
		t.Fatalf("Mirror(silent server) = %v, want the network timeout", err)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("a timed-out clone left %d entries", len(entries))
	}
}

// TestMirrorErrorsHideCredentials: neither Mirror's error nor the git
// command error inside it shows a token given in the URL.
func TestMirrorErrorsHideCredentials(t *testing.T) {
	t.Parallel()
	for _, url := range []string{
		"https://user:tok3n-s3cret@" + gittest.ClosedAddr(t) + "/x.git",
		"https://tok3n-s3cret@" + gittest.ClosedAddr(t) + "/x.git",
		"https://user:tok3n-s3cret@" + gittest.SilentRemote(t) + "/x.git",
	} {
		_, err := gitsource.Mirror(context.Background(), url, filepath.Join(t.TempDir(), "m.git"),
			gitsource.MirrorOpts{Timeout: time.Second})
		if err == nil {
			t.Fatalf("Mirror(%s) = nil error", url)
		}
		var ce *gitsource.CommandError
		if errors.As(err, &ce) && strings.Contains(ce.Error(), "tok3n") {
			t.Errorf("the CommandError inside shows the token: %v", ce)
		}
		if strings.Contains(err.Error(), "tok3n") || !strings.Contains(err.Error(), "xxxxx@") {
			t.Errorf("Mirror error shows the token, or not the masked URL: %v", err)
		}
	}
}
