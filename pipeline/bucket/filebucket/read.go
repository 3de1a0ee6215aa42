package filebucket

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// Get opens key for reading.
func (b *Bucket) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	return b.GetRange(ctx, key, 0, -1)
}

// GetRange opens length bytes of key from offset; a negative length reads to
// the end.
func (b *Bucket) GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	if offset < 0 {
		return nil, fmt.Errorf("get %q: negative offset %d", key, offset)
	}
	f, err := b.open(key)
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	if length < 0 {
		return f, nil
	}
	return struct {
		io.Reader
		io.Closer
	}{io.LimitReader(f, length), f}, nil
}

// open opens the file holding key, translating "no such file" and "is a
// directory" into bucket.ErrNotExist.
func (b *Bucket) open(key string) (*os.File, error) {
	path, err := b.path(key)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if notExist(err) {
		return nil, bucket.ErrNotExist
	}
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = bucket.ErrNotExist
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Stat returns key's attributes.
func (b *Bucket) Stat(ctx context.Context, key string) (bucket.Attrs, error) {
	path, err := b.path(key)
	if err != nil {
		return bucket.Attrs{}, fmt.Errorf("stat %q: %w", key, err)
	}
	info, err := os.Stat(path)
	if notExist(err) || (err == nil && !info.Mode().IsRegular()) {
		return bucket.Attrs{}, fmt.Errorf("stat %q: %w", key, bucket.ErrNotExist)
	}
	if err != nil {
		return bucket.Attrs{}, fmt.Errorf("stat %q: %w", key, err)
	}
	return bucket.Attrs{Key: key, Size: info.Size(), ModTime: info.ModTime()}, nil
}
