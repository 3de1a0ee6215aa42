package search

import (
	"syscall"
	"testing"
	"time"
)

// dashboardPatterns are the content patterns of enginetest's
// BenchmarkDashboard (case-insensitive, as there).
var dashboardPatterns = []string{
	"TODO", "FIXME", "if err != nil", "fmt.Errorf", "errors.New", "throw new Error",
	"import", "const ", "console.debug",
	`/(?:errors\.New|new Error)\("[a-z]+ [a-z]+/`, `/TODO\(\w+\)/`, `/ctx context\.Context\)/`,
	`/errors\.New\("([a-z]+)/`, `/TODO\((\w+)\)/`, `/throw new Error\("([a-z]+)/`,
}

// BenchmarkDashboardQueries scans the corpus for each of the dashboard's
// patterns alone, then for all of them file by file, as a pass does: with a Group's
// Text (all-group), sharing a Text (all-shared) and not (all).
func BenchmarkDashboardQueries(b *testing.B) {
	var qs []*Query
	for _, p := range dashboardPatterns {
		q := mustParse(b, p)
		qs = append(qs, q)
		b.Run(p, func(b *testing.B) { benchQuery(b, q) })
	}
	b.Run("all-group", func(b *testing.B) {
		files, size := corpus(b)
		b.SetBytes(size)
		g := NewGroup(qs)
		cpu := processCPU()
		for b.Loop() {
			for _, f := range files {
				t := g.Text(f)
				for _, q := range qs {
					q.MatchContentText(t, MatchOpts{})
				}
				t.Release()
			}
		}
		b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("all-shared", func(b *testing.B) {
		files, size := corpus(b)
		b.SetBytes(size)
		cpu := processCPU()
		for b.Loop() {
			for _, f := range files {
				t := NewSharedText(f)
				for _, q := range qs {
					q.MatchContentText(t, MatchOpts{})
				}
				t.Release()
			}
		}
		b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	})
	b.Run("all", func(b *testing.B) {
		files, size := corpus(b)
		b.SetBytes(size)
		cpu := processCPU()
		for b.Loop() {
			for _, f := range files {
				for _, q := range qs {
					q.MatchContent(f, MatchOpts{})
				}
			}
		}
		b.ReportMetric((processCPU()-cpu).Seconds()/float64(b.N), "cpu-s/op")
	})
}

// processCPU returns the process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
