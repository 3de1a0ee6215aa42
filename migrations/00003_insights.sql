-- Code insights: views (what users see), data series (what is computed, shared
-- by every view that declares the same compound key), backfills, the search
-- shard queue, points, incomplete points and repository grants.
-- Requires Postgres 15 (UNIQUE NULLS NOT DISTINCT).

-- +goose Up
CREATE TABLE insight_views (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- unique_id is the view's stable id: given in the YAML, or a ksuid.
    unique_id           text NOT NULL UNIQUE CHECK (unique_id <> ''),
    title               text NOT NULL CHECK (title <> ''),
    description         text NOT NULL DEFAULT '',
    presentation        text NOT NULL DEFAULT 'line' CHECK (presentation IN ('line', 'pie')),
    -- Default read filters on repository names (regexps); NULL = none.
    include_repo_regex  text,
    exclude_repo_regex  text,
    sort_mode           text NOT NULL DEFAULT 'result-count'
                        CHECK (sort_mode IN ('result-count', 'lexicographical', 'date-added')),
    sort_direction      text NOT NULL DEFAULT 'desc' CHECK (sort_direction IN ('asc', 'desc')),
    series_limit        integer NOT NULL DEFAULT 20 CHECK (series_limit > 0),
    -- source is the file the view was applied from, for messages.
    source              text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz
);

-- insight_series is a data series: one query over one repository scope at one
-- sample interval, computed once however many views show it.
CREATE TABLE insight_series (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- series_key is a hash of the compound key (query, scope, interval,
    -- points, kind, group_by): equal declarations share a row.
    series_key            text NOT NULL UNIQUE,
    query                 text NOT NULL,
    kind                  text NOT NULL
                          CHECK (kind IN ('search', 'capture-group', 'language-usage', 'group-by')),
    group_by              text CHECK (group_by IN ('repo', 'lang', 'path')),
    repo_scope            text NOT NULL CHECK (repo_scope IN ('list', 'criteria', 'all')),
    repos                 text[] NOT NULL DEFAULT '{}',
    repo_criteria         text,
    interval_unit         text NOT NULL CHECK (interval_unit IN ('hour', 'day', 'week', 'month', 'year')),
    interval_value        integer NOT NULL CHECK (interval_value > 0),
    num_points            integer NOT NULL DEFAULT 12 CHECK (num_points > 0),
    created_at            timestamptz NOT NULL DEFAULT now(),
    -- Forward recording: a point at every interval from the backfill on.
    last_recorded_at      timestamptz,
    next_recording_after  timestamptz,
    -- Snapshot: the current value, replaced daily.
    last_snapshot_at      timestamptz,
    next_snapshot_after   timestamptz,
    backfill_completed_at timestamptz,
    -- A series no live view shows is deleted (soft) and no longer computed.
    deleted_at            timestamptz,
    CONSTRAINT insight_series_group_by CHECK ((kind = 'group-by') = (group_by IS NOT NULL)),
    CONSTRAINT insight_series_scope CHECK (
        (repo_scope = 'list' AND cardinality(repos) > 0 AND repo_criteria IS NULL) OR
        (repo_scope = 'criteria' AND cardinality(repos) = 0 AND repo_criteria IS NOT NULL) OR
        (repo_scope = 'all' AND cardinality(repos) = 0 AND repo_criteria IS NULL))
);
CREATE INDEX insight_series_next_recording ON insight_series (next_recording_after) WHERE deleted_at IS NULL;
CREATE INDEX insight_series_next_snapshot ON insight_series (next_snapshot_after) WHERE deleted_at IS NULL;

CREATE TABLE insight_view_series (
    view_id     bigint NOT NULL REFERENCES insight_views (id) ON DELETE CASCADE,
    series_id   bigint NOT NULL REFERENCES insight_series (id) ON DELETE CASCADE,
    label       text NOT NULL,
    stroke      text NOT NULL DEFAULT '',
    -- position is the series' place in the YAML, for stable display.
    position    integer NOT NULL DEFAULT 0,
    added_at    timestamptz NOT NULL DEFAULT now(),
    -- Removing a series from the file soft-deletes its row here.
    deleted_at  timestamptz,
    PRIMARY KEY (view_id, series_id)
);

CREATE TABLE backfills (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    series_id       bigint NOT NULL REFERENCES insight_series (id) ON DELETE CASCADE,
    state           text NOT NULL DEFAULT 'new'
                    CHECK (state IN ('new', 'processing', 'completed', 'failed')),
    -- Cheapest first; a prioritized backfill goes before all others.
    estimated_cost  double precision,
    prioritized_at  timestamptz,
    repos_total     integer NOT NULL DEFAULT 0,
    repos_done      integer NOT NULL DEFAULT 0,
    repos_errored   integer NOT NULL DEFAULT 0,
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    started_at      timestamptz,
    finished_at     timestamptz
);
CREATE INDEX backfills_open ON backfills (state, id) WHERE state IN ('new', 'processing');
-- At most one unfinished backfill per series.
CREATE UNIQUE INDEX backfills_one_open ON backfills (series_id) WHERE state IN ('new', 'processing');

-- search_shards is the work queue of run-searches. A shard's tasks — (series,
-- repo, times → commits) — are an Arrow batch in the bucket at object_key.
CREATE TABLE search_shards (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('backfill', 'recording', 'snapshot')),
    backfill_id   bigint REFERENCES backfills (id) ON DELETE CASCADE,
    object_key    text NOT NULL UNIQUE,
    tasks         integer NOT NULL CHECK (tasks > 0),
    -- Lower priority values run first; within a priority, cheaper first.
    priority      integer NOT NULL DEFAULT 100,
    cost          double precision NOT NULL DEFAULT 0,
    state         text NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'processing', 'completed', 'failed')),
    attempts      integer NOT NULL DEFAULT 0,
    max_attempts  integer NOT NULL DEFAULT 3,
    process_after timestamptz NOT NULL DEFAULT now(),
    claimed_by    text,
    claimed_at    timestamptz,
    heartbeat_at  timestamptz,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    CONSTRAINT search_shards_backfill CHECK ((kind = 'backfill') = (backfill_id IS NOT NULL))
);
CREATE INDEX search_shards_dequeue ON search_shards (priority, cost, id) WHERE state = 'queued';
CREATE INDEX search_shards_backfill ON search_shards (backfill_id);

-- Points: one row per (series, repo, time, capture), upserted, so a rerun can
-- never double-count. capture is '' for plain search series; the captured
-- value, language or group for the others.
CREATE TABLE series_points (
    series_id   bigint NOT NULL REFERENCES insight_series (id) ON DELETE CASCADE,
    repo_id     bigint NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    time        timestamptz NOT NULL,
    capture     text NOT NULL DEFAULT '',
    value       bigint NOT NULL,
    commit_oid  text NOT NULL,
    PRIMARY KEY (series_id, repo_id, time, capture)
);
CREATE INDEX series_points_series_time ON series_points (series_id, time);

-- snapshot_points holds each series' current value; a new snapshot replaces
-- the previous one.
CREATE TABLE snapshot_points (
    series_id   bigint NOT NULL REFERENCES insight_series (id) ON DELETE CASCADE,
    repo_id     bigint NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    time        timestamptz NOT NULL,
    capture     text NOT NULL DEFAULT '',
    value       bigint NOT NULL,
    commit_oid  text NOT NULL,
    PRIMARY KEY (series_id, repo_id, time, capture)
);

-- The x-axis of a series: every sample time, written when the backfill is
-- planned so reads zero-fill a full axis at once.
CREATE TABLE series_recording_times (
    series_id  bigint NOT NULL REFERENCES insight_series (id) ON DELETE CASCADE,
    time       timestamptz NOT NULL,
    snapshot   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (series_id, time)
);

-- Points that are missing or undercounted, and why: never silent.
CREATE TABLE incomplete_points (
    series_id   bigint NOT NULL REFERENCES insight_series (id) ON DELETE CASCADE,
    time        timestamptz NOT NULL,
    -- NULL: the whole point (all repositories).
    repo_id     bigint REFERENCES repos (id) ON DELETE CASCADE,
    reason      text NOT NULL CHECK (reason IN ('timeout', 'repo-error', 'skipped-files', 'error-limit')),
    detail      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT incomplete_points_key UNIQUE NULLS NOT DISTINCT (series_id, time, repo_id, reason)
);

-- repo_grants: who may see a private repository's data.
CREATE TABLE repo_grants (
    user_name   text NOT NULL CHECK (user_name <> ''),
    repo_id     bigint NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_name, repo_id)
);

-- +goose Down
DROP TABLE repo_grants;
DROP TABLE incomplete_points;
DROP TABLE series_recording_times;
DROP TABLE snapshot_points;
DROP TABLE series_points;
DROP TABLE search_shards;
DROP TABLE backfills;
DROP TABLE insight_view_series;
DROP TABLE insight_series;
DROP TABLE insight_views;
