package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Commit is a commit of a first-parent history.
type Commit struct {
	OID string
	// CommittedAt is the committer time, in UTC, to the second.
	CommittedAt time.Time
}

// FirstParentHistory returns the first-parent history of rev, newest
// first: rev's commit, its first parent, that commit's first parent, and so
// on to the root commit. A merged branch's own commits are not in it. An
// empty rev means HEAD, the default branch. The default branch of an empty
// repository has an empty history (nil, no error); another unknown revision
// gives an error wrapping ErrUnknownRevision.
func (r *Repo) FirstParentHistory(ctx context.Context, rev string) ([]Commit, error) {
	return r.firstParentHistory(ctx, rev, nil)
}

// FirstParentHistoryUntil is FirstParentHistory cut short after the first
// commit, in that order, committed at or before t: the one CommitAt
// returns for t. CommitAt answers the same on it as on the whole history
// for t and every later time, since each answer is that commit or one
// before it. A series needs the history back to its earliest sample time
// only, and git stops walking there.
func (r *Repo) FirstParentHistoryUntil(ctx context.Context, rev string, t time.Time) ([]Commit, error) {
	return r.firstParentHistory(ctx, rev, func(c Commit) bool { return !c.CommittedAt.After(t) })
}

// errEnough stops a history walk once last says so.
var errEnough = errors.New("enough commits")

// firstParentHistory reads the history up to and including the first
// commit for which last returns true, or all of it when last is nil.
func (r *Repo) firstParentHistory(ctx context.Context, rev string, last func(Commit) bool) ([]Commit, error) {
	oid, err := r.Resolve(ctx, rev)
	if errors.Is(err, ErrNoCommits) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var commits []Commit
	// --timestamp prints the committer time, as --before compares it.
	args := []string{"rev-list", "--first-parent", "--timestamp", oid, "--"}
	err = r.scan(ctx, '\n', args, func(line []byte) error {
		c, err := parseCommit(line)
		commits = append(commits, c)
		if err == nil && last != nil && last(c) {
			return errEnough // scan kills git
		}
		return err
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, err
	}
	return commits, nil
}

// parseCommit parses "<unix time> <oid>".
func parseCommit(line []byte) (Commit, error) {
	ts, oid, ok := bytes.Cut(line, []byte{' '})
	sec, err := strconv.ParseInt(string(ts), 10, 64)
	if !ok || err != nil || len(oid) == 0 {
		return Commit{}, fmt.Errorf("bad rev-list line %q", line)
	}
	return Commit{OID: string(oid), CommittedAt: time.Unix(sec, 0).UTC()}, nil
}

// CommitAt returns the commit a history (newest first, as
// FirstParentHistory returns it) was at, at time t: the first commit, in
// that order, whose committer time is at or before t. ok is false when
// there is none, e.g. t is before the first commit.
//
// Committer times along a first-parent history need not decrease (clock
// skew, rebases), so this is not a binary search: it is exactly what
// `git rev-list -1 --first-parent --before=<t> <rev>` answers, as git skips
// the commits newer than --before without stopping its walk.
func CommitAt(commits []Commit, t time.Time) (c Commit, ok bool) {
	for _, c := range commits {
		if !c.CommittedAt.After(t) {
			return c, true
		}
	}
	return Commit{}, false
}
