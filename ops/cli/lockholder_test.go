package cli_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestRunSkippedByUnrecordedHolder holds sync-repos's lock from a session
// that has recorded no run (as a run does between taking the lock and
// recording itself): `sightline run sync-repos` must be skipped, exit 0,
// and say that another process holds the lock, not name an empty run id.
func TestRunSkippedByUnrecordedHolder(t *testing.T) {
	t.Parallel()
	url := schemaURL(t)
	env := append(os.Environ(), "DATABASE_URL="+url, "SIGHTLINE_DATA_DIR="+t.TempDir())
	if out, err := runSightline(env, "migrate", "up").CombinedOutput(); err != nil {
		t.Fatalf("sightline migrate up: %v\n%s", err, out)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// The key README documents: the job's, per database and schema.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended(
		'sightline.job:' || current_database() || '.' || current_schema() || ':sync-repos', 0))`); err != nil {
		t.Fatal(err)
	}

	out, err := runSightline(env, "run", "sync-repos").Output()
	if err != nil {
		t.Fatalf("sightline run sync-repos: %v\n%s", err, out)
	}
	const want = ": skipped (another process holds the lock; use --if-running=wait to wait for it)"
	if !strings.Contains(string(out), want) {
		t.Fatalf("output %q lacks %q", out, want)
	}
	var recorded string
	if err := conn.QueryRow(ctx, `SELECT error FROM job_runs WHERE job = 'sync-repos' AND status = 'skipped'`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded != "another process holds the job's lock" {
		t.Errorf("skipped run's error = %q, want %q", recorded, "another process holds the job's lock")
	}
}
