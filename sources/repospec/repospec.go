// Package repospec is a repository as a user declares it, before it is
// stored: the name and the URL or path (sightline repos add, or the repos
// list of the config file), the checks on them, and where sync-repos keeps
// a URL repository's mirror under the data directory. It is pure: it
// neither reads the database nor runs git. The repos table is
// sinks/repos's; running git is sources/gitsource's.
package repospec

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/sightline-dev/sightline/sources/giturl"
)

// Spec is a repository as a user declares it (sightline repos add, or the
// repos list of the config file).
type Spec struct {
	Name    string `yaml:"name"`
	URL     string `yaml:"url,omitempty"`
	Path    string `yaml:"path,omitempty"`
	Private bool   `yaml:"private,omitempty"`
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$`)

// Validate checks a spec: a well-formed name, exactly one of URL and Path,
// and a URL of a form git cannot mistake for an option or a command
// (giturl.Transport). Whether the URL's transport is allowed is
// CheckProtocols's. Errors name the repository and the field.
func (s Spec) Validate() error {
	if !validName.MatchString(s.Name) || strings.Contains(s.Name, "..") {
		return fmt.Errorf("repository name %q: use letters, digits, '.', '_', '-' and '/'-separated segments (e.g. github.com/org/repo)", s.Name)
	}
	switch {
	case s.URL == "" && s.Path == "":
		return fmt.Errorf("repository %q: give a path (a local repository) or a url (to mirror)", s.Name)
	case s.URL != "" && s.Path != "":
		return fmt.Errorf("repository %q: path and url are both set; give one", s.Name)
	case s.Path != "" && !filepath.IsAbs(s.Path):
		return fmt.Errorf("repository %q: path %q is not absolute", s.Name, s.Path)
	}
	if s.URL != "" {
		t, err := giturl.Transport(s.URL)
		if err != nil {
			return fmt.Errorf("repository %q: %w", s.Name, err)
		}
		// git would resolve a relative path against wherever it runs.
		if t == giturl.File && !strings.Contains(s.URL, "://") && !filepath.IsAbs(s.URL) {
			return fmt.Errorf("repository %q: url %q is a relative path; give an absolute one (or use path: for a repository used in place)", s.Name, s.URL)
		}
	}
	return nil
}

// CheckProtocols checks that a URL repository's transport is in allowed
// (giturl.DefaultProtocols when empty); a local path passes.
func (s Spec) CheckProtocols(allowed giturl.Protocols) error {
	if s.URL == "" {
		return nil
	}
	if _, err := allowed.Check(s.URL); err != nil {
		return fmt.Errorf("repository %q: %w", s.Name, err)
	}
	return nil
}

// MirrorDir is where sync-repos keeps the mirror of the repository called
// name under dataDir: one flat directory per repository,
// repos/<name with '/' as '_'>-<12 hex digits of its SHA-256>.git, so that
// no two names share a mirror and no mirror lies inside another or outside
// repos/ (the name github.com/org/x has repos/github.com_org_x-<hash>.git).
// Only the first 100 bytes of the name are spelled out, within file name
// limits; the hash is of the whole name.
func MirrorDir(dataDir, name string) string {
	sum := sha256.Sum256([]byte(name))
	readable := strings.ReplaceAll(name, "/", "_")
	if len(readable) > 100 {
		readable = readable[:100]
	}
	return filepath.Join(dataDir, "repos", readable+"-"+hex.EncodeToString(sum[:6])+".git")
}

// LegacyMirrorDir is where releases before the flat layout kept the mirror
// of name (repos/<name>.git, nested by the name's '/'); sync-repos no longer
// uses it and re-clones into MirrorDir.
func LegacyMirrorDir(dataDir, name string) string {
	return filepath.Join(dataDir, "repos", filepath.FromSlash(name)+".git")
}
