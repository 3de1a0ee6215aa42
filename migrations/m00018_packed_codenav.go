package migrations

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
)

// Migration 18 packs code navigation data: lsif_ranges (a row per range)
// becomes lsif_documents (a row per document, its ranges packed), and
// lsif_result_locations (a row per location) becomes lsif_result_chunks (a
// row per chunk of packed.ResultsPerChunk result ids, their locations
// packed), in the encodings of sinks/codeintel/packed. A converted SCIP
// upload of 200 MiB had 2.3 M range rows and 3.5 M location rows, and
// their COPY and index entries were most of the time spent loading it; it
// now has one row per document and per chunk.
//
// It is a Go migration, since the packing is Go code: existing uploads'
// rows are packed on the way up and unpacked on the way down, so that no
// upload loses its data either way. The count columns (ranges, results,
// locations) say how many of the old rows a packed row holds. It also
// pairs lsif_moniker_results' kinds in one row (see monikerPairs).
func init() {
	goMigrations = append(goMigrations, goose.NewGoMigration(18,
		&goose.GoFunc{RunTx: packedUp}, &goose.GoFunc{RunTx: packedDown}))
}

// packedTables creates the packed tables. Their data columns are STORAGE
// EXTERNAL, TOASTed out of line without pglz compression: with it, the
// COPY of a large upload's result chunks took 2.3 s instead of 0.5 s.
const packedTables = `
CREATE TABLE lsif_documents (
    upload_id  bigint NOT NULL,
    path       text NOT NULL,
    ranges     integer NOT NULL,
    data       bytea NOT NULL
);
ALTER TABLE lsif_documents ALTER COLUMN data SET STORAGE EXTERNAL;
CREATE TABLE lsif_result_chunks (
    upload_id  bigint NOT NULL,
    chunk      integer NOT NULL,
    results    integer NOT NULL,
    locations  integer NOT NULL,
    data       bytea NOT NULL
);
ALTER TABLE lsif_result_chunks ALTER COLUMN data SET STORAGE EXTERNAL;`

// Rows are looked up by (upload, path) and (upload, chunk). Neither index
// is unique: a converter delivers each document and each result once, but
// should a chunk's results come in two runs they are two rows, both read.
const packedIndexes = `
CREATE INDEX lsif_documents_path ON lsif_documents (upload_id, path);
CREATE INDEX lsif_result_chunks_chunk ON lsif_result_chunks (upload_id, chunk);`

// monikerPairs makes lsif_moniker_results a row per moniker, not per
// (moniker, kind): its i-th definition result beside its i-th reference
// result (0 for none). A SCIP upload had two rows per global symbol. The
// index held the identifiers, long strings (a SCIP symbol is 60-100
// bytes): it is now on their hash, and a lookup checks the identifier in
// the row.
const monikerPairs = `
ALTER TABLE lsif_moniker_results RENAME TO lsif_moniker_results_by_kind;
DROP INDEX lsif_moniker_results_key;
CREATE TABLE lsif_moniker_results (
    upload_id          bigint NOT NULL,
    scheme             text NOT NULL,
    identifier         text NOT NULL,
    definition_result  integer NOT NULL DEFAULT 0,
    reference_result   integer NOT NULL DEFAULT 0
);
INSERT INTO lsif_moniker_results
SELECT coalesce(d.upload_id, r.upload_id), coalesce(d.scheme, r.scheme), coalesce(d.identifier, r.identifier),
       coalesce(d.result_id, 0), coalesce(r.result_id, 0)
FROM (SELECT *, row_number() OVER (PARTITION BY upload_id, scheme, identifier ORDER BY result_id) n
      FROM lsif_moniker_results_by_kind WHERE kind = 'definitions') d
FULL JOIN (SELECT *, row_number() OVER (PARTITION BY upload_id, scheme, identifier ORDER BY result_id) n
      FROM lsif_moniker_results_by_kind WHERE kind = 'references') r
  ON r.upload_id = d.upload_id AND r.scheme = d.scheme AND r.identifier = d.identifier AND r.n = d.n;
DROP TABLE lsif_moniker_results_by_kind;
CREATE INDEX lsif_moniker_results_key ON lsif_moniker_results (upload_id, hashtextextended(identifier, 0));`

const monikerKinds = `
ALTER TABLE lsif_moniker_results RENAME TO lsif_moniker_results_paired;
DROP INDEX lsif_moniker_results_key;
CREATE TABLE lsif_moniker_results (
    upload_id   bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('definitions', 'references')),
    scheme      text NOT NULL,
    identifier  text NOT NULL,
    result_id   integer NOT NULL
);
INSERT INTO lsif_moniker_results
SELECT upload_id, 'definitions', scheme, identifier, definition_result FROM lsif_moniker_results_paired WHERE definition_result <> 0
UNION ALL
SELECT upload_id, 'references', scheme, identifier, reference_result FROM lsif_moniker_results_paired WHERE reference_result <> 0;
DROP TABLE lsif_moniker_results_paired;
CREATE INDEX lsif_moniker_results_key ON lsif_moniker_results (upload_id, scheme, identifier, kind);`

const oldTables = `
CREATE TABLE lsif_ranges (
    upload_id          bigint NOT NULL,
    path               text NOT NULL,
    start_line         integer NOT NULL,
    start_character    integer NOT NULL,
    end_line           integer NOT NULL,
    end_character      integer NOT NULL,
    definition_result  integer NOT NULL DEFAULT 0,
    reference_result   integer NOT NULL DEFAULT 0,
    hover_id           integer NOT NULL DEFAULT 0,
    monikers           text[] NOT NULL DEFAULT '{}'
);
CREATE TABLE lsif_result_locations (
    upload_id        bigint NOT NULL,
    result_id        integer NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('definitions', 'references')),
    path             text NOT NULL,
    start_line       integer NOT NULL,
    start_character  integer NOT NULL,
    end_line         integer NOT NULL,
    end_character    integer NOT NULL
);`

const oldIndexes = `
CREATE INDEX lsif_ranges_position ON lsif_ranges (upload_id, path, start_line);
CREATE INDEX lsif_result_locations_result ON lsif_result_locations (upload_id, result_id);`

// deleteTrigger returns the statement trigger function that deletes the
// rows of deleted uploads, for the range and location tables named.
func deleteTrigger(ranges, locations string) string {
	return `
CREATE OR REPLACE FUNCTION lsif_uploads_delete_data() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM ` + ranges + ` WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_hovers WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM ` + locations + ` WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_moniker_results WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_diagnostics WHERE upload_id IN (SELECT id FROM deleted_uploads);
    RETURN NULL;
END
$$;`
}

func packedUp(ctx context.Context, tx *sql.Tx) error {
	if err := execAll(ctx, tx, packedTables); err != nil {
		return err
	}
	if err := packRanges(ctx, tx); err != nil {
		return fmt.Errorf("pack lsif_ranges into lsif_documents: %w", err)
	}
	if err := packLocations(ctx, tx); err != nil {
		return fmt.Errorf("pack lsif_result_locations into lsif_result_chunks: %w", err)
	}
	return execAll(ctx, tx, packedIndexes, monikerPairs, `DROP TABLE lsif_ranges; DROP TABLE lsif_result_locations;`,
		deleteTrigger("lsif_documents", "lsif_result_chunks"))
}

func packedDown(ctx context.Context, tx *sql.Tx) error {
	if err := execAll(ctx, tx, oldTables); err != nil {
		return err
	}
	if err := unpackDocuments(ctx, tx); err != nil {
		return fmt.Errorf("unpack lsif_documents into lsif_ranges: %w", err)
	}
	if err := unpackChunks(ctx, tx); err != nil {
		return fmt.Errorf("unpack lsif_result_chunks into lsif_result_locations: %w", err)
	}
	return execAll(ctx, tx, oldIndexes, monikerKinds, `DROP TABLE lsif_documents; DROP TABLE lsif_result_chunks;`,
		deleteTrigger("lsif_ranges", "lsif_result_locations"))
}

func execAll(ctx context.Context, tx *sql.Tx, stmts ...string) error {
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return err
		}
	}
	return nil
}
