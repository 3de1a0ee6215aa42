package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
)

// GraphCommit is a commit of the commit graph with all its parents, not
// only the first.
type GraphCommit struct {
	OID string
	// Parents are the commit's parents in order: none for a root commit,
	// two or more for a merge.
	Parents []string
}

// CommitGraph returns every commit reachable from any ref (branches, tags,
// remote-tracking refs, HEAD) with all its parents, children before their
// parents (topological order). A repository with no commits has an empty
// graph (nil, no error).
//
// The output of git is parsed as it streams; the result holds each id once
// per commit and once per parent link.
func (r *Repo) CommitGraph(ctx context.Context) ([]GraphCommit, error) {
	var (
		commits []GraphCommit
		// ids interns object ids, so a commit's id and its mentions as a
		// parent share one string.
		ids = make(map[string]string)
	)
	intern := func(b []byte) string {
		if s, ok := ids[string(b)]; ok {
			return s
		}
		s := string(b)
		ids[s] = s
		return s
	}
	args := []string{"rev-list", "--all", "--parents", "--topo-order"}
	// HEAD is named besides --all, as a detached HEAD is not a ref; an
	// unborn HEAD (no commits on the default branch) cannot be named.
	switch _, err := r.Resolve(ctx, "HEAD"); {
	case err == nil:
		args = append(args, "HEAD")
	case !errors.Is(err, ErrNoCommits):
		return nil, err
	}
	args = append(args, "--")
	err := r.scan(ctx, '\n', args, func(line []byte) error {
		fields := bytes.Fields(line)
		if len(fields) == 0 || !isOID(fields[0]) {
			return fmt.Errorf("bad rev-list line %q", line)
		}
		c := GraphCommit{OID: intern(fields[0])}
		if len(fields) > 1 {
			c.Parents = make([]string, 0, len(fields)-1)
			for _, p := range fields[1:] {
				if !isOID(p) {
					return fmt.Errorf("bad rev-list line %q", line)
				}
				c.Parents = append(c.Parents, intern(p))
			}
		}
		commits = append(commits, c)
		if len(commits)%4096 == 0 {
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return commits, nil
}

// isOID reports whether b looks like a SHA-1 or SHA-256 object id.
func isOID(b []byte) bool {
	if len(b) != 40 && len(b) != 64 {
		return false
	}
	for _, c := range b {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
