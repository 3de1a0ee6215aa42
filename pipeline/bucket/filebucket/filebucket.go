// Package filebucket is a bucket.Bucket in a local directory, one file per
// object: for tests, single-machine runs and local caches. It relies on
// rename being atomic, so it is not for directories shared between machines
// over NFS or similar.
//
// Object "a/b" is the file <root>/a/b, so unlike a cloud store the bucket
// cannot hold both "a" and "a/b". Writes go through temporary files in
// <root>/.tmp-filebucket, a name reserved for them: keys under it are
// rejected.
package filebucket

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// tmpDir is the directory under the root that holds writes in progress.
const tmpDir = ".tmp-filebucket"

// Bucket is a bucket.Bucket rooted at a local directory.
type Bucket struct {
	root string
}

var _ bucket.Bucket = (*Bucket)(nil)

// Open opens the bucket at u, which must be file:///abs/path, creating the
// directory if it is missing. The path may not have "." or ".." segments,
// and the URL takes no query parameters.
func Open(u *url.URL) (*Bucket, error) {
	if err := checkURL(u); err != nil {
		return nil, &bucket.URLError{Err: fmt.Errorf("file bucket URL %q: %w", u.Redacted(), err)}
	}
	root := filepath.Clean(filepath.FromSlash(u.Path))
	if err := os.MkdirAll(filepath.Join(root, tmpDir), 0o755); err != nil {
		return nil, fmt.Errorf("open file bucket %q: %w", root, err)
	}
	return &Bucket{root: root}, nil
}

// checkURL reports what, if anything, is wrong with a file bucket URL.
func checkURL(u *url.URL) error {
	switch {
	case u.Scheme != "file":
		return fmt.Errorf("scheme %q is not file", u.Scheme)
	case u.User != nil:
		return errors.New("user information is not allowed")
	case u.Opaque != "" || (u.Host != "" && u.Host != "localhost") || !strings.HasPrefix(u.Path, "/"):
		return errors.New("path is not absolute: use file:///abs/path")
	}
	// Cleaning would resolve file:///tmp/x/../../etc to /etc, a directory
	// the URL only seems to stay out of.
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("path %q has a %q segment: name the directory without \".\" or \"..\"", u.Path, seg)
		}
	}
	if names := slices.Sorted(maps.Keys(u.Query())); len(names) > 0 {
		return fmt.Errorf("unknown parameter %q", names[0])
	}
	return nil
}

// path returns the file that holds key, after checking that key is valid
// and not in the reserved temporary directory.
func (b *Bucket) path(key string) (string, error) {
	if err := bucket.ValidateKey(key); err != nil {
		return "", err
	}
	if key == tmpDir || strings.HasPrefix(key, tmpDir+"/") {
		return "", fmt.Errorf("invalid object key %q: %q is reserved for the file bucket's temporary files", key, tmpDir)
	}
	return filepath.Join(b.root, filepath.FromSlash(key)), nil
}

// Close implements bucket.Bucket; a file bucket holds no resources.
func (b *Bucket) Close() error { return nil }

// String returns the bucket's file:// URL.
func (b *Bucket) String() string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(b.root)}).String()
}

// notExist reports whether err means there is no such file. ENOTDIR counts:
// "a/b" does not exist when "a" is a file.
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}
