// Package migrations holds Sightline's Postgres schema as numbered
// migrations, embedded in the binary, and the Migrator that applies them
// with pressly/goose.
//
// Most are SQL files, NNNNN_name.sql with "-- +goose Up" and "-- +goose
// Down" sections. A data conversion SQL cannot do is a Go migration:
// mNNNNN_name.go registers its up and down functions (each run in one
// transaction) in goMigrations from its init function, as migration 18
// does to pack existing code navigation rows with sinks/codeintel/packed
// and unpack them on the way down. Migrations are never edited once
// released: change the schema with a new one. The schema is the one in
// the connection's search_path, so tests can migrate a schema of their
// own.
package migrations

import "embed"

// FS holds the SQL migration files (the Go ones register themselves in
// goMigrations).
//
//go:embed *.sql
var FS embed.FS
