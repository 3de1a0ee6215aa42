package gcsbucket

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"path"
	"slices"

	"cloud.google.com/go/storage"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"google.golang.org/api/googleapi"
)

// maxSources is how many sources GCS composes in one call.
const maxSources = 32

// Compose writes the concatenation of parts to dst with GCS's compose call.
// More than maxSources parts are composed in stages: groups of parts into
// temporary objects, then groups of those, until one call can finish. The
// temporary objects are deleted however Compose ends.
func (b *Bucket) Compose(ctx context.Context, dst string, parts []string) error {
	if err := b.compose(ctx, dst, parts); err != nil {
		return fmt.Errorf("compose %q: %w", dst, err)
	}
	return nil
}

func (b *Bucket) compose(ctx context.Context, dst string, parts []string) (err error) {
	dstName, err := b.object(dst)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return errors.New("no parts")
	}
	srcs := make([]string, len(parts))
	for i, part := range parts {
		if srcs[i], err = b.object(part); err != nil {
			return fmt.Errorf("part %q: %w", part, err)
		}
	}
	defer func() {
		if err != nil && ctx.Err() == nil {
			err = b.explain(ctx, parts, err)
		}
	}()
	tmps := stager{b: b, dir: path.Join(b.prefix+tmpDir, rand.Text())}
	defer tmps.deleteAll(ctx)
	for len(srcs) > maxSources {
		if srcs, err = tmps.stage(ctx, srcs); err != nil {
			return err
		}
	}
	return b.composeOnce(ctx, dstName, srcs)
}

// composeOnce composes at most maxSources objects into dst. If dst is one
// of them (an append), replaying a call whose success was lost in transit
// would append twice, so that call is not retried.
func (b *Bucket) composeOnce(ctx context.Context, dst string, srcs []string) error {
	handles := make([]*storage.ObjectHandle, len(srcs))
	for i, src := range srcs {
		handles[i] = b.handle.Object(src)
	}
	dstHandle := b.handle.Object(dst)
	if slices.Contains(srcs, dst) {
		dstHandle = dstHandle.Retryer(storage.WithPolicy(storage.RetryNever))
	}
	_, err := dstHandle.ComposerFrom(handles...).Run(ctx)
	return err
}

// explain turns a failed Compose's error into bucket.ErrNotExist naming a
// missing part, if one is missing. GCS answers 404 without saying which
// source it lacks (and fake-gcs-server answers 500), so Compose asks. It
// asks only a server that answered the compose, and stops at the first
// Stat that fails otherwise than not-found: each Stat of a dead endpoint
// spends a whole retry budget, which would make a Compose's time to fail
// grow with its number of parts.
func (b *Bucket) explain(ctx context.Context, parts []string, err error) error {
	var apiErr *googleapi.Error
	if !errors.As(err, &apiErr) {
		return err
	}
	for _, part := range parts {
		_, statErr := b.Stat(ctx, part)
		if errors.Is(statErr, bucket.ErrNotExist) {
			return fmt.Errorf("part %q: %w", part, bucket.ErrNotExist)
		}
		if statErr != nil {
			return err
		}
	}
	return err
}

// stager makes and deletes the temporary objects of a staged Compose.
type stager struct {
	b       *Bucket
	dir     string
	created []string
}

// stage composes each group of maxSources srcs into a temporary object and
// returns the objects, in order, with any leftover single source.
func (s *stager) stage(ctx context.Context, srcs []string) ([]string, error) {
	var next []string
	for len(srcs) > 0 {
		n := min(len(srcs), maxSources)
		group := srcs[:n]
		srcs = srcs[n:]
		if len(group) == 1 {
			next = append(next, group[0])
			continue
		}
		tmp := fmt.Sprintf("%s/%d", s.dir, len(s.created))
		s.created = append(s.created, tmp)
		if err := s.b.composeOnce(ctx, tmp, group); err != nil {
			return nil, err
		}
		next = append(next, tmp)
	}
	return next, nil
}

// deleteAll deletes the temporary objects, even if ctx is cancelled. A
// failure leaves objects under the reserved prefix, invisible to List, for
// CleanTemp (prune) to delete; it does not fail the Compose.
func (s *stager) deleteAll(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bucket.DefaultMaxRetryTime)
	defer cancel()
	for _, name := range s.created {
		s.b.handle.Object(name).Delete(ctx)
	}
}
