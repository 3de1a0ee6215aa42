package filebucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Put writes r to key through a temporary file that is synced and renamed
// into place, so readers never see a partial object.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader) error {
	err := b.writeAtomic(ctx, key, func(w io.Writer) error {
		_, err := io.Copy(w, ctxReader{ctx, r})
		return err
	})
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// Compose writes the concatenation of parts to dst, like Put.
func (b *Bucket) Compose(ctx context.Context, dst string, parts []string) error {
	if len(parts) == 0 {
		return fmt.Errorf("compose %q: no parts", dst)
	}
	err := b.writeAtomic(ctx, dst, func(w io.Writer) error {
		for _, part := range parts {
			if err := b.copyPart(ctx, w, part); err != nil {
				return fmt.Errorf("part %q: %w", part, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("compose %q: %w", dst, err)
	}
	return nil
}

// copyPart appends the object key to w.
func (b *Bucket) copyPart(ctx context.Context, w io.Writer, key string) error {
	f, err := b.open(key)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, ctxReader{ctx, f})
	return err
}

// writeAtomic creates key with the bytes fill writes. The bytes go to a
// temporary file that is removed if fill or ctx fails, and otherwise synced
// and renamed over key: rename within one file system is atomic.
func (b *Bucket) writeAtomic(ctx context.Context, key string, fill func(io.Writer) error) (err error) {
	path, err := b.path(key)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Join(b.root, tmpDir), "write-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := fill(f); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return b.rename(f.Name(), path)
}

// rename moves a finished temporary file to path and syncs the directory so
// the new entry survives a crash. A concurrent Delete may prune the
// directories we create, so a vanished parent is recreated a few times.
func (b *Bucket) rename(tmp, path string) error {
	dir := filepath.Dir(path)
	var err error
	for range 5 {
		if err = os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		err = os.Rename(tmp, path)
		if !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	if err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir flushes a directory's entries to disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Delete removes key, then the directories it leaves empty, so that the
// tree holds only live objects. A missing key is not an error.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	path, err := b.path(key)
	if err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	if info, err := os.Lstat(path); notExist(err) || (err == nil && info.IsDir()) {
		return nil
	}
	if err := os.Remove(path); err != nil && !notExist(err) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	for dir := filepath.Dir(path); dir != b.root; dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil {
			break // not empty, or already gone
		}
	}
	return nil
}

// ctxReader stops a copy once its context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (r ctxReader) Read(p []byte) (int, error) {
	if err := r.ctx.Err(); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}
