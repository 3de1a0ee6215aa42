package filebucket

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// List calls fn for each object whose key starts with prefix, in lexical
// key order, reading one directory at a time.
func (b *Bucket) List(ctx context.Context, prefix string, fn func(bucket.Attrs) error) error {
	// Start in the deepest directory the prefix names in full. If that is
	// not a valid key ("../x/"), no valid key can start with the prefix.
	dir := prefix[:max(strings.LastIndex(prefix, "/"), 0)]
	if dir != "" && bucket.ValidateKey(dir) != nil {
		return nil
	}
	// Errors from fn are returned as they are, I/O errors wrapped.
	return b.walk(ctx, dir, prefix, fn)
}

// walk lists the objects under the directory dirKey whose keys start with
// prefix.
func (b *Bucket) walk(ctx context.Context, dirKey, prefix string, fn func(bucket.Attrs) error) error {
	entries, err := os.ReadDir(filepath.Join(b.root, filepath.FromSlash(dirKey)))
	if notExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	// Sorting directories as "name/" puts every key under them where it
	// belongs among their siblings: "a-c" < "a/b" because '-' < '/'.
	slices.SortFunc(entries, func(x, y fs.DirEntry) int {
		return strings.Compare(sortName(x), sortName(y))
	})
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		key := path.Join(dirKey, e.Name())
		if err := b.visit(ctx, e, key, prefix, fn); err != nil {
			return err
		}
	}
	return nil
}

// visit lists the entry e, with key key: an object or a directory to walk.
func (b *Bucket) visit(ctx context.Context, e fs.DirEntry, key, prefix string, fn func(bucket.Attrs) error) error {
	switch {
	case key == tmpDir:
		return nil
	case e.IsDir():
		dirPrefix := key + "/"
		if strings.HasPrefix(dirPrefix, prefix) || strings.HasPrefix(prefix, dirPrefix) {
			return b.walk(ctx, key, prefix, fn)
		}
		return nil
	case !e.Type().IsRegular() || !strings.HasPrefix(key, prefix):
		return nil
	}
	info, err := e.Info()
	if notExist(err) {
		return nil // deleted since ReadDir
	}
	if err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	return fn(bucket.Attrs{Key: key, Size: info.Size(), ModTime: info.ModTime()})
}

// sortName is the name e sorts by among its siblings.
func sortName(e fs.DirEntry) string {
	if e.IsDir() {
		return e.Name() + "/"
	}
	return e.Name()
}
