package gitsource

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

// ErrUnknownRevision is returned when a revision names nothing the
// operation can use (no such branch, tag or object, or not a commit).
var ErrUnknownRevision = errors.New("unknown revision")

// ErrNoCommits is returned by Resolve for the default branch (or HEAD) of a
// repository with no commits yet. It wraps ErrUnknownRevision.
var ErrNoCommits = fmt.Errorf("%w: the repository has no commits yet", ErrUnknownRevision)

// ErrClosed is returned by reads on a closed Repo.
var ErrClosed = errors.New("repository closed")

// DefaultReaders is the number of `git cat-file --batch` processes a Repo
// runs at most when OpenOpts.Readers is zero.
const DefaultReaders = 2

// OpenOpts are the options of OpenWith.
type OpenOpts struct {
	// Readers bounds the `git cat-file --batch` processes the Repo runs,
	// hence how many blob reads proceed in parallel. They start on demand.
	// Zero means DefaultReaders.
	Readers int
	// Known, when set, is what the caller already knows of the repository
	// (sync-repos records it), and Open runs no git to inspect it. Errors
	// in it surface as errors of the first git command run.
	Known *Info
}

// Repo reads one git repository, bare or not, by running git in its git
// directory. Its methods are safe for concurrent use. Close it to end its
// cat-file processes.
//
// A revision argument is anything git accepts (a branch, a tag, an object
// id, HEAD~3); an empty revision means HEAD, the default branch. The default
// branch of a repository with no commits yet has an empty tree and an empty
// history, not an error.
type Repo struct {
	info    Info
	readers *readerPool

	mu        sync.Mutex
	emptyTree string // the empty tree's id, once computed
}

// Open opens the repository at dir with default options. A directory that is
// not a repository gives an error wrapping ErrNotRepository naming dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	return OpenWith(ctx, dir, OpenOpts{})
}

// OpenWith opens the repository at dir with opts.
func OpenWith(ctx context.Context, dir string, opts OpenOpts) (*Repo, error) {
	var info Info
	if opts.Known != nil {
		info = *opts.Known
	} else {
		var err error
		if info, err = Inspect(ctx, dir); err != nil {
			return nil, err
		}
	}
	return &Repo{info: info, readers: newReaderPool(info.GitDir, cmp.Or(opts.Readers, DefaultReaders))}, nil
}

// Dir returns the repository's absolute git directory, in which every
// command runs.
func (r *Repo) Dir() string { return r.info.GitDir }

// DefaultBranch returns the branch HEAD pointed at when the Repo was
// opened, e.g. "main"; empty when HEAD was detached.
func (r *Repo) DefaultBranch() string { return r.info.DefaultBranch }

// Head returns the commit HEAD resolved to when the Repo was opened, or
// the one OpenOpts.Known gave; empty for a repository with no commits then.
// It saves a Resolve (a git process) to a caller that reads HEAD once.
func (r *Repo) Head() string { return r.info.Head }

// Readers returns how many cat-file processes the Repo runs at most: how
// many ReadBlobs calls proceed in parallel.
func (r *Repo) Readers() int { return cap(r.readers.slots) }

// Close ends the Repo's idle cat-file processes; one still streaming a blob
// ends when its BlobReader is closed. Reads after Close fail with ErrClosed.
func (r *Repo) Close() error { return r.readers.close() }

// Resolve returns the id of the commit rev names. An unknown revision, or
// one that is not a commit, gives an error wrapping ErrUnknownRevision that
// names rev and the repository; the default branch of a repository with no
// commits yet gives ErrNoCommits.
func (r *Repo) Resolve(ctx context.Context, rev string) (string, error) {
	return r.resolve(ctx, rev, "commit")
}

// resolve peels rev to an object of type kind ("commit", "tree").
func (r *Repo) resolve(ctx context.Context, rev, kind string) (string, error) {
	name := cmp.Or(rev, "HEAD")
	oid, err := run(ctx, r.Dir(), "rev-parse", "--verify", "--quiet", "--end-of-options", name+"^{"+kind+"}")
	var ce *CommandError
	var exit *exec.ExitError
	if err == nil || !errors.As(err, &ce) || !errors.As(err, &exit) || exit.ExitCode() != 1 {
		return oid, err // with --verify, 1 means no such object (or not of kind)
	}
	switch {
	case ce.Stderr != "": // "expected commit type, but the object dereferences to blob type"
		return "", fmt.Errorf("revision %q in %s: %w: %s", name, r.Dir(), ErrUnknownRevision, strings.TrimPrefix(ce.Stderr, "error: "))
	case r.unborn(ctx, name):
		return "", fmt.Errorf("revision %q in %s: %w", name, r.Dir(), ErrNoCommits)
	}
	return "", fmt.Errorf("revision %q in %s: %w", name, r.Dir(), ErrUnknownRevision)
}

// unborn reports whether rev names the default branch of a repository
// where that branch has no commits yet.
func (r *Repo) unborn(ctx context.Context, rev string) bool {
	switch strings.TrimPrefix(rev, "refs/heads/") {
	case "", "HEAD", r.info.DefaultBranch:
	default:
		return false
	}
	_, err := run(ctx, r.Dir(), "rev-parse", "--verify", "--quiet", "HEAD")
	var exit *exec.ExitError
	return errors.As(err, &exit) && exit.ExitCode() == 1
}

// revError translates the failure err of a command given rev into an
// ErrUnknownRevision when rev does not resolve to a kind; it returns nil
// when rev is an unborn default branch (an empty result).
func (r *Repo) revError(ctx context.Context, rev, kind string, err error) error {
	var ce *CommandError
	if !errors.As(err, &ce) {
		return err
	}
	switch _, rerr := r.resolve(ctx, rev, kind); {
	case errors.Is(rerr, ErrNoCommits):
		return nil
	case rerr != nil:
		return rerr
	}
	return err
}
