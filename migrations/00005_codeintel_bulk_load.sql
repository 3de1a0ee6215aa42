-- Faster loading of converted LSIF: the bulk data tables lose their
-- foreign key to lsif_uploads. A foreign key checks every inserted row
-- with a trigger that looks the upload up, which made up a large part of
-- the COPY time of a big upload (millions of rows, all of one upload that
-- the loader has claimed and that exists). Deletion keeps the cascade: a
-- statement-level trigger deletes the rows of every deleted upload,
-- whether deleted directly or by the cascade from repos.
--
-- lsif_moniker_locations keeps one index instead of two: navigation always
-- looks monikers up within given uploads, so (upload_id, scheme,
-- identifier, kind) serves it and the deletion of an upload's rows. The
-- converter writes each upload's locations in that order, so the index
-- grows at its right edge during COPY instead of at random places.

-- +goose Up
ALTER TABLE lsif_ranges DROP CONSTRAINT lsif_ranges_upload_id_fkey;
ALTER TABLE lsif_hovers DROP CONSTRAINT lsif_hovers_upload_id_fkey;
ALTER TABLE lsif_result_locations DROP CONSTRAINT lsif_result_locations_upload_id_fkey;
ALTER TABLE lsif_moniker_locations DROP CONSTRAINT lsif_moniker_locations_upload_id_fkey;

DROP INDEX lsif_moniker_locations_key;
DROP INDEX lsif_moniker_locations_upload;
CREATE INDEX lsif_moniker_locations_key ON lsif_moniker_locations (upload_id, scheme, identifier, kind);

-- +goose StatementBegin
CREATE FUNCTION lsif_uploads_delete_data() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM lsif_ranges WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_hovers WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_result_locations WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM lsif_moniker_locations WHERE upload_id IN (SELECT id FROM deleted_uploads);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER lsif_uploads_delete_data AFTER DELETE ON lsif_uploads
    REFERENCING OLD TABLE AS deleted_uploads
    FOR EACH STATEMENT EXECUTE FUNCTION lsif_uploads_delete_data();

-- +goose Down
DROP INDEX lsif_moniker_locations_key;
CREATE INDEX lsif_moniker_locations_key ON lsif_moniker_locations (scheme, identifier, kind);
CREATE INDEX lsif_moniker_locations_upload ON lsif_moniker_locations (upload_id);
DROP TRIGGER lsif_uploads_delete_data ON lsif_uploads;
DROP FUNCTION lsif_uploads_delete_data();
DELETE FROM lsif_ranges r WHERE NOT EXISTS (SELECT FROM lsif_uploads u WHERE u.id = r.upload_id);
DELETE FROM lsif_hovers r WHERE NOT EXISTS (SELECT FROM lsif_uploads u WHERE u.id = r.upload_id);
DELETE FROM lsif_result_locations r WHERE NOT EXISTS (SELECT FROM lsif_uploads u WHERE u.id = r.upload_id);
DELETE FROM lsif_moniker_locations r WHERE NOT EXISTS (SELECT FROM lsif_uploads u WHERE u.id = r.upload_id);
ALTER TABLE lsif_ranges ADD FOREIGN KEY (upload_id) REFERENCES lsif_uploads (id) ON DELETE CASCADE;
ALTER TABLE lsif_hovers ADD FOREIGN KEY (upload_id) REFERENCES lsif_uploads (id) ON DELETE CASCADE;
ALTER TABLE lsif_result_locations ADD FOREIGN KEY (upload_id) REFERENCES lsif_uploads (id) ON DELETE CASCADE;
ALTER TABLE lsif_moniker_locations ADD FOREIGN KEY (upload_id) REFERENCES lsif_uploads (id) ON DELETE CASCADE;
