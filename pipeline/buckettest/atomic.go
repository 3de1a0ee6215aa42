package buckettest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// failAfter are the points at which failing writes stop: before any
// provider sends a byte, and after a provider that uploads in parts has
// uploaded some.
var failAfter = []int64{10, 12 * mib}

func testPutFails(t *testing.T, b bucket.Bucket) {
	for _, n := range failAfter {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			put(t, b, "old", "old contents")
			for _, key := range []string{"old", "new"} {
				err := b.Put(t.Context(), key, failingReader(7, n))
				if !errors.Is(err, errReader) {
					t.Errorf("Put(%q) with a reader failing after %d bytes: error = %v, want the reader's error", key, n, err)
				}
			}
			if got := get(t, b, "old"); got != "old contents" {
				t.Errorf("after a failed Put, old = %q, want it unchanged", shorten(got))
			}
			wantNotExist(t, b, "new")
			wantOnly(t, b, "old")
		})
	}
}

func testPutCancelled(t *testing.T, b bucket.Bucket) {
	put(t, b, "old", "old contents")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := b.Put(ctx, "new", strings.NewReader("data")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: error = %v, want context.Canceled", err)
	}
	for _, n := range failAfter {
		for _, key := range []string{"old", "new"} {
			ctx, cancel := context.WithCancel(t.Context())
			err := b.Put(ctx, key, cancellingReader(9, n, n+13*mib, cancel))
			if !errors.Is(err, context.Canceled) {
				t.Errorf("Put(%q) cancelled after %d bytes: error = %v, want context.Canceled", key, n, err)
			}
		}
	}
	if got := get(t, b, "old"); got != "old contents" {
		t.Errorf("after cancelled Puts, old = %q, want it unchanged", shorten(got))
	}
	wantNotExist(t, b, "new")
	wantOnly(t, b, "old")
}

// wantOnly checks that List shows only keys.
func wantOnly(t *testing.T, b bucket.Bucket, keys ...string) {
	t.Helper()
	if got, want := strings.Join(listKeys(t, b, ""), " "), strings.Join(keys, " "); got != want {
		t.Errorf("List = %q, want %q", got, want)
	}
}

// shorten abbreviates s for a failure message.
func shorten(s string) string {
	if len(s) > 40 {
		return fmt.Sprintf("%q... (%d bytes)", s[:40], len(s))
	}
	return s
}
