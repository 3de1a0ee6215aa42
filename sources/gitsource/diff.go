package gitsource

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"strings"
)

// Status is the kind of a Change, as git's raw diff format spells it.
type Status byte

// The statuses of a Change. Renames and copies do not occur: a rename is a
// Deleted and an Added.
const (
	Added       Status = 'A'
	Modified    Status = 'M'
	Deleted     Status = 'D'
	TypeChanged Status = 'T' // e.g. a file became a symbolic link
)

// String returns the status letter.
func (s Status) String() string { return string(rune(s)) }

// Change is one path whose blob differs between two trees.
type Change struct {
	Status Status
	// Path is slash-separated from the root, exactly as stored.
	Path string
	// OldMode and OldOID are zero for Added; NewMode and NewOID for Deleted.
	OldMode, NewMode Mode
	OldOID, NewOID   string
}

// Diff returns the blobs that differ between the trees of from and to
// (commits or trees), by path. An empty from is the empty tree: every blob
// of to is Added. Submodules are left out, as Tree leaves them out, so
// applying Diff(a, b) to Tree(a) gives Tree(b): a file that becomes a
// submodule is Deleted, a submodule that becomes a file is Added.
func (r *Repo) Diff(ctx context.Context, from, to string) ([]Change, error) {
	to = cmp.Or(to, "HEAD")
	base := from
	if base == "" {
		var err error
		if base, err = r.emptyTreeID(ctx); err != nil {
			return nil, err
		}
	}
	args := []string{"diff-tree", "-r", "-z", "--raw", "--no-renames", "--end-of-options", base, to}
	var changes []Change
	var pending Change // parsed from a raw line, waiting for its path
	var inRecord bool
	err := r.scan(ctx, 0, args, func(rec []byte) error {
		if inRecord = !inRecord; inRecord {
			var err error
			pending, err = parseRaw(rec)
			return err
		}
		pending.Path = string(rec)
		if c, ok := withoutGitlinks(pending); ok {
			changes = append(changes, c)
		}
		return nil
	})
	if err == nil && inRecord {
		err = fmt.Errorf("git %s (in %s): output cut short: no path after the last change", strings.Join(args, " "), r.Dir())
	}
	if err != nil {
		return nil, r.diffError(ctx, from, to, err)
	}
	return changes, nil
}

// parseRaw parses ":<old mode> <new mode> <old oid> <new oid> <status>".
func parseRaw(rec []byte) (Change, error) {
	fields := bytes.Fields(bytes.TrimPrefix(rec, []byte{':'}))
	if len(rec) == 0 || rec[0] != ':' || len(fields) != 5 || len(fields[4]) == 0 {
		return Change{}, fmt.Errorf("bad diff-tree line %q", rec)
	}
	c := Change{Status: Status(fields[4][0]), OldOID: string(fields[2]), NewOID: string(fields[3])}
	var err1, err2 error
	c.OldMode, err1 = parseMode(fields[0])
	c.NewMode, err2 = parseMode(fields[1])
	switch {
	case err1 != nil || err2 != nil:
		return Change{}, fmt.Errorf("bad diff-tree line %q: bad mode", rec)
	case c.Status != Added && c.Status != Modified && c.Status != Deleted && c.Status != TypeChanged:
		return Change{}, fmt.Errorf("bad diff-tree line %q: unexpected status %q", rec, fields[4])
	}
	if c.OldMode == 0 {
		c.OldOID = ""
	}
	if c.NewMode == 0 {
		c.NewOID = ""
	}
	return c, nil
}

// withoutGitlinks rewrites a change involving a submodule into what it
// means for the blobs of the trees; ok is false when nothing is left.
func withoutGitlinks(c Change) (_ Change, ok bool) {
	oldLink, newLink := c.OldMode == ModeGitlink, c.NewMode == ModeGitlink
	switch {
	case !oldLink && !newLink:
		return c, true
	case c.Status == Added || c.Status == Deleted || oldLink && newLink:
		return Change{}, false
	case newLink: // a blob became a submodule
		return Change{Status: Deleted, Path: c.Path, OldMode: c.OldMode, OldOID: c.OldOID}, true
	default: // a submodule became a blob
		return Change{Status: Added, Path: c.Path, NewMode: c.NewMode, NewOID: c.NewOID}, true
	}
}

// diffError translates a failed diff-tree into ErrUnknownRevision naming
// the revision at fault; nil when to is an unborn default branch.
func (r *Repo) diffError(ctx context.Context, from, to string, err error) error {
	if from != "" { // "" is the empty tree, which always exists
		if _, rerr := r.resolve(ctx, from, "tree"); rerr != nil {
			return rerr
		}
	}
	return r.revError(ctx, to, "tree", err)
}

// emptyTreeID returns the id of the empty tree in the repository's hash
// (SHA-1 or SHA-256), computed once.
func (r *Repo) emptyTreeID(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.emptyTree == "" {
		oid, err := run(ctx, r.Dir(), "hash-object", "-t", "tree", "/dev/null")
		if err != nil {
			return "", err
		}
		r.emptyTree = oid
	}
	return r.emptyTree, nil
}
