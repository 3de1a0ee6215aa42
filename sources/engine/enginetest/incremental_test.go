package enginetest

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"

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
// week before, three ways, alternating, each with a cold cache: with the
// week-old point's file values (PassQuery.BaseFiles, decoded from their
// stored encoding in the timed part: only the new sides of the changed
// files are read), from the point alone (both sides read, as before the
// file values were kept), and in full (HEAD's tree). Each opens the
// repository as run-searches does (what sync-repos recorded, one cat-file
// reader) and closes it in the timed part. It reports the median wall and
// CPU times (the process's and its git children's), the speedups over the
// full evaluation, the blob bytes git sent each and the size of the
// encoded file values.
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
	weekAgo, head := benchWeek(b, history, r.end)
	q, err := search.Parse("TODO")
	if err != nil {
		b.Fatal(err)
	}
	opts := engine.Opts{Match: search.MatchOpts{MaxFileSize: r.maxFileSize}}
	base, stored := weekOldState(b, repo, q, weekAgo.OID, opts)
	modes := []string{"files", "both", "full"}
	took, cpu := map[string][]time.Duration{}, map[string][]time.Duration{}
	read := map[string]int64{}
	known := gitsource.Info{GitDir: repo.Dir(), DefaultBranch: repo.DefaultBranch(), Head: repo.Head()}
	b.ResetTimer()
	for range b.N {
		var points []engine.Point
		for _, mode := range modes {
			e := &engine.Engine{}
			t0, c0 := time.Now(), benchproc.CPUTime()
			g, err := gitsource.OpenWith(ctx, known.GitDir, gitsource.OpenOpts{Known: &known, Readers: 1})
			if err != nil {
				b.Fatal(err)
			}
			p, err := evalWeek(ctx, e, g, q, mode, base, stored, head, opts)
			g.Close()
			took[mode], cpu[mode] = append(took[mode], time.Since(t0)), append(cpu[mode], benchproc.CPUTime()-c0)
			if err != nil {
				b.Fatalf("%s: %v", mode, err)
			}
			points, read[mode] = append(points, p), read[mode]+e.BytesRead()
		}
		for i, p := range points {
			if p.Matches != points[2].Matches || p.Files != points[2].Files {
				b.Fatalf("%s: %+v, full %+v", modes[i], p, points[2])
			}
		}
	}
	n := float64(b.N)
	full := median(took["full"]).Seconds()
	b.ReportMetric(median(took["files"]).Seconds(), "files-median-s")
	b.ReportMetric(median(took["both"]).Seconds(), "both-median-s")
	b.ReportMetric(full, "full-median-s")
	b.ReportMetric(full/median(took["files"]).Seconds(), "speedup-files")
	b.ReportMetric(full/median(took["both"]).Seconds(), "speedup-both")
	fullCPU := median(cpu["full"]).Seconds()
	for _, mode := range modes[:2] {
		b.ReportMetric(median(cpu[mode]).Seconds(), mode+"-cpu-median-s")
		b.ReportMetric(fullCPU/median(cpu[mode]).Seconds(), "cpu-speedup-"+mode)
	}
	b.ReportMetric(fullCPU, "full-cpu-median-s")
	for _, mode := range modes {
		b.ReportMetric(float64(read[mode])/n, mode+"-blob-B/op")
	}
	b.ReportMetric(float64(len(stored)), "state-files-B")
}

// benchWeek returns the commits a week apart that BenchmarkIncrementalWeek
// evaluates: HEAD and the commit a week before, or, with
// SIGHTLINE_BENCH_WEEKS_BACK=N, the week ending N weeks before HEAD's
// time (to measure quieter or busier weeks of a real repository).
func benchWeek(b *testing.B, history []gitsource.Commit, end time.Time) (weekAgo gitsource.Commit, head string) {
	b.Helper()
	if v := os.Getenv("SIGHTLINE_BENCH_WEEKS_BACK"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			b.Fatalf("SIGHTLINE_BENCH_WEEKS_BACK=%q: want a number of weeks", v)
		}
		end = end.AddDate(0, 0, -7*n)
	}
	last, ok := gitsource.CommitAt(history, end)
	weekAgo, ok2 := gitsource.CommitAt(history, end.AddDate(0, 0, -7))
	if !ok || !ok2 {
		b.Fatalf("no commits a week apart before %s", end)
	}
	b.Logf("the week from %.10s to %.10s (%s)", weekAgo.OID, last.OID, end.Format(time.DateOnly))
	return weekAgo, last.OID
}

// weekOldState is q's point at commit and its encoded file values.
func weekOldState(b *testing.B, repo *gitsource.Repo, q *search.Query, commit string, opts engine.Opts) (engine.Point, []byte) {
	b.Helper()
	res, err := (&engine.Engine{}).Pass(context.Background(), repo, []engine.PassQuery{{Query: q, Opts: opts, FilesAt: commit}}, []string{commit})
	if err != nil || res[0].Err != nil {
		b.Fatal(err, res[0].Err)
	}
	data, err := res[0].Files.MarshalBinary()
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("week-old point at %.10s: %d matches; file values: %d files in %d bytes", commit, res[0].Points[0].Matches, res[0].Files.Len(), len(data))
	return res[0].Points[0], data
}

// evalWeek evaluates q at head as mode says (see BenchmarkIncrementalWeek).
func evalWeek(ctx context.Context, e *engine.Engine, repo *gitsource.Repo, q *search.Query, mode string, base engine.Point, stored []byte, head string, opts engine.Opts) (engine.Point, error) {
	pq := engine.PassQuery{Query: q, Opts: opts}
	switch mode {
	case "files":
		pq.Base, pq.BaseFiles, pq.FilesAt = &base, &engine.Files{}, head
		if err := pq.BaseFiles.UnmarshalBinary(stored); err != nil {
			return engine.Point{}, err
		}
	case "both":
		pq.Base = &base
	}
	res, err := e.Pass(ctx, repo, []engine.PassQuery{pq}, []string{head})
	if err != nil {
		return engine.Point{}, err
	}
	if res[0].Err != nil {
		return engine.Point{}, res[0].Err
	}
	return res[0].Points[0], nil
}
