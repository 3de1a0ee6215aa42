package runsearches_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestPassMixesIncrementalAndFull claims, in one group, the snapshots of
// three series with stored answers and the backfills of two new series
// over the same repository: one pass evaluates them all, the three from
// their stored answers (counted incremental), the two in full, every
// point is git's, and every series stores its answer for the next run.
func TestPassMixesIncrementalAndFull(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now) // Wednesday March 6
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c1", map[string]string{
		"a.go":      "package a\n// TODO one\nvar e = errors.New(\"open\")\n",
		"README.md": "# TODO\nerrors.New(\"doc\")\n",
	})
	repo.Commit(day(2, 20), "c2", map[string]string{"b.go": "package b\n// todo TODO\nerrors.New(\"close\")\n"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	ids := make([]int64, len(incrSeries))
	for i, s := range incrSeries[:3] {
		ids[i], _ = e.addSeries(s)
	}
	job := &runsearches.Job{MaxFileSize: incrMaxSize, Concurrency: 1}
	e.run(&planbackfills.Job{})
	e.run(job)

	repo.Move("a.go", "pkg/a.go")
	repo.Commit(day(3, 4), "edit", map[string]string{"pkg/a.go": "package a\n// TODO TODO\nerrors.New(\"open\")\n",
		"README.md": "", "c.md": "TODO errors.New(\"new\")\n"})
	e.now = time.Date(2024, 3, 6, 18, 0, 0, 0, time.UTC)
	e.run(&syncrepos.Job{})
	e.run(&indexcommits.Job{})
	for i, s := range incrSeries[3:] {
		ids[3+i], _ = e.addSeries(s)
	}
	e.run(&planbackfills.Job{})
	e.run(&enqueuesnapshots.Job{})
	counts := e.run(job)
	if counts["claims"] != 1 || counts["passes"] != 1 || counts["shards"] != 5 {
		t.Errorf("counts %v: want 1 claim of 5 shards, 1 pass", counts)
	}
	wantModes(t, "snapshots and backfills", counts, 3, 2, 0)

	head := gittest.Output(t, repo.Dir, "rev-parse", "HEAD")
	backfilled := gittest.CommitAt(t, repo.Dir, midnight(3, 4))
	for i, s := range incrSeries {
		table, at, commit := "snapshot_points", e.now, head
		if i >= 3 {
			table, at, commit = "series_points", midnight(3, 4), backfilled
		}
		values, _ := e.points(table, ids[i])
		got := map[string]int64{}
		for k, v := range values {
			if k.Time.Equal(at) {
				got[k.Capture] = v
			}
		}
		if d := cmp.Diff(oracle(t, repo.Dir, commit, s), got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s %s %s at %s differs from git (-git +sightline):\n%s", table, s.kind, s.groupBy, at, d)
		}
		var stored string
		if err := e.db.QueryRow(e.ctx, `SELECT commit_oid FROM series_answer_states WHERE series_id = $1`, ids[i]).Scan(&stored); err != nil {
			t.Errorf("series %d (%s): answer state: %v", ids[i], s.kind, err)
		} else if stored != commit {
			t.Errorf("series %d (%s): answer state at %.7s, want %.7s (its newest answer)", ids[i], s.kind, stored, commit)
		}
	}
}
