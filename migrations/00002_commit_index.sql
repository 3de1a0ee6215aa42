-- The commit index: each repository's first-parent history of its default
-- branch, written by index-commits and read by the backfill planner, so that
-- planning never runs git.

-- +goose Up
CREATE TABLE repo_commits (
    repo_id       bigint NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    -- position is the commit's place in first-parent order: 0 is the first
    -- (oldest) commit of the default branch.
    position      integer NOT NULL CHECK (position >= 0),
    commit_oid    text NOT NULL,
    committed_at  timestamptz NOT NULL,
    PRIMARY KEY (repo_id, position)
);
CREATE UNIQUE INDEX repo_commits_repo_oid ON repo_commits (repo_id, commit_oid);

ALTER TABLE repos
    ADD COLUMN commits_indexed_at timestamptz,
    ADD COLUMN commits_indexed_head text,
    ADD COLUMN commits_indexed_count integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE repos
    DROP COLUMN commits_indexed_at,
    DROP COLUMN commits_indexed_head,
    DROP COLUMN commits_indexed_count;
DROP TABLE repo_commits;
