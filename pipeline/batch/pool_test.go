package batch

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// TestBuilderRecyclesBuffers writes a batch of many records through a
// Builder: the records' buffers are recycled (the bytes allocated while
// building stay well under the data's size, where Arrow's allocator
// allocates the data about twice over), and every row reads back as
// written, nulls included, although each record reuses its predecessor's
// memory.
func TestBuilderRecyclesBuffers(t *testing.T) {
	const records, rows = 40, 4096
	b := buckettest.NewFileBucket(t)
	w, err := NewWriter(t.Context(), b, "x/many.arrow", repoKind)
	if err != nil {
		t.Fatal(err)
	}
	bld := w.Builder()
	bld.MaxRows = rows
	synced := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	var want [][]any
	names, times := make([]string, records*rows), make([]time.Time, records*rows)
	data := 0
	for i := range names {
		names[i] = fmt.Sprintf("repository-%08d-%0*d", i, i%32, i)
		var wantTS any
		if i%3 != 0 {
			times[i] = synced.Add(time.Duration(i) * time.Second)
			wantTS = times[i]
		}
		data += 8 + 4 + len(names[i]) + 8
		want = append(want, []any{int64(i), names[i], wantTS})
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range names {
		appendRepo(t, bld, int64(i), names[i], times[i])
	}
	runtime.ReadMemStats(&after)
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, n := readAll(t, b, "x/many.arrow", NewRegistry(repoKind))
	if n != records {
		t.Fatalf("read %d records, want %d", n, records)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("rows (-want +got):\n%s", diff)
	}
	alloc := int(after.TotalAlloc - before.TotalAlloc)
	t.Logf("allocated %d bytes while building %d bytes of rows", alloc, data)
	if limit := data / 2; alloc > limit {
		t.Errorf("allocated %d bytes while building %d bytes of rows in %d records, want under %d: buffers not recycled",
			alloc, data, records, limit)
	}
}
