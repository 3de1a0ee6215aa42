-- Backfills wait for repositories that are not synced and indexed yet,
-- instead of recording their history as errors; and a backfill can retry a
-- series' incomplete points.
--
-- backfill_waiting_repos holds the part of a processing backfill that is
-- not planned yet: one repository and the sample times it still needs.
-- plan-backfills plans it once the repository is indexed; the backfill
-- cannot finish while a row is left. waiting says why, for status and
-- insights show ("waiting for index-commits of REPO").
--
-- A retry backfill (retry) recomputes the series' repo-error incomplete
-- points rather than every sample time.
--
-- (Numbered 00009: 00008 is taken by another branch's migration.)

-- +goose Up
ALTER TABLE backfills
    ADD COLUMN retry   boolean NOT NULL DEFAULT false,
    ADD COLUMN waiting text;

CREATE TABLE backfill_waiting_repos (
    backfill_id bigint NOT NULL REFERENCES backfills (id) ON DELETE CASCADE,
    repo_id     bigint NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    times       timestamptz[] NOT NULL CHECK (cardinality(times) > 0),
    -- since is the database clock's now() when the wait began.
    since       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (backfill_id, repo_id)
);

-- +goose Down
DROP TABLE backfill_waiting_repos;
ALTER TABLE backfills
    DROP COLUMN waiting,
    DROP COLUMN retry;
