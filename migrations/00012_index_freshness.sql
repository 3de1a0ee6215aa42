-- Honest freshness: a sample time later than what a repository's commit
-- index knows is not mapped to its old head.
--
-- repos.commits_indexed_through is the time up to which the commit index
-- holds the default branch's history: index-commits' clock when it read a
-- local repository, or the fetch (last_synced_at) its mirror held for a URL
-- repository. A sample time after it waits for the next index run.
--
-- insight_series.recording_waiting says why a due recording waits (for
-- status); NULL when it does not.

-- +goose Up
ALTER TABLE repos ADD COLUMN commits_indexed_through timestamptz;
UPDATE repos SET commits_indexed_through = least(commits_indexed_at, coalesce(last_synced_at, commits_indexed_at))
    WHERE commits_indexed_at IS NOT NULL;
ALTER TABLE insight_series ADD COLUMN recording_waiting text;

-- +goose Down
ALTER TABLE insight_series DROP COLUMN recording_waiting;
ALTER TABLE repos DROP COLUMN commits_indexed_through;
