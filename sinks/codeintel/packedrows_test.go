package codeintel_test

import (
	"cmp"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
)

// insertDocument adds upload's row of lsif_documents for path, holding
// ranges packed as BatchSink packs them.
func insertDocument(t *testing.T, db *pgxpool.Pool, upload int64, path string, ranges ...packed.Range) {
	t.Helper()
	var w packed.DocumentWriter
	w.Reset()
	for _, r := range ranges {
		var monikers [][]byte
		for _, m := range r.Monikers {
			monikers = append(monikers, []byte(m))
		}
		w.AddRange([4]int32{r.StartLine, r.StartCharacter, r.EndLine, r.EndCharacter},
			r.DefinitionResult, r.ReferenceResult, r.HoverID, monikers)
	}
	exec(t, db, `INSERT INTO lsif_documents (upload_id, path, ranges, data) VALUES ($1, $2, $3, $4)`,
		upload, path, w.Ranges(), w.Bytes())
}

// insertResults adds upload's rows of lsif_result_chunks holding results
// packed as BatchSink packs them: a row per chunk, its results in id order.
func insertResults(t *testing.T, db *pgxpool.Pool, upload int64, results ...packed.Result) {
	t.Helper()
	results = slices.Clone(results)
	slices.SortStableFunc(results, func(a, b packed.Result) int { return cmp.Compare(a.ID, b.ID) })
	var w packed.ChunkWriter
	for len(results) > 0 {
		chunk := packed.Chunk(results[0].ID)
		w.Reset()
		locations := 0
		for len(results) > 0 && packed.Chunk(results[0].ID) == chunk {
			r := results[0]
			w.AddResult(r.ID, r.Kind, len(r.Locations))
			for _, l := range r.Locations {
				w.AddLocation(l.Path, [4]int32{l.StartLine, l.StartCharacter, l.EndLine, l.EndCharacter})
			}
			locations += len(r.Locations)
			results = results[1:]
		}
		exec(t, db, `INSERT INTO lsif_result_chunks (upload_id, chunk, results, locations, data) VALUES ($1, $2, $3, $4, $5)`,
			upload, chunk, w.Results(), locations, w.Bytes())
	}
}

// rng is a range of the fixtures, with its results, hover and monikers.
func rng(sl, sc, el, ec, definition, reference, hover int32, monikers ...string) packed.Range {
	return packed.Range{StartLine: sl, StartCharacter: sc, EndLine: el, EndCharacter: ec,
		DefinitionResult: definition, ReferenceResult: reference, HoverID: hover, Monikers: monikers}
}

// at is a location of the fixtures.
func at(path string, sl, sc, el, ec int32) packed.Location {
	return packed.Location{Path: path, StartLine: sl, StartCharacter: sc, EndLine: el, EndCharacter: ec}
}
