package batch

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// writeBatch writes rows repoKind-shaped rows of kind to key, records of 10.
func writeBatch(t testing.TB, b bucket.Bucket, key string, kind Kind, rows int) Info {
	t.Helper()
	w, err := NewWriter(t.Context(), b, key, kind)
	if err != nil {
		t.Fatal(err)
	}
	bld := w.Builder()
	bld.MaxRows = 10
	for i := range rows {
		appendRepo(t, bld, int64(i), "repo", time.Unix(int64(i), 0))
	}
	info, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// readErr opens key and reads it to the end, returning the first error.
func readErr(t testing.TB, b bucket.Bucket, key string, reg *Registry) error {
	t.Helper()
	r, err := Open(t.Context(), b, key, reg)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
	}
	return r.Err()
}

func put(t testing.TB, b bucket.Bucket, key string, data []byte) {
	t.Helper()
	if err := b.Put(t.Context(), key, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
}

func TestOpenUnknownVersion(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	w, err := NewWriter(t.Context(), b, "runs/x/y/z.arrow", repoKindV2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(t.Context(), b, "runs/x/y/z.arrow", NewRegistry(repoKind, commitKind))
	want := `batch "runs/x/y/z.arrow": kind "repo-sync" version 2 is not known to this binary (known versions: 1); upgrade sightline or rerun the job that wrote it`
	if err == nil || err.Error() != want {
		t.Fatalf("Open = %v\nwant %s", err, want)
	}
	var uk *UnknownKindError
	if !errors.As(err, &uk) || uk.Version != 2 {
		t.Errorf("Open error %T is not an *UnknownKindError for version 2", err)
	}
}

func TestOpenUnknownKind(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	writeBatch(t, b, "r.arrow", repoKind, 1)
	_, err := Open(t.Context(), b, "r.arrow", NewRegistry(commitKind))
	want := `batch "r.arrow": kind "repo-sync" is not known to this binary; upgrade sightline or rerun the job that wrote it`
	if err == nil || err.Error() != want {
		t.Fatalf("Open = %v\nwant %s", err, want)
	}
}

func TestOpenSchemaMismatch(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	// Same name and version as repoKind, different fields: a kind changed
	// without bumping its version.
	changed := NewKind("repo-sync", 1,
		Field{Name: "id", Type: arrow.PrimitiveTypes.Int32},
		Field{Name: "name", Type: arrow.BinaryTypes.String},
		Field{Name: "synced_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}, Nullable: true},
	)
	w, err := NewWriter(t.Context(), b, "r.arrow", changed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = Open(t.Context(), b, "r.arrow", NewRegistry(repoKind))
	for _, want := range []string{`batch "r.arrow"`, "does not match kind repo-sync v1", `field 0 is "id" int32 not null`, `"id" int64 not null`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Open = %v, want it to contain %s", err, want)
		}
	}
}

func TestOpenMissingMetadata(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	var buf bytes.Buffer
	schema := arrow.NewSchema(repoKind.Schema().Fields(), nil)
	w := ipc.NewWriter(&buf, ipc.WithSchema(schema))
	rb := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer rb.Release()
	rec := rb.NewRecord()
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	put(t, b, "plain.arrow", buf.Bytes())
	_, err := Open(t.Context(), b, "plain.arrow", NewRegistry(repoKind))
	if err == nil || !strings.Contains(err.Error(), `batch "plain.arrow": schema has no sightline.kind`) {
		t.Fatalf("Open = %v, want a missing metadata error", err)
	}
}

func TestOpenNotExist(t *testing.T) {
	t.Parallel()
	_, err := Open(t.Context(), buckettest.NewFileBucket(t), "nope.arrow", NewRegistry(repoKind))
	if !errors.Is(err, bucket.ErrNotExist) || !strings.Contains(err.Error(), `"nope.arrow"`) {
		t.Fatalf("Open = %v, want ErrNotExist naming the key", err)
	}
}

func TestReadCorrupt(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	info := writeBatch(t, b, "good.arrow", repoKind, 35)
	rc, err := b.Get(t.Context(), "good.arrow")
	if err != nil {
		t.Fatal(err)
	}
	good, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good)
	for i := len(flipped) / 2; i < len(flipped)/2+16; i++ {
		flipped[i] ^= 0xff
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not arrow", []byte("PAR1 this is not an arrow stream at all")},
		{"truncated in schema", good[:20]},
		{"truncated in record", good[:len(good)/2]},
		{"truncated by one byte", good[:len(good)-1]},
		{"no end-of-stream marker", good[:len(good)-8]},
		{"flipped bytes", flipped},
	}
	if int64(len(good)) != info.Bytes {
		t.Fatalf("object has %d bytes, Info says %d", len(good), info.Bytes)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := "bad/" + strings.ReplaceAll(tt.name, " ", "-") + ".arrow"
			put(t, b, key, tt.data)
			err := readErr(t, b, key, NewRegistry(repoKind))
			if err == nil || !strings.Contains(err.Error(), `"`+key+`"`) {
				t.Fatalf("read = %v, want an error naming %q", err, key)
			}
		})
	}
}

// TestReadZstd reads a batch written with zstd-compressed buffers, as
// binaries before the switch to LZ4 wrote them: it loads like any other.
func TestReadZstd(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	rb := array.NewRecordBuilder(memory.DefaultAllocator, repoKind.schema)
	defer rb.Release()
	rb.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2}, nil)
	rb.Field(1).(*array.StringBuilder).AppendValues([]string{"old", "zstd"}, nil)
	rb.Field(2).(*array.TimestampBuilder).AppendNulls(2)
	rec := rb.NewRecord()
	defer rec.Release()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(repoKind.schema), ipc.WithZstd())
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	put(t, b, "old.arrow", buf.Bytes())

	rows, _ := readAll(t, b, "old.arrow", NewRegistry(repoKind))
	want := [][]any{{int64(1), "old", nil}, {int64(2), "zstd", nil}}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}
