package enginetest

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// benchQuery is a series query and its git grep equivalent (after
// `git grep -o -I -i`: Sightline is case-insensitive by default and skips
// binary files).
type benchQuery struct {
	name  string
	query string
	grep  []string
	// capture extracts the first group from a match git grep printed, for
	// a capture-group query.
	capture *regexp.Regexp
	// pathspecs stand for the query's lang: and file: filters.
	pathspecs []string
}

var seriesQueries = []benchQuery{
	{name: "literal", query: "TODO", grep: []string{"-F", "-e", "TODO"}},
	{name: "regexp", query: `/(?:errors\.New|new Error)\("[a-z]+ [a-z]+/`,
		grep: []string{"-P", "-e", `(?:errors\.New|new Error)\("[a-z]+ [a-z]+`}},
	{name: "capture", query: `/errors\.New\("([a-z]+)/`,
		grep: []string{"-P", "-e", `errors\.New\("[a-z]+`}, capture: captureRE(`errors\.New\("([a-z]+)`)},
}

// BenchmarkSeries times `sightline search series` in process (open the
// repository, read its first-parent history, map the 52 weekly sample
// times to commits, evaluate the distinct commits with a fresh cache)
// against the naive baseline (git rev-list + git grep -o per sample time,
// run once per query), checks that both give the same value at every
// sample time, and reports both times and their ratio.
func BenchmarkSeries(b *testing.B) {
	for _, bq := range seriesQueries {
		b.Run(bq.name, func(b *testing.B) {
			r := openBenchRepo(b)
			q, err := search.Parse(bq.query)
			if err != nil {
				b.Fatal(err)
			}
			naive := naiveSeries(b, r, bq)
			var got []sample
			var st seriesStats
			cpu := benchproc.CPUTime()
			for b.Loop() {
				got, st, err = sightlineSeries(b.Context(), r, q)
				if err != nil {
					b.Fatal(err)
				}
			}
			if err := compare(got, naive.samples); err != nil {
				b.Fatalf("%s: Sightline and the naive baseline disagree: %v", bq.query, err)
			}
			reportVersusNaive(b, benchproc.CPUTime()-cpu, naive)
			b.ReportMetric(float64(st.commits), "commits")
			b.ReportMetric(float64(st.searched), "blobs-searched")
		})
	}
}

// seriesStats are facts about one Sightline series run.
type seriesStats struct {
	commits  int   // distinct commits evaluated
	searched int64 // blobs read and searched (cache misses)
}

// sightlineSeries does what `sightline search series` does, in process.
func sightlineSeries(ctx context.Context, r *benchRepo, q *search.Query) ([]sample, seriesStats, error) {
	repo, err := gitsource.Open(ctx, r.dir)
	if err != nil {
		return nil, seriesStats{}, err
	}
	defer repo.Close()
	history, err := repo.FirstParentHistoryUntil(ctx, "", slices.MinFunc(r.times, time.Time.Compare))
	if err != nil {
		return nil, seriesStats{}, err
	}
	samples := make([]sample, len(r.times))
	var commits []string
	for i, t := range r.times {
		samples[i].at = t
		if c, ok := gitsource.CommitAt(history, t); ok {
			samples[i].commit = c.OID
			if len(commits) == 0 || commits[len(commits)-1] != c.OID {
				commits = append(commits, c.OID)
			}
		}
	}
	eng := &engine.Engine{Cache: engine.NewCache(0)}
	opts := engine.Opts{Match: search.MatchOpts{MaxFileSize: r.maxFileSize}}
	points, err := eng.Series(ctx, repo, q, commits, opts)
	if err != nil {
		return nil, seriesStats{}, err
	}
	byCommit := make(map[string]engine.Point, len(points))
	for _, p := range points {
		byCommit[p.Commit] = p
	}
	for i := range samples {
		if p, ok := byCommit[samples[i].commit]; ok {
			samples[i].value = p.Matches
			samples[i].captures = p.Captures
			if too := p.Skipped["too-large"]; too > 0 {
				// git grep searches them: name the likely cause of a
				// disagreement.
				samples[i].note = fmt.Sprintf("(Sightline skipped %d files over 1 MiB)", too)
			}
		}
	}
	return samples, seriesStats{commits: len(commits), searched: eng.Cache.Stats().Misses}, nil
}

// compare reports the first sample time where got and want differ.
func compare(got, want []sample) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d sample times, want %d", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		at := w.at.Format(time.RFC3339)
		switch {
		case g.commit != w.commit:
			return fmt.Errorf("at %s: commit %q, git rev-list says %q", at, g.commit, w.commit)
		case g.value != w.value:
			return fmt.Errorf("at %s (commit %s): value %d, git grep counts %d %s", at, w.commit, g.value, w.value, g.note)
		case w.captures != nil && !maps.Equal(nonNil(g.captures), w.captures):
			return fmt.Errorf("at %s (commit %s): capture values differ:\n got %v\nwant %v", at, w.commit, g.captures, w.captures)
		}
	}
	return nil
}

func nonNil(m map[string]int64) map[string]int64 {
	if m == nil {
		return map[string]int64{}
	}
	return m
}
