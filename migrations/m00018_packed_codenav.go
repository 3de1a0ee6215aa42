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
// locations) say how many of the old rows a packed row holds.
func init() {
	goMigrations = append(goMigrations, goose.NewGoMigration(18,
		&goose.GoFunc{RunTx: packedUp}, &goose.GoFunc{RunTx: packedDown}))
}

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
	return execAll(ctx, tx, packedIndexes, `DROP TABLE lsif_ranges; DROP TABLE lsif_result_locations;`,
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
	return execAll(ctx, tx, oldIndexes, `DROP TABLE lsif_documents; DROP TABLE lsif_result_chunks;`,
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
