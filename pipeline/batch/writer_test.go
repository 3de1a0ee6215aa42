package batch

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

func TestRoundTripBuilder(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	w, err := NewWriter(t.Context(), b, "x/repos.arrow", repoKind)
	if err != nil {
		t.Fatal(err)
	}
	bld := w.Builder()
	bld.MaxRows = 2 // three records: 2 + 2 + 1 rows
	synced := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.UTC)
	var want [][]any
	for i := range 5 {
		ts := synced.Add(time.Duration(i) * time.Hour)
		var wantTS any = ts
		if i == 3 {
			ts, wantTS = time.Time{}, nil
		}
		appendRepo(t, bld, int64(i), strings.Repeat("r", i), ts)
		want = append(want, []any{int64(i), strings.Repeat("r", i), wantTS})
	}
	info, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if info.Rows != 5 || info.Kind != "repo-sync" || info.Version != 1 || info.Key != "x/repos.arrow" {
		t.Errorf("Info = %+v", info)
	}
	if a, err := b.Stat(t.Context(), "x/repos.arrow"); err != nil || a.Size != info.Bytes {
		t.Errorf("Stat = %+v, %v; want size %d", a, err, info.Bytes)
	}
	got, records := readAll(t, b, "x/repos.arrow", NewRegistry(repoKind))
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if records != 3 {
		t.Errorf("read %d records, want 3", records)
	}
}

// commitRecord builds a commitKind record covering binary, bool, float64,
// list<string> and nulls of each.
func commitRecord(t testing.TB) arrow.Record {
	t.Helper()
	rb := array.NewRecordBuilder(memory.DefaultAllocator, commitKind.Schema())
	defer rb.Release()
	rb.Field(0).(*array.BinaryBuilder).AppendValues([][]byte{{0xde, 0xad}, {}, {0}}, nil)
	rb.Field(1).(*array.BooleanBuilder).AppendValues([]bool{true, false, false}, []bool{true, true, false})
	rb.Field(2).(*array.Float64Builder).AppendValues([]float64{1.5, 0, -2}, []bool{true, false, true})
	lb := rb.Field(3).(*array.ListBuilder)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	lb.Append(true)
	vb.AppendValues([]string{"a.go", "b/c.go"}, nil)
	lb.AppendNull()
	lb.Append(true) // empty list
	return rb.NewRecord()
}

func TestRoundTripRecords(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	rec := commitRecord(t)
	defer rec.Release()
	w, err := NewWriter(t.Context(), b, "commits.arrow", commitKind)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, records := readAll(t, b, "commits.arrow", NewRegistry(repoKind, commitKind))
	want := append(rowsOf(rec), rowsOf(rec)...)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if records != 2 {
		t.Errorf("read %d records, want 2", records)
	}
}

func TestEmptyBatch(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	w, err := NewWriter(t.Context(), b, "empty.arrow", repoKind)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := w.Close(); err != nil || info.Rows != 0 {
		t.Fatalf("Close = %+v, %v", info, err)
	}
	if got, _ := readAll(t, b, "empty.arrow", NewRegistry(repoKind)); len(got) != 0 {
		t.Errorf("read %d rows, want 0", len(got))
	}
}

func TestWriteRejectsOtherSchema(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	w, err := NewWriter(t.Context(), b, "x.arrow", repoKind)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort(nil)
	rec := commitRecord(t)
	defer rec.Release()
	err = w.Write(rec)
	if err == nil || !strings.Contains(err.Error(), `"x.arrow"`) || !strings.Contains(err.Error(), "repo-sync v1") {
		t.Fatalf("Write(commit record) = %v, want a mismatch error naming key and kind", err)
	}
}

func TestAbortStoresNothing(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	w, err := NewWriter(t.Context(), b, "x.arrow", repoKind)
	if err != nil {
		t.Fatal(err)
	}
	bld := w.Builder()
	bld.MaxRows = 10
	for i := range 100 {
		appendRepo(t, bld, int64(i), "r", time.Time{})
	}
	w.Abort(errors.New("job failed"))
	w.Abort(nil) // a second Abort is a no-op
	if _, err := w.Close(); err == nil {
		t.Error("Close after Abort succeeded")
	}
	if _, err := b.Stat(t.Context(), "x.arrow"); !errors.Is(err, bucket.ErrNotExist) {
		t.Errorf("Stat after Abort = %v, want ErrNotExist", err)
	}
}

func TestCancelStoresNothing(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	ctx, cancel := context.WithCancel(t.Context())
	w, err := NewWriter(ctx, b, "x.arrow", repoKind)
	if err != nil {
		t.Fatal(err)
	}
	appendRepo(t, w.Builder(), 1, "r", time.Time{})
	cancel()
	if _, err := w.Close(); !errors.Is(err, context.Canceled) {
		t.Errorf("Close after cancel = %v, want context.Canceled", err)
	}
	if _, err := b.Stat(t.Context(), "x.arrow"); !errors.Is(err, bucket.ErrNotExist) {
		t.Errorf("Stat = %v, want ErrNotExist", err)
	}
}

// countingBucket counts the bytes its Put has read so far.
type countingBucket struct {
	bucket.Bucket
	read atomic.Int64
}

func (c *countingBucket) Put(ctx context.Context, key string, r io.Reader) error {
	return c.Bucket.Put(ctx, key, &countingReader{r: r, n: &c.read})
}

type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestLargeStream writes and reads 2M rows. Put must have consumed most of
// the object before Close: the writer streams instead of buffering.
func TestLargeStream(t *testing.T) {
	if testing.Short() {
		t.Skip("large stream")
	}
	t.Parallel()
	const rows = 2_000_000
	b := &countingBucket{Bucket: buckettest.NewFileBucket(t)}
	w, err := NewWriter(t.Context(), b, "large.arrow", repoKind)
	if err != nil {
		t.Fatal(err)
	}
	bld := w.Builder()
	for i := range rows {
		repoID.Append(bld, int64(i))
		repoName.Append(bld, "github.com/org/repo")
		repoSynced.Append(bld, time.UnixMicro(int64(i)))
		if err := bld.EndRow(); err != nil {
			t.Fatal(err)
		}
	}
	before := b.read.Load()
	info, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	if before < info.Bytes/2 {
		t.Errorf("Put had read %d of %d bytes before Close; the writer is not streaming", before, info.Bytes)
	}
	r, err := Open(t.Context(), b, "large.arrow", NewRegistry(repoKind))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var next int64
	for r.Next() {
		col := r.Record().Column(0).(*array.Int64)
		if col.Value(0) != next {
			t.Fatalf("record starts at id %d, want %d", col.Value(0), next)
		}
		next += int64(col.Len())
	}
	if r.Err() != nil || next != rows || r.Rows() != rows {
		t.Fatalf("read %d rows (Rows %d), err %v; want %d", next, r.Rows(), r.Err(), rows)
	}
}
