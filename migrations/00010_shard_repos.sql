-- A search shard records the repositories its tasks read, so that a worker
-- claiming one can claim, with it, the other ready shards over the same
-- repositories (other series, other backfills, recordings and snapshots)
-- and evaluate all of their series in one pass per repository.
-- Shards queued before this migration have none and are claimed alone.

-- +goose Up
ALTER TABLE search_shards ADD COLUMN repo_ids bigint[] NOT NULL DEFAULT '{}';
CREATE INDEX search_shards_repos ON search_shards USING gin (repo_ids) WHERE state = 'queued';

-- +goose Down
DROP INDEX search_shards_repos;
ALTER TABLE search_shards DROP COLUMN repo_ids;
