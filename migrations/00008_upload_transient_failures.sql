-- Storage and connection hiccups no longer use up an upload's attempts:
-- process-uploads counts them apart, in transient_failures, up to
-- max_transient_failures (a higher bound, so that a store that never
-- recovers still ends the upload), and keeps the latest one's message in
-- last_transient_error even after the next claim clears failure_message.

-- +goose Up
ALTER TABLE lsif_uploads
    ADD COLUMN transient_failures     integer NOT NULL DEFAULT 0,
    ADD COLUMN max_transient_failures integer NOT NULL DEFAULT 10,
    ADD COLUMN last_transient_error   text;

-- +goose Down
ALTER TABLE lsif_uploads
    DROP COLUMN last_transient_error,
    DROP COLUMN max_transient_failures,
    DROP COLUMN transient_failures;
