package cli_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRunSearchesCrashMidPass kills `sightline run run-searches` with
// SIGKILL in the middle of a shared pass: the run holds the three
// backfills' shards as one claim group (every series over the same
// repositories), a third of the way through evaluating them, none stored
// yet. The next run takes the group back and redoes it: the series must
// equal an uninterrupted run's, nothing lost and nothing twice.
func TestRunSearchesCrashMidPass(t *testing.T) {
	t.Parallel()
	dirs := crashRepos(t, 12)
	clean, crashed := crashPair(t, "run-searches", func(p *crashPipeline) { p.setUp(t, dirs) })
	took := clean.searchTime(t)
	held, out := killMidRun(t, crashed, "run-searches", func() int { return crashed.waitForGroup(t, took/3) })
	if completed, total := crashed.shardCounts(t); completed != 0 {
		t.Fatalf("the kill landed after %d of %d shards were stored (the clean run took %s); the test needs more work per pass\n%s",
			completed, total, took, out)
	}
	t.Logf("killed run-searches holding a claim group of %d shards, %s into it (the clean run took %s)", held, took/3, took)

	if out, err := crashed.sightline("run", "run-searches").CombinedOutput(); err != nil {
		t.Fatalf("run-searches after the crash: %v\n%s", err, out)
	}
	if got := crashed.query(t, `SELECT status FROM job_runs WHERE job = 'run-searches' ORDER BY id`); !cmp.Equal(got, []string{"failed", "succeeded"}) {
		t.Fatalf("run-searches runs = %v, want the killed one failed (abandoned) and the rerun succeeded", got)
	}
	// The rerun did every shard, in groups, each task in a shared pass.
	var claims, passes, shards, tasks int
	err := crashed.conn(t).QueryRow(context.Background(), `SELECT (counts->>'claims')::int, (counts->>'passes')::int,
			(counts->>'shards')::int, (counts->>'tasks')::int FROM job_runs WHERE job = 'run-searches' AND status = 'succeeded'`).
		Scan(&claims, &passes, &shards, &tasks)
	if err != nil {
		t.Fatal(err)
	}
	if _, total := crashed.shardCounts(t); shards != total || claims >= shards || passes >= tasks || passes < len(dirs) {
		t.Fatalf("rerun: %d claims, %d passes, %d shards, %d tasks; want all %d shards in fewer claims, fewer passes than tasks",
			claims, passes, shards, tasks, total)
	}
	checkSameAsClean(t, clean, crashed)
}

// searchTime is how long p's run-searches held shards, by the database
// clock: from the first claim to the last completion.
func (p *crashPipeline) searchTime(t *testing.T) time.Duration {
	t.Helper()
	var secs float64
	err := p.conn(t).QueryRow(context.Background(),
		`SELECT extract(epoch FROM max(finished_at) - min(claimed_at))::float8 FROM search_shards`).Scan(&secs)
	if err != nil {
		t.Fatal(err)
	}
	return time.Duration(secs * float64(time.Second))
}

// waitForGroup waits until one run holds two or more shards and none is
// completed, then waits for after more, and returns how many it holds.
func (p *crashPipeline) waitForGroup(t *testing.T, after time.Duration) int {
	t.Helper()
	c := p.conn(t)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var held, completed, holders int
		err := c.QueryRow(context.Background(), `SELECT count(*) FILTER (WHERE state = 'processing'),
				count(*) FILTER (WHERE state = 'completed'), count(DISTINCT claimed_by) FROM search_shards`).
			Scan(&held, &completed, &holders)
		if err != nil {
			t.Fatal(err)
		}
		if held >= 2 && completed == 0 && holders == 1 {
			time.Sleep(after)
			return held
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("run-searches claimed no group of shards within 60s")
	return 0
}
