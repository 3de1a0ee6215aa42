package buckettest

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

func testInvalidKeys(t *testing.T, b bucket.Bucket) {
	put(t, b, "ok", "fine")
	ctx := t.Context()
	for _, key := range []string{"", "/abs", "trailing/", "double//slash", ".", "..", "./a", "a/../b", "a/.", "nul\x00byte"} {
		ops := map[string]func() error{
			"Put":          func() error { return b.Put(ctx, key, strings.NewReader("x")) },
			"Get":          func() error { return closed(b.Get(ctx, key)) },
			"GetRange":     func() error { return closed(b.GetRange(ctx, key, 0, 1)) },
			"Stat":         func() error { _, err := b.Stat(ctx, key); return err },
			"Delete":       func() error { return b.Delete(ctx, key) },
			"Compose":      func() error { return b.Compose(ctx, key, []string{"ok"}) },
			"Compose part": func() error { return b.Compose(ctx, "dst", []string{"ok", key}) },
		}
		for name, op := range ops {
			// Rejected, not looked up: an invalid key is not a missing one.
			if err := op(); err == nil || errors.Is(err, bucket.ErrNotExist) {
				t.Errorf("%s(%q) error = %v, want a rejection", name, key, err)
			}
		}
	}
	wantOnly(t, b, "ok")
}

// closed closes r if there is one and returns err.
func closed(r io.ReadCloser, err error) error {
	if r != nil {
		r.Close()
	}
	return err
}
