package cli_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/jobs"
)

// TestScheduleEveryJobAtOnce runs `sightline schedule` with every job due
// every second, on a pool of 4 connections (pgxpool's default on a 2-core
// machine): every job must record a succeeded run, and SIGTERM must then stop
// the scheduler with exit code 0. Before each job's lock was held on a
// connection of its own, the jobs' locks took all 4 pooled connections and
// every run then waited for a fifth forever.
func TestScheduleEveryJobAtOnce(t *testing.T) {
	t.Parallel()
	url := schemaURL(t)
	// pgx.Connect would send pool_max_conns to the server: only the
	// sightline process gets it.
	env := append(os.Environ(), "DATABASE_URL="+withParam(url, "pool_max_conns", "4"), "SIGHTLINE_DATA_DIR="+t.TempDir())
	if out, err := runSightline(env, "migrate", "up").CombinedOutput(); err != nil {
		t.Fatalf("sightline migrate up: %v\n%s", err, out)
	}
	names := jobNames(t, env)
	args := []string{"schedule"}
	for _, n := range names {
		args = append(args, "--spec", n+"=@every 1s")
	}
	s := startSightline(t, env, args...)
	if missing := waitForSucceededRuns(t, url, names, 60*time.Second); len(missing) > 0 {
		t.Fatalf("jobs %v recorded no succeeded run within 60s of `sightline schedule` with every job due at once:\n%s",
			missing, s.out.String())
	}
	if err := s.terminate(t, 30*time.Second); err != nil {
		t.Fatalf("sightline schedule after SIGTERM: %v, want exit code 0\n%s", err, s.out.String())
	}
}

// jobNames lists the jobs `sightline jobs` prints.
func jobNames(t *testing.T, env []string) []string {
	t.Helper()
	out, err := runSightline(env, "jobs").Output()
	if err != nil {
		t.Fatalf("sightline jobs: %v", err)
	}
	var names []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n")[1:] {
		names = append(names, strings.Fields(line)[0])
	}
	if len(names) < 5 {
		t.Fatalf("sightline jobs listed %v, want the registry's jobs", names)
	}
	return names
}

// waitForSucceededRuns polls job_runs until each of jobs has a succeeded run
// or timeout passes, and returns the jobs that have none.
func waitForSucceededRuns(t *testing.T, url string, jobNames []string, timeout time.Duration) []string {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var missing []string
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var done []string
		err := conn.QueryRow(ctx, `SELECT coalesce(array_agg(DISTINCT job), '{}') FROM job_runs WHERE status = $1`,
			jobs.StatusSucceeded).Scan(&done)
		if err != nil {
			t.Fatal(err)
		}
		missing = slices.DeleteFunc(slices.Clone(jobNames), func(n string) bool { return slices.Contains(done, n) })
		if len(missing) == 0 {
			return nil
		}
	}
	return missing
}
