package prune_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/gcsbucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// TestPruneTempGCS stages a Compose of more parts than GCS composes at
// once on a GCS bucket that refuses to delete its temporary objects
// afterwards: prune deletes them once they are older than the retention,
// and counts them.
func TestPruneTempGCS(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	var faults *buckettest.Faults
	endpoint := buckettest.NewGCSServer(t, func(h http.Handler) http.Handler {
		faults = buckettest.NewFaults(h)
		return faults
	})
	open := func(raw string) bucket.Bucket {
		u, err := url.Parse(raw + "?endpoint=" + url.QueryEscape(endpoint))
		if err != nil {
			t.Fatal(err)
		}
		b, err := gcsbucket.Open(t.Context(), u, gcsbucket.Opts{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}
	r.Bucket = open("gs://" + buckettest.GCSBucket + "/prune")
	whole := open("gs://" + buckettest.GCSBucket)
	var parts []string
	for i := range 2*32 + 1 {
		parts = append(parts, fmt.Sprintf("parts/p%04d", i))
		if err := r.Bucket.Put(t.Context(), parts[i], strings.NewReader(parts[i])); err != nil {
			t.Fatal(err)
		}
	}
	faults.FailIf(2, http.StatusForbidden, func(r *http.Request) bool {
		return r.Method == http.MethodDelete && strings.Contains(r.URL.Path, ".tmp-gcsbucket")
	})
	if err := r.Bucket.Compose(t.Context(), "all", parts); err != nil {
		t.Fatal(err)
	}
	if n := temps(t, whole); n != 2 {
		t.Fatalf("%d temporary objects left by the Compose, want its 2 (the test's premise)", n)
	}

	written := time.Now()
	if c := pruneAt(t, r, written.Add(6*day)); c["temp_files"] != 0 || temps(t, whole) != 2 {
		t.Errorf("prune within the retention removed %d temporary objects, want 0", c["temp_files"])
	}
	if c := pruneAt(t, r, written.Add(8*day)); c["temp_files"] != 2 {
		t.Errorf("prune after the retention removed %d temporary objects, want 2", c["temp_files"])
	}
	if n := temps(t, whole); n != 0 {
		t.Errorf("%d temporary objects left after prune", n)
	}
}

// temps counts the temporary objects in b, seen from above the prefix
// whose List hides them.
func temps(t *testing.T, b bucket.Bucket) int {
	t.Helper()
	n := 0
	err := b.List(t.Context(), "", func(a bucket.Attrs) error {
		if strings.Contains(a.Key, ".tmp-gcsbucket/") {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
