package migrations

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
)

// eachRow calls scan for every row of query, read through the cursor
// named cursor fetchRows at a time, and then flush after each fetch: the
// connection is free again there, for flush to insert what the rows made.
// Each query needs a cursor name of its own: pgx caches a statement's
// result columns by its text, so a FETCH of the same text from a cursor
// of other columns would be read with the first one's.
func eachRow(ctx context.Context, tx *sql.Tx, cursor string, fetchRows int, query string,
	scan func(*sql.Rows) error, flush func() error) error {
	if _, err := tx.ExecContext(ctx, `DECLARE `+cursor+` CURSOR FOR `+query); err != nil {
		return err
	}
	for {
		rows, err := tx.QueryContext(ctx, fmt.Sprintf(`FETCH %d FROM %s`, fetchRows, cursor))
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			n++
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if err := flush(); err != nil {
			return err
		}
		if n < fetchRows {
			break
		}
	}
	_, err := tx.ExecContext(ctx, `CLOSE `+cursor)
	return err
}

// rowInserter collects rows of one table and inserts them with one
// statement that unnests an array per column. A column of an array type
// is given as its text form and cast.
type rowInserter struct {
	tx    *sql.Tx
	query string
	cols  [][]any
}

func newInserter(tx *sql.Tx, table string, types ...string) *rowInserter {
	var args, names, exprs []string
	for i, t := range types {
		name := fmt.Sprintf("c%d", i+1)
		names = append(names, name)
		if elem, ok := strings.CutSuffix(t, "[]"); ok {
			args = append(args, fmt.Sprintf("$%d::text[]", i+1))
			exprs = append(exprs, name+"::"+elem+"[]")
			continue
		}
		args = append(args, fmt.Sprintf("$%d::%s[]", i+1, t))
		exprs = append(exprs, name)
	}
	return &rowInserter{tx: tx, cols: make([][]any, len(types)),
		query: `INSERT INTO ` + table + ` SELECT ` + strings.Join(exprs, ", ") +
			` FROM unnest(` + strings.Join(args, ", ") + `) AS x (` + strings.Join(names, ", ") + `)`}
}

func (ins *rowInserter) add(values ...any) {
	for i, v := range values {
		ins.cols[i] = append(ins.cols[i], v)
	}
}

// addBounded adds a row and inserts the rows added so far once they are
// insertRows: only where the connection is free (no rows being read).
func (ins *rowInserter) addBounded(ctx context.Context, values ...any) error {
	ins.add(values...)
	if len(ins.cols[0]) < insertRows {
		return nil
	}
	return ins.flush(ctx)
}

// flush inserts the rows added since the last flush.
func (ins *rowInserter) flush(ctx context.Context) error {
	if len(ins.cols[0]) == 0 {
		return nil
	}
	args := make([]any, len(ins.cols))
	for i, c := range ins.cols {
		args[i] = pgtype.FlatArray[any](c)
	}
	_, err := ins.tx.ExecContext(ctx, ins.query, args...)
	for i := range ins.cols {
		ins.cols[i] = ins.cols[i][:0]
	}
	return err
}

// The fill packs with packed's writers as they are: rows it writes have
// packed's current Version. Should the encoding change, packed's decoders
// must go on reading every version a migration ever wrote.

// packRanges packs the rows of lsif_ranges into lsif_documents, one row
// per (upload, path), its ranges in position order.
func packRanges(ctx context.Context, tx *sql.Tx) error {
	ins := newInserter(tx, "lsif_documents", "bigint", "text", "integer", "bytea")
	var (
		w       packed.DocumentWriter
		upload  int64
		path    string
		started bool
		// database/sql scans no arrays: pgx's type map does, through
		// its sql.Scanner.
		types = pgtype.NewMap()
	)
	end := func() {
		if started {
			ins.add(upload, path, int32(w.Ranges()), bytes.Clone(w.Bytes()))
		}
	}
	scan := func(rows *sql.Rows) error {
		var (
			u       int64
			p       string
			pos     [4]int32
			d, r, h int32
			names   []string
		)
		if err := rows.Scan(&u, &p, &pos[0], &pos[1], &pos[2], &pos[3], &d, &r, &h, types.SQLScanner(&names)); err != nil {
			return err
		}
		if !started || u != upload || p != path {
			end()
			w.Reset()
			upload, path, started = u, p, true
		}
		monikers := make([][]byte, len(names))
		for i, m := range names {
			monikers[i] = []byte(m)
		}
		w.AddRange(pos, d, r, h, monikers)
		return nil
	}
	err := eachRow(ctx, tx, "pack_ranges", 5000, `
		SELECT upload_id, path, start_line, start_character, end_line, end_character,
		       definition_result, reference_result, hover_id, monikers
		FROM lsif_ranges ORDER BY upload_id, path, start_line, start_character, end_line, end_character`,
		scan, func() error { return ins.flush(ctx) })
	if err != nil {
		return err
	}
	end()
	return ins.flush(ctx)
}

// packLocations packs the rows of lsif_result_locations into
// lsif_result_chunks: each result's locations in (path, range) order,
// results in id order, one row per (upload, chunk).
func packLocations(ctx context.Context, tx *sql.Tx) error {
	ins := newInserter(tx, "lsif_result_chunks", "bigint", "integer", "integer", "integer", "bytea")
	type loc struct {
		path string
		pos  [4]int32
	}
	var (
		w               packed.ChunkWriter
		upload          int64
		chunk, locCount int32
		started         bool
		// The result being read: its locations are added once it is
		// complete, since AddResult needs their count.
		id   int32
		kind string
		locs []loc
	)
	endResult := func() {
		if len(locs) == 0 {
			return
		}
		k := byte(packed.Definitions)
		if kind == "references" {
			k = packed.References
		}
		w.AddResult(id, k, len(locs))
		for _, l := range locs {
			w.AddLocation(l.path, l.pos)
		}
		locCount += int32(len(locs))
		locs = locs[:0]
	}
	end := func() {
		endResult()
		if started {
			ins.add(upload, chunk, int32(w.Results()), locCount, bytes.Clone(w.Bytes()))
		}
	}
	scan := func(rows *sql.Rows) error {
		var (
			u    int64
			r    int32
			k, p string
			pos  [4]int32
		)
		if err := rows.Scan(&u, &r, &k, &p, &pos[0], &pos[1], &pos[2], &pos[3]); err != nil {
			return err
		}
		if !started || u != upload || packed.Chunk(r) != chunk {
			end()
			w.Reset()
			upload, chunk, locCount, started = u, packed.Chunk(r), 0, true
		} else if r != id || k != kind {
			endResult()
		}
		id, kind = r, k
		locs = append(locs, loc{p, pos})
		return nil
	}
	err := eachRow(ctx, tx, "pack_locations", 5000, `
		SELECT upload_id, result_id, kind, path, start_line, start_character, end_line, end_character
		FROM lsif_result_locations
		ORDER BY upload_id, result_id, kind, path, start_line, start_character, end_line, end_character`,
		scan, func() error { return ins.flush(ctx) })
	if err != nil {
		return err
	}
	end()
	return ins.flush(ctx)
}

// insertRows bounds the rows an unpacking INSERT carries: a packed row
// may unpack into many thousands (a symbol referenced everywhere).
const insertRows = 5000

// packedRow is a row of lsif_documents (key: its path) or
// lsif_result_chunks (key: its chunk), as fetched.
type packedRow struct {
	upload int64
	key    string
	data   []byte
}

// unpackRows reads query's packed rows through cursor, a few per fetch,
// and after each fetch calls unpack on each (the connection free again,
// for it to insert through ins), then flushes ins.
func unpackRows(ctx context.Context, tx *sql.Tx, cursor, query string, ins *rowInserter, unpack func(packedRow) error) error {
	var fetched []packedRow
	scan := func(rows *sql.Rows) error {
		var r packedRow
		if err := rows.Scan(&r.upload, &r.key, &r.data); err != nil {
			return err
		}
		fetched = append(fetched, r)
		return nil
	}
	flush := func() error {
		for _, r := range fetched {
			if err := unpack(r); err != nil {
				return err
			}
		}
		fetched = fetched[:0]
		return ins.flush(ctx)
	}
	return eachRow(ctx, tx, cursor, 20, query, scan, flush)
}

// unpackDocuments writes a row of lsif_ranges for every range of
// lsif_documents.
func unpackDocuments(ctx context.Context, tx *sql.Tx) error {
	ins := newInserter(tx, "lsif_ranges", "bigint", "text", "integer", "integer", "integer", "integer",
		"integer", "integer", "integer", "text[]")
	return unpackRows(ctx, tx, "unpack_documents", `SELECT upload_id, path, data FROM lsif_documents ORDER BY upload_id, path`, ins,
		func(d packedRow) error {
			ranges, err := packed.DecodeDocument(d.data)
			if err != nil {
				return fmt.Errorf("upload %d, %s: %w", d.upload, d.key, err)
			}
			for _, r := range ranges {
				err := ins.addBounded(ctx, d.upload, d.key, r.StartLine, r.StartCharacter, r.EndLine, r.EndCharacter,
					r.DefinitionResult, r.ReferenceResult, r.HoverID, arrayLiteral(r.Monikers))
				if err != nil {
					return err
				}
			}
			return nil
		})
}

// arrayLiteral spells ss as a Postgres text[] literal.
func arrayLiteral(ss []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range ss {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s))
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String()
}

// unpackChunks writes a row of lsif_result_locations for every location
// of every result of lsif_result_chunks.
func unpackChunks(ctx context.Context, tx *sql.Tx) error {
	ins := newInserter(tx, "lsif_result_locations", "bigint", "integer", "text", "text",
		"integer", "integer", "integer", "integer")
	return unpackRows(ctx, tx, "unpack_chunks", `SELECT upload_id, chunk::text, data FROM lsif_result_chunks ORDER BY upload_id, chunk`, ins,
		func(c packedRow) error {
			results, err := packed.DecodeChunk(c.data)
			if err != nil {
				return fmt.Errorf("upload %d, chunk %s: %w", c.upload, c.key, err)
			}
			for _, r := range results {
				kind := "definitions"
				if r.Kind == packed.References {
					kind = "references"
				}
				for _, l := range r.Locations {
					if err := ins.addBounded(ctx, c.upload, r.ID, kind, l.Path, l.StartLine, l.StartCharacter, l.EndLine, l.EndCharacter); err != nil {
						return err
					}
				}
			}
			return nil
		})
}
