// Package repos owns the repos table: the repositories Sightline knows, how
// to reach each (a local path used in place or a URL mirrored into the data
// directory), and the outcome of its last sync. It does not run git; see
// sources/gitsource.
package repos

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ErrNotFound is returned for a repository name that is not registered.
var ErrNotFound = errors.New("repository not found")

// Spec is a repository as a user declares it (sightline repos add, or the
// repos list of the config file).
type Spec struct {
	Name    string `yaml:"name"`
	URL     string `yaml:"url,omitempty"`
	Path    string `yaml:"path,omitempty"`
	Private bool   `yaml:"private,omitempty"`
}

// Repo is a row of the repos table.
type Repo struct {
	Spec
	ID            int64
	GitDir        string
	DefaultBranch string
	HeadCommit    string
	LastSyncedAt  *time.Time
	LastError     string
	LastErrorAt   *time.Time
	// The commit index (index-commits): the head and number of commits
	// indexed, and when.
	CommitsIndexedHead  string
	CommitsIndexedCount int
	CommitsIndexedAt    *time.Time
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*$`)

// Validate checks a spec: a well-formed name, exactly one of URL and Path.
// Errors name the repository and the field.
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
	return nil
}

// Source is where the repository comes from: its URL or path.
func (r Repo) Source() string {
	if r.URL != "" {
		return r.URL
	}
	return r.Path
}
