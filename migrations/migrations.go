// Package migrations holds Sightline's Postgres schema as numbered SQL files,
// embedded in the binary, and the Migrator that applies them with
// pressly/goose.
//
// Each file is NNNNN_name.sql with "-- +goose Up" and "-- +goose Down"
// sections. Files are never edited once released: change the schema with a
// new file. The schema is the one in the connection's search_path, so tests
// can migrate a schema of their own.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
