package runsearches_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestTaskTimeout runs three series in one run, in one shared pass, with a
// one-nanosecond per-task default: a query's own timeout: wins over the
// default, both ways, and a task that runs out records timeout incomplete
// points, one per sample time, without failing its backfill, being
// retried, or failing the other series of its pass.
func TestTaskTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	for i := range 4 {
		repo.Commit(day(2, 1+7*i), fmt.Sprint("c", i), map[string]string{"a.go": strings.Repeat("TODO\n", i+1)})
	}
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	short, shortFill := e.addSeries(series{query: "TODO timeout:1ns", kind: "search", unit: "week", points: 4})
	long, longFill := e.addSeries(series{query: "TODO timeout:1h", kind: "search", unit: "week", points: 4})
	plain, plainFill := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 4})
	e.run(&planbackfills.Job{})
	counts := e.run(&runsearches.Job{TaskTimeout: 1})

	if counts["timeouts"] != 2 || counts["incomplete"] != 8 || counts["retried"] != 0 {
		t.Errorf("counts %v: want 2 timeouts, 8 incomplete points, no retry", counts)
	}
	if counts["claims"] != 1 || counts["passes"] != 1 || counts["full"] != 1 {
		t.Errorf("counts %v: want the three series in one claim and one pass, one evaluated (full)", counts)
	}
	for _, id := range []int64{short, plain} {
		if values, _ := e.points("series_points", id); len(values) != 0 {
			t.Errorf("series %d: points %v from a task that ran out of time", id, values)
		}
		if got := e.incomplete(id, "timeout"); got != 4 {
			t.Errorf("series %d: %d timeout incomplete points, want one per sample time (4)", id, got)
		}
	}
	values, commits := e.points("series_points", long)
	if len(values) != 4 {
		t.Fatalf("series with timeout:1h: %d points, want 4 (its timeout: wins over the job's)", len(values))
	}
	for k, v := range values {
		if want := gittest.GrepCount(t, repo.Dir, commits[k], "TODO"); v != want {
			t.Errorf("at %s: %d, git grep -o counts %d", k.Time, v, want)
		}
	}
	if n := e.incomplete(long, ""); n != 0 {
		t.Errorf("series with timeout:1h: %d incomplete points", n)
	}
	for _, id := range []int64{shortFill, longFill, plainFill} {
		if state, done, errored, _ := e.backfill(id); state != "completed" || done != 1 || errored != 0 {
			t.Errorf("backfill %d: %s, %d done, %d errored; want completed, 1, 0", id, state, done, errored)
		}
	}
}

// incomplete counts series id's incomplete points with reason ("" any).
func (e *env) incomplete(id int64, reason string) int {
	e.t.Helper()
	var n int
	err := e.db.QueryRow(e.ctx, `SELECT count(*) FROM incomplete_points WHERE series_id = $1 AND ($2 = '' OR reason = $2)`,
		id, reason).Scan(&n)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// slowLines and quickLimit size TestTaskTimeoutSlowSeriesAlone: the slow
// regexp over three blobs of slowLines lines of 46 KB takes several times
// quickLimit, the quick literal a small fraction of it.
const (
	slowLines  = 15
	quickLimit = 300 * time.Millisecond
)

// TestTaskTimeoutSlowSeriesAlone shares one pass between a slow series (a
// regexp the matcher needs seconds for, no time limit of its own) and a
// quick one whose limit is well below the pass's length but far above
// its own work: only its own work counts, so the quick series records
// its points, not timeout, and neither does the slow one.
func TestTaskTimeoutSlowSeriesAlone(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	// Long lines: the matcher runs the regexp line by line, and on long
	// ones Go's regexp is slowest.
	line := strings.Repeat("alpha beta gamma 12345 ", 2000) + "TODO\n"
	for i := range 4 {
		repo.Commit(day(2, 8+7*i), fmt.Sprint("c", i), map[string]string{"a.txt": fmt.Sprint(i) + strings.Repeat(line, slowLines)})
	}
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	slow, _ := e.addSeries(series{query: `patterntype:regexp (\w+\s*){40}\d{5} timeout:1h`, kind: "search", unit: "week", points: 3})
	quick, _ := e.addSeries(series{query: "TODO timeout:" + quickLimit.String(), kind: "search", unit: "week", points: 3})
	e.run(&planbackfills.Job{})
	began := time.Now()
	counts := e.run(&runsearches.Job{})
	took := time.Since(began)
	t.Logf("the pass took %s", took)

	if counts["passes"] != 1 || counts["claims"] != 1 {
		t.Fatalf("counts %v: want both series in one claim and one pass", counts)
	}
	if took < 2*quickLimit {
		t.Fatalf("the run took %s: the slow series is not slow enough to test anything against the quick one's %s", took, quickLimit)
	}
	if counts["timeouts"] != 0 || e.incomplete(quick, "timeout") != 0 {
		t.Errorf("counts %v, %d timeout points: the quick series (limit %s) was charged the slow one's %s", counts, e.incomplete(quick, "timeout"), quickLimit, took)
	}
	for _, id := range []int64{slow, quick} {
		if values, _ := e.points("series_points", id); len(values) != 3 {
			t.Errorf("series %d: %d points, want 3", id, len(values))
		}
	}
	values, commits := e.points("series_points", quick)
	for k, v := range values {
		if want := gittest.GrepCount(t, repo.Dir, commits[k], "TODO"); v != want {
			t.Errorf("at %s: %d, git grep -o counts %d", k.Time, v, want)
		}
	}
}
