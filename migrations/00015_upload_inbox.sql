-- Uploads from CI jobs that have bucket credentials only, and uploads that
-- wait for their commit.
--
-- inbox_entry names the bucket inbox entry (lsif-inbox/<entry>/) an upload
-- was registered from: unique, so that registering an entry again after a
-- crash finds the upload made the first time instead of making another.
--
-- waiting_reason says why a queued upload waits (its repository is not
-- synced yet, or its commit is not fetched yet) without using an attempt;
-- waiting_since is when it was first found waiting, on the run's clock:
-- past the commit-wait deadline the upload errors.

-- +goose Up
ALTER TABLE lsif_uploads
    ADD COLUMN inbox_entry    text UNIQUE,
    ADD COLUMN waiting_reason text,
    ADD COLUMN waiting_since  timestamptz;

-- +goose Down
ALTER TABLE lsif_uploads
    DROP COLUMN waiting_since,
    DROP COLUMN waiting_reason,
    DROP COLUMN inbox_entry;
