package gcsbucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"cloud.google.com/go/storage"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
)

// Get opens key for reading.
func (b *Bucket) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	return b.GetRange(ctx, key, 0, -1)
}

// GetRange opens length bytes of key from offset; a negative length reads to
// the end. The library resumes a read that fails midway.
func (b *Bucket) GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	name, err := b.object(key)
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	if offset < 0 {
		return nil, fmt.Errorf("get %q: negative offset %d", key, offset)
	}
	r, err := b.handle.Object(name).NewRangeReader(ctx, offset, length)
	var apiErr *googleapi.Error
	if errors.As(err, &apiErr) && apiErr.Code == http.StatusRequestedRangeNotSatisfiable {
		// The range starts at or past the end of an object that exists.
		return io.NopCloser(strings.NewReader("")), nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", key, translate(err))
	}
	return r, nil
}

// Stat returns key's attributes.
func (b *Bucket) Stat(ctx context.Context, key string) (bucket.Attrs, error) {
	name, err := b.object(key)
	if err != nil {
		return bucket.Attrs{}, fmt.Errorf("stat %q: %w", key, err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.retry.OpTimeout())
	defer cancel()
	attrs, err := b.handle.Object(name).Attrs(ctx)
	if err != nil {
		return bucket.Attrs{}, fmt.Errorf("stat %q: %w", key, translate(err))
	}
	return bucket.Attrs{Key: key, Size: attrs.Size, ModTime: attrs.Updated}, nil
}

// Delete removes key; a missing key is not an error.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	name, err := b.object(key)
	if err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.retry.OpTimeout())
	defer cancel()
	err = b.handle.Object(name).Delete(ctx)
	if err != nil && !errors.Is(err, storage.ErrObjectNotExist) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	return nil
}

// List calls fn for each object under prefix, in GCS's lexical order,
// skipping Compose's temporary objects.
func (b *Bucket) List(ctx context.Context, prefix string, fn func(bucket.Attrs) error) error {
	q := &storage.Query{Prefix: b.prefix + prefix}
	if err := q.SetAttrSelection([]string{"Name", "Size", "Updated"}); err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	it := b.handle.Objects(ctx, q)
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("list %q: %w", prefix, err)
		}
		key := strings.TrimPrefix(attrs.Name, b.prefix)
		if strings.HasPrefix(key, tmpDir+"/") {
			continue
		}
		if err := fn(bucket.Attrs{Key: key, Size: attrs.Size, ModTime: attrs.Updated}); err != nil {
			return err
		}
	}
}

// translate returns bucket.ErrNotExist for the library's not-found error and
// err otherwise.
func translate(err error) error {
	if errors.Is(err, storage.ErrObjectNotExist) {
		return bucket.ErrNotExist
	}
	return err
}
