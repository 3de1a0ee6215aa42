package runsearches_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/loader"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// now is a Wednesday: weekly sample times end on Monday 2024-03-04.
var now = time.Date(2024, 3, 6, 12, 30, 0, 0, time.UTC)

func day(month time.Month, d int) time.Time { return time.Date(2024, month, d, 10, 0, 0, 0, time.UTC) }

// scriptedRepos builds two repositories: alpha, with weeks without
// commits; beta, younger than the first sample times, with a merged side
// branch whose own commits are not on the first-parent line.
func scriptedRepos(t *testing.T) (alpha, beta *gittest.Repo) {
	alpha = gittest.New(t)
	alpha.Commit(day(1, 10), "a1", map[string]string{"a.go": "// TODO one\n// todo two\n", "README.md": "TODO\n"})
	alpha.Commit(day(1, 24), "a2", map[string]string{"a.go": "// TODO one\n// todo two\nx := 1 // TODO TODO\n"})
	// Nothing from Jan 25 to Feb 13: three sample times share a2.
	alpha.Commit(day(2, 14), "a3", map[string]string{"README.md": ""})
	alpha.Commit(day(2, 20), "a4", map[string]string{"b.txt": "todo todo todo\n"})
	alpha.Commit(day(3, 2), "a5", map[string]string{"a.go": "// done\n"})

	beta = gittest.New(t)
	beta.Commit(day(2, 1), "b1", map[string]string{"main.go": "package main // TODO\n"})
	beta.Git(day(2, 9), "checkout", "-q", "-b", "side")
	beta.Commit(day(2, 10), "side", map[string]string{"side.go": "// TODO side\n"})
	beta.Git(day(2, 9), "checkout", "-q", "main")
	beta.Commit(day(2, 11), "b2", map[string]string{"main.go": "package main // TODO TODO\n"})
	beta.Git(day(2, 15), "merge", "-q", "--no-ff", "-m", "merge side", "side")
	beta.Commit(day(2, 27), "b3", map[string]string{"other.md": "TODO: docs\n"})
	return alpha, beta
}

func TestBackfillMatchesGitGrep(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	alpha, beta := scriptedRepos(t)
	dirs := map[string]string{"alpha": alpha.Dir, "beta": beta.Dir}
	e.addRepo("alpha", alpha.Dir)
	e.addRepo("beta", beta.Dir)
	e.syncAndIndex()
	seriesID, backfillID := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 8})
	e.run(&planbackfills.Job{})
	counts := e.run(&runsearches.Job{})

	values, commits := e.points("series_points", seriesID)
	times := planning.SampleTimes(insights.Series{Interval: insights.Interval{Unit: "week", Value: 1}, NumPoints: 8}, now)
	var answers, distinct int64
	for name, dir := range dirs {
		seen := map[string]bool{}
		for _, at := range times {
			k := point{Repo: name, Time: at}
			commit := gittest.CommitAt(t, dir, at)
			if commit == "" {
				if _, ok := values[k]; ok {
					t.Errorf("%s at %s: a point before the first commit", name, at.Format(time.DateOnly))
				}
				continue
			}
			answers++
			if !seen[commit] {
				seen[commit], distinct = true, distinct+1
			}
			want := gittest.GrepCount(t, dir, commit, "TODO")
			if values[k] != want {
				t.Errorf("%s at %s (%.7s): %d, git grep -o counts %d", name, at.Format(time.DateOnly), commit, values[k], want)
			}
			if want > 0 && commits[k] != commit {
				t.Errorf("%s at %s: commit %s, want %s", name, at.Format(time.DateOnly), commits[k], commit)
			}
			delete(values, k)
		}
	}
	if len(values) != 0 {
		t.Errorf("points at no sample time: %v", values)
	}
	// One evaluation per distinct commit: a week without commits repeats
	// the previous value without a search.
	if counts["answers"] != answers || counts["commits"] != distinct || distinct >= answers {
		t.Errorf("counts %v: want %d answers from %d distinct commits", counts, answers, distinct)
	}
	if state, done, errored, _ := e.backfill(backfillID); state != "completed" || done != 2 || errored != 0 {
		t.Fatalf("backfill %s, %d done, %d errored; want completed, 2, 0", state, done, errored)
	}

	// Running again changes nothing: the queue is empty and every batch is
	// in the load ledger.
	before := e.dump()
	if c := e.run(&runsearches.Job{}); c["shards"] != 0 {
		t.Fatalf("second run processed %d shards", c["shards"])
	}
	l := &loader.Loader{DB: e.db, Bucket: e.r.Bucket, Targets: insights.PointTargets()}
	if res, err := l.LoadPending(e.ctx, runsearches.Name); err != nil || res.Loaded != 0 {
		t.Fatalf("load pending = %+v, %v; want nothing to load", res, err)
	}
	if d := cmp.Diff(before, e.dump()); d != "" {
		t.Fatalf("a second run changed the tables (-before +after):\n%s", d)
	}
}

func TestKinds(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c1", map[string]string{
		"main.go":   "package main\n\n// owner:alice TODO\nfunc main() {} // owner:bob\n",
		"README.md": "# owner:alice\nTODO\n",
	})
	repo.Commit(day(2, 20), "c2", map[string]string{
		"main.go":  "package main\n// owner:carol\n",
		"util.go":  "package main\n// TODO TODO owner:alice\n",
		"image.go": "\x00binary TODO",
	})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	captures, _ := e.addSeries(series{query: `/owner:(\w+)/`, kind: "capture-group", unit: "week", points: 2})
	langs, _ := e.addSeries(series{query: "", kind: "language-usage", unit: "week", points: 2})
	byLang, _ := e.addSeries(series{query: "TODO", kind: "group-by", groupBy: "lang", unit: "week", points: 2})
	byRepo, _ := e.addSeries(series{query: "TODO", kind: "group-by", groupBy: "repo", unit: "week", points: 2})
	byPath, _ := e.addSeries(series{query: "TODO", kind: "group-by", groupBy: "path", unit: "week", points: 2})
	e.run(&planbackfills.Job{})
	e.run(&runsearches.Job{})

	feb26, mar4 := time.Date(2024, 2, 26, 0, 0, 0, 0, time.UTC), time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		series int64
		want   map[string]int64 // capture → value, at both times (c2)
	}{
		// Every captured value is stored, however many.
		{"capture-group", captures, map[string]int64{"alice": 2, "carol": 1}},
		{"language-usage", langs, map[string]int64{"Go": 4, "Markdown": 2}},
		{"group-by lang", byLang, map[string]int64{"Go": 2, "Markdown": 1}},
		{"group-by repo", byRepo, map[string]int64{"demo": 3}},
		{"group-by path", byPath, map[string]int64{"util.go": 2, "README.md": 1}},
	} {
		values, _ := e.points("series_points", tc.series)
		got := map[string]int64{}
		for k, v := range values {
			if !k.Time.Equal(feb26) && !k.Time.Equal(mar4) {
				t.Errorf("%s: point at %s", tc.name, k.Time)
			}
			if k.Time.Equal(mar4) {
				got[k.Capture] = v
			}
			if other := values[point{k.Repo, feb26.Add(mar4.Sub(k.Time)), k.Capture}]; other != v {
				t.Errorf("%s: %q is %d on one date and %d on the other (same commit)", tc.name, k.Capture, v, other)
			}
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s at c2 (-want +got):\n%s", tc.name, d)
		}
	}
}

func TestSkippedFilesAreIncomplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c1", map[string]string{"small.txt": "TODO\n", "big.txt": strings.Repeat("TODO\n", 10)})
	demo := e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	seriesID, _ := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 2})
	e.run(&planbackfills.Job{})
	e.run(&runsearches.Job{MaxFileSize: 20})
	values, _ := e.points("series_points", seriesID)
	lost, err := insights.IncompleteList(e.ctx, e.db, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	if len(values) != 2 || len(lost) != 2 {
		t.Fatalf("points %v, incomplete %v; want 2 of each", values, lost)
	}
	for _, p := range lost {
		if p.RepoID != demo || p.Reason != insights.ReasonSkippedFiles || !strings.Contains(p.Detail, "too-large=1") {
			t.Fatalf("incomplete point %+v", p)
		}
	}
}

func TestVanishedRepoIsRetriedThenIncomplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	good, gone := gittest.New(t), gittest.New(t)
	good.Commit(day(2, 1), "c", map[string]string{"a": "TODO"})
	gone.Commit(day(2, 1), "c", map[string]string{"a": "TODO"})
	e.addRepo("good", good.Dir)
	goneID := e.addRepo("gone", gone.Dir)
	e.syncAndIndex()
	seriesID, backfillID := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 3})
	e.run(&planbackfills.Job{MaxAttempts: 2})
	if err := os.RemoveAll(gone.Dir); err != nil {
		t.Fatal(err)
	}
	counts := e.run(&runsearches.Job{RetryAfter: -1})
	if counts["retried"] != 1 || counts["errored"] != 1 || counts["shards"] != 1 {
		t.Fatalf("counts = %v; want one retry, then the shard completed with one errored repo", counts)
	}
	values, _ := e.points("series_points", seriesID)
	if len(values) != 3 {
		t.Fatalf("good repo's points = %v", values)
	}
	lost, err := insights.IncompleteList(e.ctx, e.db, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) != 3 {
		t.Fatalf("incomplete = %+v, want one per sample time", lost)
	}
	for _, p := range lost {
		if p.RepoID != goneID || p.Reason != insights.ReasonRepoError || !strings.Contains(p.Detail, "repository gone") ||
			!strings.Contains(p.Detail, "after 2 attempts") {
			t.Fatalf("incomplete point %+v", p)
		}
	}
	// One errored repository is under the limit: the backfill completes.
	if state, done, errored, _ := e.backfill(backfillID); state != "completed" || done != 2 || errored != 1 {
		t.Fatalf("backfill %s, %d done, %d errored", state, done, errored)
	}
}

func TestErrorLimitFailsBackfill(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	good := gittest.New(t)
	good.Commit(day(2, 1), "c", map[string]string{"a": "TODO"})
	e.addRepo("good", good.Dir)
	e.syncAndIndex()
	// 51 repositories never synced, which the backfill stops waiting for:
	// more errors than max(50, 5%) allows.
	for i := range 51 {
		e.addRepo(fmt.Sprint("never-synced-", i), "/nonexistent/"+fmt.Sprint(i))
	}
	seriesID, backfillID := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 3})
	impatient := &planbackfills.Job{MaxWait: time.Nanosecond}
	e.run(impatient) // plans good, waits for the others
	e.run(impatient) // gives up on them
	e.run(&runsearches.Job{})
	state, done, errored, msg := e.backfill(backfillID)
	if state != "failed" || done != 52 || errored != 51 || !strings.Contains(msg, "51 of 52 repositories errored") {
		t.Fatalf("backfill %s, %d done, %d errored, %q", state, done, errored, msg)
	}
	lost, err := insights.IncompleteList(e.ctx, e.db, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	whole := 0
	for _, p := range lost {
		if p.RepoID == 0 && p.Reason == insights.ReasonErrorLimit {
			whole++
		}
	}
	if whole != 3 {
		t.Fatalf("%d error-limit points, want one per sample time", whole)
	}
	// A failed backfill is finished too: the series goes on with recordings.
	s, err := insights.SeriesGet(e.ctx, e.db, seriesID)
	if err != nil || s.BackfillCompletedAt == nil || s.NextRecordingAfter == nil {
		t.Fatalf("series = %+v, %v", s, err)
	}
}

func TestPrioritizedBackfillRunsFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c", map[string]string{"a": "TODO"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	_, cheap := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 3})
	_, dear := e.addSeries(series{query: "/TO+DO/", kind: "search", unit: "week", points: 3})
	e.run(&planbackfills.Job{})
	// Raised after planning, as `sightline insights prioritize` does.
	e.exec(`UPDATE backfills SET prioritized_at = now() WHERE id = $1`, dear)
	e.run(&runsearches.Job{Concurrency: 1})
	var order []int64
	rows, err := e.db.Query(e.ctx, `SELECT backfill_id FROM search_shards ORDER BY finished_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		order = append(order, id)
	}
	if d := cmp.Diff([]int64{dear, cheap}, order); d != "" {
		t.Fatalf("completion order (-want +got):\n%s", d)
	}
}

func TestCancelReleasesShard(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	for i := range 6 {
		repo.Commit(day(1, 1+7*i), fmt.Sprint("c", i), map[string]string{"a": fmt.Sprint("TODO ", i)})
	}
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	_, backfillID := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 10})
	e.run(&planbackfills.Job{})

	// One commit a second: the run is still waiting on the rate limiter
	// when it is cancelled.
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error)
	go func() {
		_, err := e.r.Run(ctx, &runsearches.Job{GitRate: 1}, "wait")
		done <- err
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		if err := e.db.QueryRow(e.ctx, `SELECT count(*) FROM search_shards WHERE state = 'processing'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no shard was claimed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	if err := <-done; err == nil {
		t.Fatal("cancelled run succeeded")
	}
	var state string
	var attempts int
	if err := e.db.QueryRow(e.ctx, `SELECT state, attempts FROM search_shards WHERE backfill_id = $1`, backfillID).
		Scan(&state, &attempts); err != nil {
		t.Fatal(err)
	}
	if state != "queued" || attempts != 0 {
		t.Fatalf("shard after cancellation: %s after %d attempts; want queued, attempt not counted", state, attempts)
	}
	// The next run does it.
	e.run(&runsearches.Job{})
	if state, _, _, _ := e.backfill(backfillID); state != "completed" {
		t.Fatalf("backfill %s after the next run", state)
	}
}
