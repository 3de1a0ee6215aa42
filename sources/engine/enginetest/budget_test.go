package enginetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"
)

// BenchmarkDashboardBudget times the dashboard's one pass (see
// BenchmarkDashboard) without time budgets and with one for every series
// (engine.PassQuery.Budget, an hour: none runs out), to measure what the
// per-series accounting costs: timing each series' computing of each
// blob. Run it with -count to alternate the two. It reports the
// process's CPU time per op (git's included) besides wall time.
func BenchmarkDashboardBudget(b *testing.B) {
	r := openBenchRepo(b)
	for _, budget := range []time.Duration{0, time.Hour} {
		b.Run(fmt.Sprintf("budget=%s", budget), func(b *testing.B) {
			queries := slices.Clone(dashboardPassQueries(b, r))
			for k := range queries {
				queries[k].Budget = budget
			}
			cpu := benchproc.CPUTime()
			for b.Loop() {
				if _, err := dashboardPass(b.Context(), r, queries); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((benchproc.CPUTime()-cpu).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
