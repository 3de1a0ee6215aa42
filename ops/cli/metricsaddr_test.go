package cli_test

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestScheduleServesMetrics runs `sightline schedule --metrics-addr` with
// sync-repos due every second and scrapes /metrics until the run metrics
// of a succeeded sync-repos run are there, with the queue gauges and the Go
// runtime's; SIGTERM then stops the scheduler and its server.
func TestScheduleServesMetrics(t *testing.T) {
	t.Parallel()
	env := syncReposEnv(t)
	addr := closedAddr(t)
	cmd := runSightline(env, "schedule", "--metrics-addr", addr, "--spec", "sync-repos=@every 1s")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	url := "http://" + addr + "/metrics"
	waitReady(t, url, &out)
	run := map[string]string{"sightline_job": "sync-repos"}
	deadline := time.Now().Add(30 * time.Second)
	for {
		fams := scrape(t, url)
		if v, found := metricValue(fams, "sightline_run_status", with(run, "status", "succeeded")); found && v == 1 {
			for name, labels := range map[string]map[string]string{
				"sightline_run_rows_loaded":                    with(run, "kind", "repo-sync"),
				"sightline_run_last_success_timestamp_seconds": run,
				"sightline_queue_items":                        {"queue": "shards", "state": "queued"},
				"sightline_backfills":                          {"state": "failed"},
				"go_goroutines":                                {},
			} {
				if _, found := metricValue(fams, name, labels); !found {
					t.Errorf("/metrics has no %s%v", name, labels)
				}
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/metrics showed no succeeded sync-repos run within 30s:\n%s", out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("sightline schedule after SIGTERM: %v\n%s", err, out.String())
	}
}
