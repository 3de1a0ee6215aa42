-- Precise code intelligence: LSIF uploads (the queue of process-uploads), the
-- converted data (ranges, hovers, result locations, moniker locations,
-- packages), dirty repositories and the nearest upload visible at each commit.

-- +goose Up
CREATE TABLE lsif_uploads (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    repo_id            bigint NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    commit_oid         text NOT NULL CHECK (commit_oid ~ '^[0-9a-f]{40}$'),
    root               text NOT NULL DEFAULT '',
    indexer            text NOT NULL DEFAULT '',
    state              text NOT NULL DEFAULT 'uploading'
                       CHECK (state IN ('uploading', 'queued', 'processing', 'completed', 'errored', 'deleted')),
    num_parts          integer NOT NULL CHECK (num_parts > 0),
    uploaded_parts     integer[] NOT NULL DEFAULT '{}',
    -- object_key is the composed gzip object in the bucket (deleted once
    -- processed); parts live under object_key || '.part-N' until composed.
    object_key         text NOT NULL UNIQUE,
    size               bigint,
    uncompressed_size  bigint,
    failure_message    text,
    attempts           integer NOT NULL DEFAULT 0,
    max_attempts       integer NOT NULL DEFAULT 3,
    process_after      timestamptz NOT NULL DEFAULT now(),
    claimed_by         text,
    heartbeat_at       timestamptz,
    uploaded_at        timestamptz NOT NULL DEFAULT now(),
    queued_at          timestamptz,
    started_at         timestamptz,
    finished_at        timestamptz
);
CREATE INDEX lsif_uploads_queue ON lsif_uploads (process_after, id) WHERE state = 'queued';
CREATE INDEX lsif_uploads_repo ON lsif_uploads (repo_id, state);

-- Converted data, keyed by upload. Positions are 0-based, as in LSP.
CREATE TABLE lsif_ranges (
    upload_id          bigint NOT NULL REFERENCES lsif_uploads (id) ON DELETE CASCADE,
    path               text NOT NULL,
    start_line         integer NOT NULL,
    start_character    integer NOT NULL,
    end_line           integer NOT NULL,
    end_character      integer NOT NULL,
    -- Result and hover ids are the converter's ordinals within the upload;
    -- 0 means none.
    definition_result  integer NOT NULL DEFAULT 0,
    reference_result   integer NOT NULL DEFAULT 0,
    hover_id           integer NOT NULL DEFAULT 0,
    -- monikers: "kind:scheme:identifier" (kind import or export).
    monikers           text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX lsif_ranges_position ON lsif_ranges (upload_id, path, start_line);

CREATE TABLE lsif_hovers (
    upload_id  bigint NOT NULL REFERENCES lsif_uploads (id) ON DELETE CASCADE,
    hover_id   integer NOT NULL,
    text       text NOT NULL,
    PRIMARY KEY (upload_id, hover_id)
);

CREATE TABLE lsif_result_locations (
    upload_id        bigint NOT NULL REFERENCES lsif_uploads (id) ON DELETE CASCADE,
    result_id        integer NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('definitions', 'references')),
    path             text NOT NULL,
    start_line       integer NOT NULL,
    start_character  integer NOT NULL,
    end_line         integer NOT NULL,
    end_character    integer NOT NULL
);
CREATE INDEX lsif_result_locations_result ON lsif_result_locations (upload_id, result_id);

CREATE TABLE lsif_moniker_locations (
    upload_id        bigint NOT NULL REFERENCES lsif_uploads (id) ON DELETE CASCADE,
    kind             text NOT NULL CHECK (kind IN ('definitions', 'references')),
    scheme           text NOT NULL,
    identifier       text NOT NULL,
    path             text NOT NULL,
    start_line       integer NOT NULL,
    start_character  integer NOT NULL,
    end_line         integer NOT NULL,
    end_character    integer NOT NULL
);
CREATE INDEX lsif_moniker_locations_key ON lsif_moniker_locations (scheme, identifier, kind);
CREATE INDEX lsif_moniker_locations_upload ON lsif_moniker_locations (upload_id);

-- Packages an upload defines (export monikers) and depends on (import
-- monikers), for cross-repository navigation.
CREATE TABLE lsif_packages (
    upload_id  bigint NOT NULL REFERENCES lsif_uploads (id) ON DELETE CASCADE,
    scheme     text NOT NULL,
    manager    text NOT NULL DEFAULT '',
    name       text NOT NULL,
    version    text NOT NULL DEFAULT '',
    PRIMARY KEY (upload_id, scheme, name, version)
);
CREATE INDEX lsif_packages_name ON lsif_packages (scheme, name, version);

CREATE TABLE lsif_package_references (
    upload_id    bigint NOT NULL REFERENCES lsif_uploads (id) ON DELETE CASCADE,
    scheme       text NOT NULL,
    manager      text NOT NULL DEFAULT '',
    name         text NOT NULL,
    version      text NOT NULL DEFAULT '',
    identifiers  text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (upload_id, scheme, name, version)
);
CREATE INDEX lsif_package_references_name ON lsif_package_references (scheme, name, version);

-- A repository is dirty when its set of completed uploads changed since the
-- commit graph was last computed: dirty_token > updated_token.
CREATE TABLE lsif_dirty_repos (
    repo_id        bigint PRIMARY KEY REFERENCES repos (id) ON DELETE CASCADE,
    dirty_token    bigint NOT NULL DEFAULT 0,
    updated_token  bigint NOT NULL DEFAULT 0,
    updated_at     timestamptz
);

-- The completed upload visible at each commit for each (root, indexer): the
-- nearest by commit-graph distance, ancestors and descendants, ties to the
-- newer upload.
CREATE TABLE lsif_nearest_uploads (
    repo_id     bigint NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    commit_oid  text NOT NULL,
    upload_id   bigint NOT NULL REFERENCES lsif_uploads (id) ON DELETE CASCADE,
    distance    integer NOT NULL,
    ancestor    boolean NOT NULL,
    PRIMARY KEY (repo_id, commit_oid, upload_id)
);

-- +goose Down
DROP TABLE lsif_nearest_uploads;
DROP TABLE lsif_dirty_repos;
DROP TABLE lsif_package_references;
DROP TABLE lsif_packages;
DROP TABLE lsif_moniker_locations;
DROP TABLE lsif_result_locations;
DROP TABLE lsif_hovers;
DROP TABLE lsif_ranges;
DROP TABLE lsif_uploads;
