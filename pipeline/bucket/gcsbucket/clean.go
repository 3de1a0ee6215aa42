package gcsbucket

import (
	"context"
	"errors"
	"fmt"
	"time"

	"cloud.google.com/go/storage"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"google.golang.org/api/iterator"
)

var _ bucket.TempCleaner = (*Bucket)(nil)

// CleanTemp deletes the temporary objects of staged Composes that a crash,
// or a failure to delete them, left under the reserved prefix, last
// written before cutoff, and returns how many it deleted. A Compose in
// progress writes its objects as it goes, so a cutoff older than any
// Compose takes leaves it alone. An object deleted meanwhile by someone
// else is not counted.
func (b *Bucket) CleanTemp(ctx context.Context, cutoff time.Time) (int, error) {
	dir := b.prefix + tmpDir + "/"
	q := &storage.Query{Prefix: dir}
	if err := q.SetAttrSelection([]string{"Name", "Updated"}); err != nil {
		return 0, fmt.Errorf("clean %q: %w", dir, err)
	}
	it := b.handle.Objects(ctx, q)
	removed := 0
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return removed, nil
		}
		if err != nil {
			return removed, fmt.Errorf("clean %q: %w", dir, err)
		}
		if !attrs.Updated.Before(cutoff) {
			continue
		}
		err = b.deleteObject(ctx, attrs.Name)
		if errors.Is(err, storage.ErrObjectNotExist) {
			continue
		}
		if err != nil {
			return removed, fmt.Errorf("clean %q: %w", attrs.Name, err)
		}
		removed++
	}
}

// deleteObject deletes the object name, bounded by the bucket's operation
// timeout.
func (b *Bucket) deleteObject(ctx context.Context, name string) error {
	ctx, cancel := context.WithTimeout(ctx, b.retry.OpTimeout())
	defer cancel()
	return b.handle.Object(name).Delete(ctx)
}
