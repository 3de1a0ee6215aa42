-- Diagnostics (compiler errors and warnings) of each converted document.
-- Like the other bulk tables it has no foreign key: the statement trigger
-- on lsif_uploads deletes the rows of deleted uploads.

-- +goose Up
CREATE TABLE lsif_diagnostics (
    upload_id        bigint NOT NULL,
    path             text NOT NULL,
    -- severity as in LSP: 1 error, 2 warning, 3 information, 4 hint; 0 unset.
    severity         integer NOT NULL DEFAULT 0,
    code             text NOT NULL DEFAULT '',
    message          text NOT NULL,
    source           text NOT NULL DEFAULT '',
    start_line       integer NOT NULL,
    start_character  integer NOT NULL,
    end_line         integer NOT NULL,
    end_character    integer NOT NULL
);
CREATE INDEX lsif_diagnostics_path ON lsif_diagnostics (upload_id, path, start_line);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION lsif_uploads_delete_data() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM lsif_ranges WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_hovers WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_result_locations WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_moniker_locations WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_diagnostics WHERE upload_id IN (SELECT id FROM deleted_uploads);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION lsif_uploads_delete_data() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM lsif_ranges WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_hovers WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_result_locations WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_moniker_locations WHERE upload_id IN (SELECT id FROM deleted_uploads);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TABLE lsif_diagnostics;
