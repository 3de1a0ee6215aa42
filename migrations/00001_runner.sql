-- The tables the job runner needs: the repositories Sightline knows, a row per
-- job run, and the ledger of loaded batches that makes loads idempotent.

-- +goose Up
CREATE TABLE repos (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text NOT NULL UNIQUE CHECK (name <> ''),
    -- Exactly one of url (cloned with --mirror into the data directory) and
    -- path (a local repository used in place) is set.
    url             text,
    path            text,
    private         boolean NOT NULL DEFAULT false,
    -- git_dir is where sync-repos last found or made the repository's git
    -- directory; NULL until the first successful sync.
    git_dir         text,
    default_branch  text,
    head_commit     text,
    last_synced_at  timestamptz,
    last_error      text,
    last_error_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    CONSTRAINT repos_one_source CHECK ((url IS NULL) <> (path IS NULL))
);

CREATE TABLE job_runs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job          text NOT NULL,
    run_id       text NOT NULL UNIQUE,
    status       text NOT NULL
                 CHECK (status IN ('running', 'succeeded', 'failed', 'canceled', 'skipped')),
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    -- counts holds the job's own tallies, e.g. {"repos": 3, "errored": 1}.
    counts       jsonb NOT NULL DEFAULT '{}',
    error        text,
    host         text NOT NULL DEFAULT '',
    pid          integer
);
CREATE INDEX job_runs_job_started_at ON job_runs (job, started_at DESC);

-- loaded_batches is the load ledger: one row per Arrow batch loaded into
-- Postgres, written in the same transaction as the batch's rows, so a batch
-- is loaded exactly once however often a load is retried.
CREATE TABLE loaded_batches (
    batch_key     text PRIMARY KEY,
    job           text NOT NULL,
    run_id        text NOT NULL,
    kind          text NOT NULL,
    kind_version  integer NOT NULL,
    rows          bigint NOT NULL,
    loaded_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX loaded_batches_run ON loaded_batches (job, run_id);

-- +goose Down
DROP TABLE loaded_batches;
DROP TABLE job_runs;
DROP TABLE repos;
