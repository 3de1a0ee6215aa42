package codeintel

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sightline-dev/sightline/pipeline/batch"
)

// ErrIncomplete is returned by UploadsCheckData when the tables do not
// hold the rows the batches of an upload's conversion carry.
var ErrIncomplete = errors.New("the loaded rows do not match the converted batches")

// UploadsCheckData checks, before upload id is completed, that the data
// tables hold exactly the rows of it that the batches of m (the run its
// conversion wrote) carry: as many per table, or, in a table whose primary
// key collapses the rows a dump repeats (packages), at most as many and
// some if the batches have any. Otherwise it returns an error wrapping
// ErrIncomplete that names each table that differs.
//
// It is the last line of defence against a load that skipped or lost
// batches: whatever the loader or its ledger believe, an upload that would
// answer with rows missing is not completed.
func UploadsCheckData(ctx context.Context, db DB, id int64, m batch.Manifest) error {
	want := make(map[string]int64)
	for _, b := range m.Batches {
		kt, ok := tableOf(b.Kind)
		if !ok {
			return fmt.Errorf("check rows of upload %d: batch %q has kind %q, which has no table", id, b.Key, b.Kind)
		}
		want[kt.table] += b.Rows
	}
	got, err := uploadRowCounts(ctx, db, id)
	if err != nil {
		return err
	}
	var wrong []string
	for i, kt := range kindTables {
		w, g := want[kt.table], got[i]
		if g == w || (kt.dedup && g < w && g > 0) {
			continue
		}
		wrong = append(wrong, fmt.Sprintf("%s has %d, the batches %d", kt.table, g, w))
	}
	if len(wrong) > 0 {
		return fmt.Errorf("upload %d (batch run %s/%s): %w: %s", id, m.Job, m.RunID, ErrIncomplete, strings.Join(wrong, "; "))
	}
	return nil
}

func tableOf(kind string) (kindTable, bool) {
	for _, kt := range kindTables {
		if kt.kind.Name() == kind {
			return kt, true
		}
	}
	return kindTable{}, false
}

// uploadRowCounts counts upload id's rows in each of kindTables, in order,
// in one statement (one snapshot).
func uploadRowCounts(ctx context.Context, db DB, id int64) ([]int64, error) {
	counts := make([]string, len(kindTables))
	for i, kt := range kindTables {
		counts[i] = `(SELECT count(*) FROM ` + kt.table + ` WHERE upload_id = $1)`
	}
	got := make([]int64, len(kindTables))
	dst := make([]any, len(got))
	for i := range got {
		dst[i] = &got[i]
	}
	if err := db.QueryRow(ctx, `SELECT `+strings.Join(counts, ", "), id).Scan(dst...); err != nil {
		return nil, fmt.Errorf("count rows of upload %d: %w", id, err)
	}
	return got, nil
}
