package batch

import (
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

var (
	repoID     = Int64("id")
	repoName   = String("name")
	repoSynced = Timestamp("synced_at", arrow.Microsecond).Nullable()
	repoKind   = NewKind("repo-sync", 1, repoID, repoName, repoSynced)
	repoKindV2 = NewKind("repo-sync", 2,
		Field{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		Field{Name: "name", Type: arrow.BinaryTypes.String},
	)
	commitKind = NewKind("commits", 1,
		Field{Name: "sha", Type: arrow.BinaryTypes.Binary},
		Field{Name: "merge", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		Field{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		Field{Name: "paths", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
	)
)

// appendRepo appends one repoKind row; a zero synced is null.
func appendRepo(t testing.TB, bld *Builder, id int64, name string, synced time.Time) {
	t.Helper()
	repoID.Append(bld, id)
	repoName.Append(bld, name)
	repoSynced.AppendValid(bld, synced, !synced.IsZero())
	if err := bld.EndRow(); err != nil {
		t.Fatal(err)
	}
}

// rowsOf returns rec's rows as Go values, for cmp.Diff: timestamps as
// time.Time, other types as their JSON form.
func rowsOf(rec arrow.Record) [][]any {
	rows := make([][]any, rec.NumRows())
	for i := range rows {
		for _, col := range rec.Columns() {
			rows[i] = append(rows[i], valueOf(col, i))
		}
	}
	return rows
}

func valueOf(col arrow.Array, i int) any {
	ts, ok := col.(*array.Timestamp)
	if !ok || col.IsNull(i) {
		return col.GetOneForMarshal(i)
	}
	return ts.Value(i).ToTime(ts.DataType().(*arrow.TimestampType).Unit)
}

// readAll reads every row of the batch at key.
func readAll(t testing.TB, b bucket.Bucket, key string, reg *Registry) ([][]any, int) {
	t.Helper()
	r, err := Open(t.Context(), b, key, reg)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var rows [][]any
	records := 0
	for r.Next() {
		records++
		rows = append(rows, rowsOf(r.Record())...)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	return rows, records
}

func TestValidateName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"sync-repos", "a", "commit_files2", "0x"} {
		if err := ValidateName("job", name); err != nil {
			t.Errorf("ValidateName(%q) = %v, want nil", name, err)
		}
	}
	for _, name := range []string{"", "Sync", "a/b", "..", "-x", "_x", "a b", "é"} {
		err := ValidateName("job", name)
		if err == nil || !strings.Contains(err.Error(), `job name "`+name+`"`) {
			t.Errorf("ValidateName(%q) = %v, want an error naming it", name, err)
		}
	}
}

func TestNewKindPanicsOnBadName(t *testing.T) {
	t.Parallel()
	defer func() {
		if r := recover(); r == nil {
			t.Fatal("NewKind(\"Bad Name\") did not panic")
		}
	}()
	NewKind("Bad Name", 1)
}

func TestKindSchemaMetadata(t *testing.T) {
	t.Parallel()
	md := repoKind.Schema().Metadata()
	name, _ := md.GetValue(MetaKind)
	version, _ := md.GetValue(MetaVersion)
	if name != "repo-sync" || version != "1" {
		t.Errorf("metadata = %v, want kind repo-sync version 1", md)
	}
}
