-- API docs: every processed upload's documentation entries, and the search
-- index over the entries of the uploads at each repository's default-branch
-- head, split by the repository's visibility (public, private) so that a
-- search of the private table only ever considers the repositories a user
-- is granted. Matching uses pg_trgm GIN indexes.
--
-- pg_trgm: when it is not installed yet, a superuser's migration installs it
-- in pg_catalog, where every schema sees it (one database may hold several
-- Sightline schemas, as the tests do); anyone else's installs it in the
-- first schema of the search_path, which needs the extension to be allowed
-- (pg_trgm is a trusted extension: a database owner may create it; on a
-- managed Postgres it must be on the allowed list). When it is installed
-- already, it must be in a schema on the search_path.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        BEGIN
            CREATE EXTENSION pg_trgm SCHEMA pg_catalog;
        EXCEPTION
            WHEN insufficient_privilege THEN CREATE EXTENSION pg_trgm;
            WHEN unique_violation OR duplicate_object THEN NULL; -- a concurrent migration made it
        END;
    END IF;
END
$$;
-- +goose StatementEnd

-- apidocs_entries holds the entries of every processed upload, loaded with
-- its other rows (an Arrow batch of kind apidocs-entry). ordinal numbers
-- them within the upload, in the converter's order.
CREATE TABLE apidocs_entries (
    upload_id        bigint NOT NULL,
    ordinal          integer NOT NULL,
    path             text NOT NULL,
    start_line       integer NOT NULL,
    start_character  integer NOT NULL,
    end_line         integer NOT NULL,
    end_character    integer NOT NULL,
    language         text NOT NULL,
    name             text NOT NULL,
    kind             text NOT NULL,
    search_key       text NOT NULL,
    signature        text NOT NULL,
    detail           text NOT NULL,
    tags             text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (upload_id, ordinal)
);

-- The search tables: one row per searchable entry (non-empty search key) of
-- an indexed upload; what a result shows beyond these columns is read from
-- apidocs_entries by (upload_id, ordinal). repo_name is copied from repos so
-- that each match tier is one ordered index scan that stops at the limit:
--   exact and prefix names: (lower(name), repo_name, path) in C order;
--   search keys ending in .QUERY or /QUERY: reverse(lower(search_key));
--   similar names (misspellings): pg_trgm GIN on lower(name).
CREATE TABLE apidocs_search_public (
    upload_id   bigint NOT NULL,
    ordinal     integer NOT NULL,
    repo_id     bigint NOT NULL,
    repo_name   text NOT NULL,
    lang        text NOT NULL,
    kind        text NOT NULL,
    name        text NOT NULL,
    search_key  text NOT NULL,
    path        text NOT NULL,
    PRIMARY KEY (upload_id, ordinal)
);
CREATE INDEX apidocs_search_public_name ON apidocs_search_public
    ((lower(name) COLLATE "C"), (repo_name COLLATE "C"), (path COLLATE "C"), ordinal);
CREATE INDEX apidocs_search_public_key ON apidocs_search_public ((reverse(lower(search_key)) COLLATE "C"));
CREATE INDEX apidocs_search_public_trgm ON apidocs_search_public USING gin (lower(name) gin_trgm_ops);

CREATE TABLE apidocs_search_private (LIKE apidocs_search_public INCLUDING ALL);
CREATE INDEX apidocs_search_private_repo ON apidocs_search_private (repo_id);

-- apidocs_indexed lists the uploads whose entries are in a search table:
-- for each repository, root and indexer, the newest completed upload at
-- the repository's default-branch head. rows counts its rows there (the
-- index-size limit sums it); pruned_at is set when the limit took them out.
CREATE TABLE apidocs_indexed (
    upload_id   bigint PRIMARY KEY,
    repo_id     bigint NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    private     boolean NOT NULL,
    rows        bigint NOT NULL,
    indexed_at  timestamptz NOT NULL,
    pruned_at   timestamptz
);
CREATE INDEX apidocs_indexed_repo ON apidocs_indexed (repo_id);

-- apidocs_repos records the default-branch head and visibility each
-- repository's index was last brought up to date with, so that a moved
-- head or a changed visibility is noticed.
CREATE TABLE apidocs_repos (
    repo_id        bigint PRIMARY KEY REFERENCES repos (id) ON DELETE CASCADE,
    head_commit    text,
    private        boolean NOT NULL,
    reconciled_at  timestamptz NOT NULL
);

-- Deleting an upload (directly, or by the cascade from repos) deletes its
-- entries and search rows; an upload that leaves 'completed' (retired,
-- errored) loses its search rows, and one that goes back to the queue or
-- errors loses the entries a failed attempt loaded.
-- +goose StatementBegin
CREATE FUNCTION apidocs_uploads_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM apidocs_search_public WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM apidocs_search_private WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM apidocs_indexed WHERE upload_id IN (SELECT id FROM deleted_uploads);
    DELETE FROM apidocs_entries WHERE upload_id IN (SELECT id FROM deleted_uploads);
    RETURN NULL;
END
$$;
CREATE FUNCTION apidocs_upload_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM apidocs_search_public WHERE upload_id = NEW.id;
    DELETE FROM apidocs_search_private WHERE upload_id = NEW.id;
    DELETE FROM apidocs_indexed WHERE upload_id = NEW.id;
    IF NEW.state <> 'processing' THEN
        DELETE FROM apidocs_entries WHERE upload_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER apidocs_uploads_deleted AFTER DELETE ON lsif_uploads
    REFERENCING OLD TABLE AS deleted_uploads
    FOR EACH STATEMENT EXECUTE FUNCTION apidocs_uploads_deleted();
CREATE TRIGGER apidocs_upload_state AFTER UPDATE OF state ON lsif_uploads
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state AND NEW.state <> 'completed')
    EXECUTE FUNCTION apidocs_upload_state();

-- +goose Down
DROP TRIGGER apidocs_upload_state ON lsif_uploads;
DROP TRIGGER apidocs_uploads_deleted ON lsif_uploads;
DROP FUNCTION apidocs_upload_state();
DROP FUNCTION apidocs_uploads_deleted();
DROP TABLE apidocs_repos;
DROP TABLE apidocs_indexed;
DROP TABLE apidocs_search_private;
DROP TABLE apidocs_search_public;
DROP TABLE apidocs_entries;
