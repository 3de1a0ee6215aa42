package gitsource

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
)

// OnOneLine reports whether commits a and b are on one line of history:
// equal, or one an ancestor of the other. Both must be object ids. A
// commit the repository does not have (the old head of a force-pushed
// branch, since pruned), or two unrelated commits, give false, not an
// error: the caller cannot build on the one from the other.
func (r *Repo) OnOneLine(ctx context.Context, a, b string) (bool, error) {
	if !isOID([]byte(a)) || !isOID([]byte(b)) {
		return false, fmt.Errorf("on one line %q %q in %s: want object ids", a, b, r.Dir())
	}
	base, err := run(ctx, r.Dir(), "merge-base", a, b)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return base == a || base == b, nil
	case ctx.Err() != nil:
		return false, err
	case errors.As(err, &exit) && exit.ExitCode() == 1:
		return false, nil // no common ancestor
	}
	for _, c := range []string{a, b} {
		if _, rerr := r.resolve(ctx, c, "commit"); errors.Is(rerr, ErrUnknownRevision) {
			return false, nil
		}
	}
	return false, err
}
