package gitsource

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/sightline-dev/sightline/sources/giturl"
)

// DefaultNetworkTimeout bounds a clone or fetch when MirrorOpts.Timeout is 0.
const DefaultNetworkTimeout = 10 * time.Minute

// MirrorOpts limit what Mirror's network operation may do.
type MirrorOpts struct {
	// Protocols are the transports git may use, for the URL and anything
	// it leads to (redirects, submodules); giturl.DefaultProtocols when
	// empty.
	Protocols giturl.Protocols
	// Timeout bounds the clone or fetch; DefaultNetworkTimeout when 0.
	Timeout time.Duration
}

// Mirror makes dest a mirror of the repository at url: a fresh
// `git clone --mirror` when dest does not exist, else a
// `git fetch --prune` of every ref from url (which may have changed since
// the clone). A first clone goes to a temporary directory beside dest and
// is renamed into place only when complete, so an interrupted clone leaves
// nothing behind.
//
// A URL whose transport opts.Protocols does not allow is refused before
// git runs, and git itself is confined to them (GIT_ALLOW_PROTOCOL,
// protocol.allow); the URL follows "--", so it is never an option. Errors
// show the URL with its credentials masked (giturl.Scrub), git's messages
// included.
func Mirror(ctx context.Context, url, dest string, opts MirrorOpts) (Info, error) {
	if _, err := opts.Protocols.Check(url); err != nil {
		return Info{}, err
	}
	timeout := cmp.Or(opts.Timeout, DefaultNetworkTimeout)
	netCtx, cancel := context.WithTimeoutCause(ctx, timeout,
		fmt.Errorf("no answer within %s (the git network timeout, SIGHTLINE_GIT_TIMEOUT): %w", timeout, context.DeadlineExceeded))
	defer cancel()
	if _, err := os.Stat(dest); err == nil {
		// The repository may have been registered again with another URL
		// (or token) since the clone: fetch from url, not the clone's.
		if _, err := run(ctx, dest, "config", "--", "remote.origin.url", url); err != nil {
			return Info{}, scrub(fmt.Errorf("fetch %s into %s: set origin: %w", url, dest, err), url)
		}
		if err := network(netCtx, dest, opts.Protocols, "fetch", "--prune", "--quiet", "origin"); err != nil {
			return Info{}, scrub(fmt.Errorf("fetch %s into %s: %w", url, dest, err), url)
		}
		return Inspect(ctx, dest)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return Info{}, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".clone-*")
	if err != nil {
		return Info{}, err
	}
	defer os.RemoveAll(tmp) // no-op after the rename
	if err := network(netCtx, filepath.Dir(dest), opts.Protocols, "clone", "--mirror", "--quiet", "--", url, tmp); err != nil {
		return Info{}, scrub(fmt.Errorf("clone %s: %w", url, err), url)
	}
	if err := os.Rename(tmp, dest); err != nil {
		return Info{}, scrub(fmt.Errorf("clone %s: move into place: %w", url, err), url)
	}
	return Inspect(ctx, dest)
}

// network runs a git command that reaches a remote, confined to protocols.
func network(ctx context.Context, dir string, protocols giturl.Protocols, args ...string) error {
	cmd := Command(ctx, dir, append(protocols.GitArgs(), args...)...)
	cmd.Env = append(cmd.Env, protocols.GitEnv()...)
	_, err := output(ctx, cmd, args)
	return err
}

// scrubbedError is an error whose message had a URL's credentials masked.
// It unwraps to the cause (a context error, or the git command's error,
// itself masked), never to the unmasked message.
type scrubbedError struct {
	msg   string
	cause error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.cause }

func scrub(err error, url string) error {
	var cause error
	var ce *CommandError
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		cause = context.DeadlineExceeded
		if errors.Is(err, context.Canceled) {
			cause = context.Canceled
		}
	case errors.As(err, &ce):
		c := *ce
		c.Args = make([]string, len(ce.Args))
		for i, a := range ce.Args {
			c.Args[i] = giturl.Scrub(a, url)
		}
		c.Stderr = giturl.Scrub(ce.Stderr, url)
		cause = &c
	}
	return &scrubbedError{msg: giturl.Scrub(err.Error(), url), cause: cause}
}
