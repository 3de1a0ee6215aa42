-- Uploads record their format: an LSIF dump or a SCIP index, detected
-- from the content by the uploader. process-uploads picks the converter
-- by it; uploads made before this migration are LSIF.
--
-- (Numbered 00014 as assigned; the lead renumbers at merge if needed.)

-- +goose Up
ALTER TABLE lsif_uploads
    ADD COLUMN format text NOT NULL DEFAULT 'lsif' CHECK (format IN ('lsif', 'scip'));

-- +goose Down
ALTER TABLE lsif_uploads DROP COLUMN format;
