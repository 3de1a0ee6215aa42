-- Incremental recordings and snapshots (issue 11 item 2). For each
-- (series, repository), the newest answer run-searches computed, in full:
-- the engine's point (match and file counts, skipped files by reason,
-- captures, groups, language lines and bytes) at a commit. A later
-- recording or snapshot continues it over the files changed since that
-- commit instead of reading the tree.
--
-- series_points alone is not enough: it keeps the values a chart shows,
-- not the skipped-file counts (only as text in incomplete_points, and no
-- binary count), nor the language bytes, nor what the value depended on
-- besides the query (the file size limit, the engine's version): state_key
-- (engine.StateKey) says whether the stored point may be continued.

-- +goose Up
CREATE TABLE series_answer_states (
    series_id   bigint NOT NULL REFERENCES insight_series (id) ON DELETE CASCADE,
    repo_id     bigint NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    -- time is the sample time answered; the newest is kept.
    time        timestamptz NOT NULL,
    commit_oid  text NOT NULL,
    state_key   text NOT NULL,
    point       jsonb NOT NULL,
    PRIMARY KEY (series_id, repo_id)
);
CREATE INDEX series_answer_states_repo ON series_answer_states (repo_id);

-- +goose Down
DROP TABLE series_answer_states;
