package codeintel_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

// TestUploadsCheckData compares an upload's rows (one in each bulk table
// and one package) with manifests: it passes only when every table holds
// what the batches carry, allowing fewer package rows (repeats collapse)
// but not none.
func TestUploadsCheckData(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	id := newUploadWithRows(t, db, "a")
	exec(t, db, `INSERT INTO lsif_packages (upload_id, scheme, manager, name, version) VALUES ($1, 'npm', 'npm', 'a', '1.0.0')`, id)

	rows := map[batch.Kind]int64{codeintel.HoverKind: 1, codeintel.ResultChunkKind: 1, codeintel.DocumentKind: 1,
		codeintel.MonikerResultKind: 1, codeintel.PackageKind: 1}
	tests := []struct {
		name   string
		change map[batch.Kind]int64 // batch rows replacing those of rows; -1 leaves the batch out
		want   string               // "" for no error
	}{
		{name: "all rows there"},
		{name: "repeated packages collapsed", change: map[batch.Kind]int64{codeintel.PackageKind: 3}},
		{name: "documents missing", change: map[batch.Kind]int64{codeintel.DocumentKind: 4},
			want: "lsif_documents has 1, the batches 4"},
		{name: "result chunks missing", change: map[batch.Kind]int64{codeintel.ResultChunkKind: 2},
			want: "lsif_result_chunks has 1, the batches 2"},
		{name: "a batch skipped", change: map[batch.Kind]int64{codeintel.HoverKind: -1},
			want: "lsif_hovers has 1, the batches 0"},
		{name: "packages missing", change: map[batch.Kind]int64{codeintel.PackageRefKind: 2},
			want: "lsif_package_references has 0, the batches 2"},
		{name: "more packages than batched", change: map[batch.Kind]int64{codeintel.PackageKind: 0},
			want: "lsif_packages has 1, the batches 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := batch.Manifest{Job: "process-uploads", RunID: "r-1-1"}
			for _, k := range codeintel.Kinds {
				n, ok := tt.change[k]
				if !ok {
					n = rows[k]
				}
				if n >= 0 {
					m.Batches = append(m.Batches, batch.Info{Key: k.Name(), Kind: k.Name(), Version: k.Version(), Rows: n})
				}
			}
			err := codeintel.UploadsCheckData(context.Background(), db, id, m)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("check: %v, want nil", err)
			case tt.want == "":
			case !errors.Is(err, codeintel.ErrIncomplete) || !strings.Contains(err.Error(), tt.want):
				t.Fatalf("check: %v, want ErrIncomplete saying %q", err, tt.want)
			}
		})
	}
}
