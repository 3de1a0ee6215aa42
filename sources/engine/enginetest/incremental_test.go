package enginetest

import (
	"context"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// BenchmarkIncrementalWeek is the engine part of a recording after a week
// of commits: the point at HEAD continued from the point at the commit a
// week before (Engine.Incremental), against the point at HEAD evaluated
// in full (Engine.Series of HEAD alone), alternating, each with a cold
// cache. It reports both times, their ratio, and the blob bytes git sent
// each.
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
	var incrTime, fullTime time.Duration
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
		incrTime, fullTime = incrTime+t1.Sub(t0), fullTime+t2.Sub(t1)
		incrBytes, fullBytes = incrBytes+inc.BytesRead(), fullBytes+full.BytesRead()
	}
	n := float64(b.N)
	b.ReportMetric(incrTime.Seconds()/n, "incr-s/op")
	b.ReportMetric(fullTime.Seconds()/n, "full-s/op")
	b.ReportMetric(fullTime.Seconds()/incrTime.Seconds(), "speedup")
	b.ReportMetric(float64(incrBytes)/n, "incr-blob-B/op")
	b.ReportMetric(float64(fullBytes)/n, "full-blob-B/op")
}
