-- A moniker's locations are read through its results: lsif_moniker_results
-- names, per (moniker, kind), the results whose lsif_result_locations rows
-- are the moniker's definitions or references. lsif_moniker_locations held
-- a second copy of those locations for every global symbol (a third of a
-- SCIP upload's rows). Like the other bulk tables it has no foreign key:
-- the statement trigger on lsif_uploads deletes a deleted upload's rows.
--
-- Existing uploads get their rows from their ranges: each moniker a range
-- carries (never a local one) leads to the range's results, which is how
-- both converters paired them, so the rows give the same locations as the
-- dropped table.

-- +goose Up
CREATE TABLE lsif_moniker_results (
    upload_id   bigint NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('definitions', 'references')),
    scheme      text NOT NULL,
    identifier  text NOT NULL,
    result_id   integer NOT NULL
);

INSERT INTO lsif_moniker_results (upload_id, kind, scheme, identifier, result_id)
SELECT DISTINCT r.upload_id, k.kind, split_part(m, ':', 2),
       substr(m, length(split_part(m, ':', 1)) + length(split_part(m, ':', 2)) + 3), k.result_id
FROM lsif_ranges r
CROSS JOIN LATERAL unnest(r.monikers) m
CROSS JOIN LATERAL (VALUES ('definitions', r.definition_result), ('references', r.reference_result)) k (kind, result_id)
WHERE k.result_id <> 0;

CREATE INDEX lsif_moniker_results_key ON lsif_moniker_results (upload_id, scheme, identifier, kind);
DROP TABLE lsif_moniker_locations;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION lsif_uploads_delete_data() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM lsif_ranges WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_hovers WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_result_locations WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_moniker_results WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_diagnostics WHERE upload_id IN (SELECT id FROM deleted_uploads);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
CREATE TABLE lsif_moniker_locations (
    upload_id        bigint NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('definitions', 'references')),
    scheme           text NOT NULL,
    identifier       text NOT NULL,
    path             text NOT NULL,
    start_line       integer NOT NULL,
    start_character  integer NOT NULL,
    end_line         integer NOT NULL,
    end_character    integer NOT NULL
);
INSERT INTO lsif_moniker_locations
SELECT DISTINCT m.upload_id, m.kind, m.scheme, m.identifier, l.path, l.start_line, l.start_character, l.end_line, l.end_character
FROM lsif_moniker_results m
JOIN lsif_result_locations l ON l.upload_id = m.upload_id AND l.result_id = m.result_id AND l.kind = m.kind;
CREATE INDEX lsif_moniker_locations_key ON lsif_moniker_locations (upload_id, scheme, identifier, kind);

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
DROP TABLE lsif_moniker_results;
