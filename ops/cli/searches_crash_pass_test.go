package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestRunSearchesCrashMidPass kills `sightline run run-searches` with
// SIGKILL in the middle of a shared pass: the run holds the three
// backfills' shards as one claim group (every series over the same
// repositories), its git processes are reading blobs for the pass, and
// no shard is stored yet. The next run takes the group back and redoes
// it: the series must equal an uninterrupted run's, nothing lost and
// nothing twice.
func TestRunSearchesCrashMidPass(t *testing.T) {
	t.Parallel()
	dirs := crashRepos(t, 12)
	clean, crashed := crashPair(t, "run-searches", func(p *crashPipeline) { p.setUp(t, dirs) })
	cmd := crashed.sightline("run", "run-searches")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	held := crashed.waitForPass(t, cmd.Process.Pid)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if completed, total := crashed.shardCounts(t); completed != 0 {
		t.Fatalf("the kill landed after %d of %d shards were stored; the test needs more work per pass\n%s", completed, total, out.String())
	}
	t.Logf("killed run-searches in a shared pass, holding a claim group of %d shards", held)

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

// waitForPass waits until one run holds two or more shards, none is
// completed, and process pid has a git child (the pass reads blobs), and
// returns how many shards it holds.
func (p *crashPipeline) waitForPass(t *testing.T, pid int) int {
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
		if completed > 0 {
			t.Fatalf("run-searches stored a shard before the test saw its pass under way")
		}
		if held >= 2 && holders == 1 && hasGitChild(pid) {
			return held
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatal("run-searches claimed no group of shards and started no pass within 60s")
	return 0
}

// hasGitChild reports whether process pid has a child running git, from
// /proc.
func hasGitChild(pid int) bool {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...
		i := bytes.LastIndexByte(b, ')')
		fields := strings.Fields(string(b[i+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) && bytes.Contains(b[:i], []byte("(git")) {
			return true
		}
	}
	return false
}
