package gitsource

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"strconv"
)

// Mode is a git file mode, as tree objects store it.
type Mode uint32

// The modes of tree entries other than directories.
const (
	ModeFile       Mode = 0o100644
	ModeExecutable Mode = 0o100755
	// ModeSymlink is a symbolic link: its blob holds the link's target, not
	// file content, so searches skip it.
	ModeSymlink Mode = 0o120000
	// ModeGitlink is a submodule: a commit of another repository, not a
	// blob. Tree and Diff leave such entries out.
	ModeGitlink Mode = 0o160000
)

// IsSymlink reports whether m is a symbolic link's mode.
func (m Mode) IsSymlink() bool { return m == ModeSymlink }

// String returns m in git's notation, e.g. "100644".
func (m Mode) String() string { return fmt.Sprintf("%06o", uint32(m)) }

func parseMode(b []byte) (Mode, error) {
	v, err := strconv.ParseUint(string(b), 8, 32)
	if err != nil {
		return 0, fmt.Errorf("bad mode %q", b)
	}
	return Mode(v), nil
}

// Entry is one blob of a tree: a file or a symbolic link.
type Entry struct {
	// Path is slash-separated from the root of the tree, exactly as stored
	// (any bytes but NUL: spaces, newlines, non-UTF-8).
	Path string
	// Mode is ModeFile, ModeExecutable or ModeSymlink.
	Mode Mode
	// OID is the blob's id.
	OID string
	// Size is the blob's size in bytes from TreeWithSizes; -1 from Tree,
	// and for a blob missing from the object store.
	Size int64
}

// Tree returns every blob of the tree of rev (a commit or a tree), in git's
// order (by path, bytewise), recursing into directories. Submodules are
// left out; symbolic links are included with ModeSymlink. The default
// branch of an empty repository has an empty tree; another unknown revision
// gives an error wrapping ErrUnknownRevision.
func (r *Repo) Tree(ctx context.Context, rev string) ([]Entry, error) {
	return r.tree(ctx, rev, false)
}

// TreeWithSizes is Tree with each Entry's Size filled in, so callers can
// skip large blobs without reading them. Unlike Tree, it reads every blob's
// header, which costs more on large trees, and a git older than 2.44 fetches
// the blobs a partial clone left out (later ones give them Size -1, as for
// the blobs of a damaged repository).
func (r *Repo) TreeWithSizes(ctx context.Context, rev string) ([]Entry, error) {
	return r.tree(ctx, rev, true)
}

func (r *Repo) tree(ctx context.Context, rev string, sizes bool) ([]Entry, error) {
	name := cmp.Or(rev, "HEAD")
	args := []string{"ls-tree", "-r", "-z", "--full-tree"}
	if sizes {
		args = append(args, "--long")
	}
	args = append(args, "--end-of-options", name)
	var entries []Entry
	err := r.scan(ctx, 0, args, func(rec []byte) error {
		e, ok, err := parseEntry(rec, sizes)
		if ok {
			entries = append(entries, e)
		}
		return err
	})
	if err != nil {
		return nil, r.revError(ctx, name, "tree", err) // nil: an unborn branch
	}
	return entries, nil
}

// parseEntry parses "<mode> SP <type> SP <oid>[ SP+ <size>] TAB <path>";
// ok is false for an entry to leave out (a submodule).
func parseEntry(rec []byte, sized bool) (e Entry, ok bool, err error) {
	meta, path, found := bytes.Cut(rec, []byte{'\t'})
	mode, meta, _ := bytes.Cut(meta, []byte{' '})
	kind, meta, _ := bytes.Cut(meta, []byte{' '})
	oid, size, _ := bytes.Cut(meta, []byte{' '})
	if !found || len(oid) == 0 {
		return Entry{}, false, fmt.Errorf("bad ls-tree entry %q", rec)
	}
	if string(kind) == "commit" {
		return Entry{}, false, nil
	}
	if string(kind) != "blob" {
		return Entry{}, false, fmt.Errorf("bad ls-tree entry %q: a %s", rec, kind)
	}
	e = Entry{Path: string(path), OID: string(oid), Size: -1}
	if e.Mode, err = parseMode(mode); err != nil {
		return Entry{}, false, fmt.Errorf("bad ls-tree entry %q: %w", rec, err)
	}
	if size = bytes.TrimSpace(size); sized && string(size) != "BAD" { // BAD: a missing blob
		if e.Size, err = strconv.ParseInt(string(size), 10, 64); err != nil {
			return Entry{}, false, fmt.Errorf("bad ls-tree entry %q: bad size", rec)
		}
	}
	return e, true, nil
}
