-- Recordings that read only the new sides of the changed files (issue 11,
-- item 2, performance). files holds the values of the files behind the
-- stored point (engine.Files: each file that counts in it, by path, zstd
-- compressed), so that a recording takes a changed file's old value from
-- it instead of reading the old blob. NULL for states stored before this
-- migration, or without file values: run-searches evaluates those in full
-- once, which stores the values.

-- +goose Up
ALTER TABLE series_answer_states ADD COLUMN files bytea;

-- +goose Down
ALTER TABLE series_answer_states DROP COLUMN files;
