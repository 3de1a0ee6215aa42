package enginetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// median returns the median of ds (the upper one of an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkIncrementalWeek is the engine part of a recording after a week
// of commits: the point at HEAD continued from the point at the commit a
// week before (Engine.Incremental), against the point at HEAD evaluated
// in full (Engine.Series of HEAD alone), alternating, each with a cold
// cache. It reports the median times, their ratio, and the blob bytes git
// sent each.
func BenchmarkIncrementalWeek(b *testing.B) {
	r := openBenchRepo(b)
	ctx := context.Background()
	repo, err := gitsource.Open(ctx, r.dir)
	if err != nil {
		b.Fatal(err)
	}
	defer repo.Close()
	history, err := repo.FirstParentHistory(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	weekAgo, _ := gitsource.CommitAt(history, r.end.AddDate(0, 0, -7))
	head := history[0].OID
	q, err := search.Parse("TODO")
	if err != nil {
		b.Fatal(err)
	}
	opts := engine.Opts{Match: search.MatchOpts{MaxFileSize: r.maxFileSize}}
	base, err := (&engine.Engine{}).Series(ctx, repo, q, []string{weekAgo.OID}, opts)
	if err != nil {
		b.Fatal(err)
	}
	var incrTimes, fullTimes []time.Duration
	var incrBytes, fullBytes int64
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		inc := &engine.Engine{}
		got, err := inc.Incremental(ctx, repo, q, base[0], []string{head}, opts)
		t1 := time.Now()
		full := &engine.Engine{}
		want, ferr := full.Series(ctx, repo, q, []string{head}, opts)
		t2 := time.Now()
		if err != nil || ferr != nil {
			b.Fatal(err, ferr)
		}
		if got[0].Matches != want[0].Matches || got[0].Files != want[0].Files {
			b.Fatalf("incremental %+v, full %+v", got[0], want[0])
		}
		incrTimes, fullTimes = append(incrTimes, t1.Sub(t0)), append(fullTimes, t2.Sub(t1))
		incrBytes, fullBytes = incrBytes+inc.BytesRead(), fullBytes+full.BytesRead()
	}
	n := float64(b.N)
	incr, full := median(incrTimes), median(fullTimes)
	b.ReportMetric(incr.Seconds(), "incr-median-s")
	b.ReportMetric(full.Seconds(), "full-median-s")
	b.ReportMetric(full.Seconds()/incr.Seconds(), "speedup")
	b.ReportMetric(float64(incrBytes)/n, "incr-blob-B/op")
	b.ReportMetric(float64(fullBytes)/n, "full-blob-B/op")
}
