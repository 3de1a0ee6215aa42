// Package repos owns the repos table: the repositories Sightline knows, how
// to reach each (a local path used in place or a URL mirrored into the data
// directory), and the outcome of its last sync. It holds every statement on
// the table and the repo-sync batch kind that sync-repos loads into it. It
// does not run git (see sources/gitsource); what a user declares and its
// checks are sources/repospec's.
package repos

import (
	"errors"
	"time"

	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/repospec"
)

// ErrNotFound is returned for a repository name that is not registered.
var ErrNotFound = errors.New("repository not found")

// Spec is a repository as a user declares it. It is repospec.Spec, named
// here too so that registering repositories needs this package only (as
// os.FileInfo is fs.FileInfo).
type Spec = repospec.Spec

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
	// CommitsIndexedThrough is the time up to which the index holds the
	// default branch's history (see commitindex.Head.Through); a sample
	// time after it cannot be mapped to a commit yet. Nil: not indexed.
	CommitsIndexedThrough *time.Time
}

// Source is where the repository comes from: its path, or its URL with any
// credentials masked (giturl.Redact), for display.
func (r Repo) Source() string {
	if r.URL != "" {
		return giturl.Redact(r.URL)
	}
	return r.Path
}
