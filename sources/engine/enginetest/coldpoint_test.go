package enginetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// BenchmarkColdPoint times the evaluation of a whole tree, HEAD's, as
// `sightline search count` does it in process (open the repository, one
// Series point at the HEAD Open saw, with a fresh cache), against
// `git grep -o -I -i` at HEAD. Each op runs both, alternating which goes
// first, so that the machine's load falls on both alike; the benchmark
// fails if their counts or capture values differ. It reports the medians.
func BenchmarkColdPoint(b *testing.B) {
	for _, bq := range seriesQueries {
		b.Run(bq.name, func(b *testing.B) {
			r := openBenchRepo(b)
			q, err := search.Parse(bq.query)
			if err != nil {
				b.Fatal(err)
			}
			var t coldTimes
			eval := func(ctx context.Context) (engine.Point, error) { return coldPoint(ctx, r, q) }
			for i := 0; b.Loop(); i++ {
				if err := t.op(b.Context(), r, eval, bq, i%2 == 1); err != nil {
					b.Fatal(err)
				}
			}
			t.report(b)
		})
	}
}

// coldTimes are each op's wall and CPU times of both sides.
type coldTimes struct {
	sl, slCPU, gg, ggCPU []time.Duration
}

// op evaluates HEAD once each way, Sightline's with eval and git grep's,
// git grep first when grepFirst, and compares the answers.
func (t *coldTimes) op(ctx context.Context, r *benchRepo, eval func(context.Context) (engine.Point, error), bq benchQuery, grepFirst bool) error {
	var p engine.Point
	var n int64
	var captures map[string]int64
	var slErr, ggErr error
	sightline := func() {
		start, cpu := time.Now(), benchproc.CPUTime()
		p, slErr = eval(ctx)
		t.sl, t.slCPU = append(t.sl, time.Since(start)), append(t.slCPU, benchproc.CPUTime()-cpu)
	}
	grep := func() {
		start, cpu := time.Now(), benchproc.CPUTime()
		n, captures, ggErr = naiveGrep(ctx, r.dir, "HEAD", bq)
		t.gg, t.ggCPU = append(t.gg, time.Since(start)), append(t.ggCPU, benchproc.CPUTime()-cpu)
	}
	if grepFirst {
		grep()
		sightline()
	} else {
		sightline()
		grep()
	}
	switch {
	case slErr != nil:
		return slErr
	case ggErr != nil:
		return ggErr
	case p.Matches != n:
		return fmt.Errorf("%s at HEAD: Sightline counts %d, git grep %d", bq.query, p.Matches, n)
	case captures != nil && !maps.Equal(nonNil(p.Captures), captures):
		return fmt.Errorf("%s at HEAD: capture values differ:\n got %v\nwant %v", bq.query, p.Captures, captures)
	}
	return nil
}

// report gives both sides' median times per op and the ratios of the
// medians (above 1: Sightline is faster). Medians, because single runs on
// a shared machine vary severalfold.
func (t *coldTimes) report(b *testing.B) {
	sl, slCPU, gg, ggCPU := median(t.sl), median(t.slCPU), median(t.gg), median(t.ggCPU)
	b.ReportMetric(sl.Seconds(), "sightline-s/op")
	b.ReportMetric(gg.Seconds(), "gitgrep-s/op")
	b.ReportMetric(gg.Seconds()/sl.Seconds(), "speedup-x")
	b.ReportMetric(slCPU.Seconds(), "sightline-cpu-s/op")
	b.ReportMetric(ggCPU.Seconds(), "gitgrep-cpu-s/op")
	b.ReportMetric(ggCPU.Seconds()/slCPU.Seconds(), "cpu-speedup-x")
}

// coldPoint does what `sightline search count` does, in process.
func coldPoint(ctx context.Context, r *benchRepo, q *search.Query) (engine.Point, error) {
	repo, err := gitsource.Open(ctx, r.dir)
	if err != nil {
		return engine.Point{}, err
	}
	defer repo.Close()
	opts := engine.Opts{Match: search.MatchOpts{MaxFileSize: r.maxFileSize}}
	points, err := (&engine.Engine{}).Series(ctx, repo, q, []string{repo.Head()}, opts)
	if err != nil {
		return engine.Point{}, err
	}
	return points[0], nil
}

// BenchmarkColdPointCLI is BenchmarkColdPoint through the real binary,
// `sightline search count --repo R --format json Q`, process start
// included, against git grep at HEAD, alternating.
func BenchmarkColdPointCLI(b *testing.B) {
	for _, bq := range seriesQueries {
		b.Run(bq.name, func(b *testing.B) {
			r, bin := openBenchRepo(b), sightlineBinary(b)
			var t coldTimes
			for i := 0; b.Loop(); i++ {
				eval := func(ctx context.Context) (engine.Point, error) { return countCLI(ctx, bin, r, bq.query) }
				if err := t.op(b.Context(), r, eval, bq, i%2 == 1); err != nil {
					b.Fatal(err)
				}
			}
			t.report(b)
		})
	}
}

// countCLI runs `sightline search count` at HEAD and returns its answer.
func countCLI(ctx context.Context, bin string, r *benchRepo, query string) (engine.Point, error) {
	args := []string{"search", "count", "--repo", r.dir, "--format", "json"}
	if r.maxFileSize > 0 {
		args = append(args, "--max-file-size", strconv.FormatInt(r.maxFileSize, 10))
	}
	cmd := exec.CommandContext(ctx, bin, append(args, query)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return engine.Point{}, fmt.Errorf("%s: %w: %s", cmd, err, stderr.Bytes())
	}
	var p struct {
		Matches  int64            `json:"matches"`
		Captures map[string]int64 `json:"captures"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &p); err != nil {
		return engine.Point{}, fmt.Errorf("%s: output: %w", cmd, err)
	}
	return engine.Point{Matches: p.Matches, Captures: p.Captures}, nil
}
