// Package pgtest gives tests a real Postgres schema of their own, migrated to
// the current version. It reads TEST_DATABASE_URL, which `make test` sets by
// starting the private server (ops/postgres.sh exec). Only tests import it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/migrations"
	"github.com/sightline-dev/sightline/sinks/pgstore"
)

// URL returns TEST_DATABASE_URL or fails the test with what to do.
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		t.Fatal("TEST_DATABASE_URL is not set: run `make test`, or " +
			"`bash ops/postgres.sh exec go test ./...` to run tests on the private Postgres")
	}
	return url
}

// NewSchema creates an empty schema, returns a pool whose search_path is that
// schema, and drops the schema when the test ends.
func NewSchema(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	ctx := context.Background()
	url := URL(t)
	schema := "test_" + randomHex(6)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	pool, err := pgstore.Connect(ctx, url, schema)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		c, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return pool, schema
}

// NewDB returns a pool on a fresh schema migrated to the latest version.
func NewDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := NewSchema(t)
	ctx := context.Background()
	m, err := migrations.NewMigrator(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	return pool
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
