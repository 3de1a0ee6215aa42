package cli_test

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// BenchmarkWorkers times the same backfills (benchWorkersSeries series
// over benchWorkersRepos generated repositories, one shard each) drained
// by one `sightline run run-searches` process and by two at once, each on
// a pipeline of its own set up beforehand, and reports the speedup. At the
// default search concurrency (2) one process already keeps both cores of a
// 2-core machine busy; concurrency=1 gives each process one evaluation at
// a time, which shows what a second process adds when a core is free.
func BenchmarkWorkers(b *testing.B) {
	dirs := crashRepos(b, benchWorkersRepos)
	for _, c := range []string{"default", "1"} {
		b.Run("concurrency="+c, func(b *testing.B) {
			if c != "default" {
				b.Setenv("SIGHTLINE_SEARCH_CONCURRENCY", c)
			}
			benchWorkers(b, dirs)
		})
	}
}

func benchWorkers(b *testing.B, dirs []string) {
	for range b.N {
		b.StopTimer()
		one, two := &crashPipeline{}, &crashPipeline{}
		var wg sync.WaitGroup
		for _, p := range []*crashPipeline{one, two} {
			wg.Go(func() { p.setUpBench(b, dirs) })
		}
		wg.Wait()
		if b.Failed() {
			b.FailNow()
		}
		b.StartTimer()
		d1 := drain(b, one, 1)
		d2 := drain(b, two, 2)
		b.ReportMetric(d1.Seconds(), "one-worker-s")
		b.ReportMetric(d2.Seconds(), "two-workers-s")
		b.ReportMetric(d1.Seconds()/d2.Seconds(), "speedup-x")
	}
}

const (
	benchWorkersRepos  = 10
	benchWorkersSeries = 12
)

// setUpBench sets up the pipeline of setUp plus more backfills, so that
// there are benchWorkersSeries shards.
func (p *crashPipeline) setUpBench(t testing.TB, dirs []string) {
	p.setUp(t, dirs)
	if !t.Failed() {
		p.addBackfills(t, benchWorkersSeries-3)
	}
}

// addBackfills adds n search series with a backfill each (one shard each
// over a handful of repositories) and plans them.
func (p *crashPipeline) addBackfills(t testing.TB, n int) {
	for i := range n {
		p.exec(t, `WITH s AS (
				INSERT INTO insight_series (series_key, query, kind, repo_scope, interval_unit, interval_value, num_points)
				VALUES ($1, $2, 'search', 'all', 'week', 1, 52) RETURNING id)
			INSERT INTO backfills (series_id) SELECT id FROM s`, fmt.Sprint("value-", i), fmt.Sprintf("value_%d", i+1))
	}
	if out, err := p.sightline("run", "plan-backfills").CombinedOutput(); err != nil {
		t.Errorf("sightline run plan-backfills: %v\n%s", err, out)
	}
}

// drain runs n run-searches processes at once on p until they all exit,
// checks every shard completed, and returns the wall time.
func drain(b *testing.B, p *crashPipeline, n int) time.Duration {
	start := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if out, err := p.sightline("run", "run-searches").CombinedOutput(); err != nil {
				b.Errorf("run-searches: %v\n%s", err, out)
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	if done, total := p.shardCounts(b); done != total || total < benchWorkersSeries {
		b.Fatalf("%d of %d shards completed, want all of at least %d", done, total, benchWorkersSeries)
	}
	return d
}
