package migrations_test

import (
	"context"
	"errors"
	"testing"

	"github.com/sightline-dev/sightline/migrations"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

// TestUpDownUp applies every migration, rolls each back one at a time, and
// applies them again: every Down section must undo its Up.
func TestUpDownUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := pgtest.NewSchema(t)
	m, err := migrations.NewMigrator(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()

	if err := m.Check(ctx); !errors.Is(err, migrations.ErrBehind) {
		t.Fatalf("Check on an empty schema = %v, want ErrBehind", err)
	}
	applied, err := m.Up(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 {
		t.Fatal("Up applied nothing on an empty schema")
	}
	if err := m.Check(ctx); err != nil {
		t.Fatalf("Check after Up: %v", err)
	}
	for i := len(applied) - 1; i >= 0; i-- {
		v, err := m.Down(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if v != applied[i] {
			t.Fatalf("Down rolled back %d, want %d", v, applied[i])
		}
	}
	var tables int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatalf("%d tables left after rolling everything back", tables)
	}
	again, err := m.Up(ctx)
	if err != nil {
		t.Fatalf("Up after Down: %v", err)
	}
	if len(again) != len(applied) {
		t.Fatalf("second Up applied %d migrations, want %d", len(again), len(applied))
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool, _ := pgtest.NewSchema(t)
	m, err := migrations.NewMigrator(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	before, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range before {
		if s.Applied {
			t.Fatalf("migration %d applied on an empty schema", s.Version)
		}
	}
	if _, err := m.Up(ctx); err != nil {
		t.Fatal(err)
	}
	after, err := m.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) || len(after) == 0 {
		t.Fatalf("status lists %d migrations after Up, %d before", len(after), len(before))
	}
	for _, s := range after {
		if !s.Applied || s.AppliedAt.IsZero() {
			t.Fatalf("migration %d (%s) not applied after Up", s.Version, s.Name)
		}
	}
}
