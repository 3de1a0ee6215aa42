package buckettest

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

func testConcurrent(t *testing.T, b bucket.Bucket) {
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			key, data := fmt.Sprintf("c/%d/obj", i), fmt.Sprintf("data %d", i)
			if err := putGet(b, key, data); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if keys := listKeys(t, b, "c/"); len(keys) != n {
		t.Errorf("List(c/) = %q, want %d keys", keys, n)
	}
}

// putGet writes data to key and checks that it reads back. Unlike put and
// get it may run outside the test's goroutine.
func putGet(b bucket.Bucket, key, data string) error {
	ctx := context.Background()
	if err := b.Put(ctx, key, strings.NewReader(data)); err != nil {
		return fmt.Errorf("Put(%q): %w", key, err)
	}
	r, err := b.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("Get(%q): %w", key, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || string(got) != data {
		return fmt.Errorf("Get(%q) = %q, %v; want %q", key, got, err, data)
	}
	return nil
}

func testString(t *testing.T, b bucket.Bucket) {
	s := b.String()
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		t.Fatalf("String() = %q, want a URL: %v", s, err)
	}
	if u.User != nil {
		t.Errorf("String() = %q, want no credentials", s)
	}
}
