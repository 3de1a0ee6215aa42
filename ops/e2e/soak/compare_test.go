package soak

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
)

// reporter is the part of testing.TB the comparisons use, so that a test
// can check what they report.
type reporter interface {
	Helper()
	Error(args ...any)
	Errorf(format string, args ...any)
	Log(args ...any)
	Logf(format string, args ...any)
}

// compare reports as test errors every difference between got, a run
// under faults, and base, the fault-free run, and returns whether there
// was none. Unless exact, a point the pipeline flagged incomplete may
// differ; it is logged.
func compare(t reporter, base, got *outcome, exact bool) bool {
	t.Helper()
	where := fmt.Sprintf("%s, %s", got.provider, got.profile)
	ok := compareSeries(t, where, base, got, exact)
	ok = compareRows(t, where, base.codeintel, got.codeintel) && ok
	return compareCodenav(t, where, base.codenav, got.codenav) && ok
}

// compareProviders checks that the fault-free runs on two providers agree,
// which they must: it shows that the comparison holds nothing that varies
// from run to run (ids, times of day).
func compareProviders(t reporter, a, b *outcome) {
	t.Helper()
	where := fmt.Sprintf("fault-free %s against fault-free %s", b.provider, a.provider)
	compareSeries(t, where, a, b, true)
	compareRows(t, where, a.codeintel, b.codeintel)
	compareCodenav(t, where, a.codenav, b.codenav)
}

// compareSeries compares the todos view, over all repositories and over
// each, point by point.
func compareSeries(t reporter, where string, base, got *outcome, exact bool) bool {
	t.Helper()
	ok := true
	flags := got.views[""].Incomplete
	for _, repo := range slices.Sorted(maps.Keys(base.views)) {
		scope := "all repositories"
		if repo != "" {
			scope = "repository " + repo
		}
		want, have := bySeries(base.views[repo]), bySeries(got.views[repo])
		for _, label := range slices.Sorted(maps.Keys(want)) {
			w := want[label]
			h, found := have[label]
			flaggedDiffs, missing := 0, false
			for i := range max(len(w.Points), len(h.Points)) {
				wp, hp := pointAt(w.Points, i), pointAt(h.Points, i)
				switch {
				case samePoint(wp, hp):
				case !found && wp.Value == 0:
					// A captured value with no match in a repository is
					// not a series of it: nothing lost.
				case !exact && flagged(flags, w.SeriesLabel, repo, wp.Time) != nil:
					flaggedDiffs++
				case !found:
					if !missing {
						t.Errorf("%s: DATA LOSS: series %q of %s is missing; fault-free it has %s", where, label, scope, fmtPoint(wp))
					}
					ok, missing = false, true
				default:
					t.Errorf("%s: DATA LOSS: series %q of %s, point %d: %s; fault-free %s",
						where, label, scope, i, fmtPoint(hp), fmtPoint(wp))
					ok = false
				}
			}
			if flaggedDiffs > 0 {
				t.Logf("%s: series %q of %s: %d points differ from the fault-free run, each flagged incomplete",
					where, label, scope, flaggedDiffs)
			}
		}
		for label := range have {
			if _, found := want[label]; !found {
				t.Errorf("%s: series %q of %s is not in the fault-free run", where, label, scope)
				ok = false
			}
		}
	}
	reasons := map[string]int{}
	for _, f := range flags {
		reasons[fmt.Sprintf("series %q, repository %q: %s (%s)", f.SeriesLabel, f.Repo, f.Reason, f.Detail)]++
	}
	for _, r := range slices.Sorted(maps.Keys(reasons)) {
		msg := fmt.Sprintf("%s: %d incomplete points: %s", where, reasons[r], r)
		if exact {
			t.Error(msg)
			ok = false
		} else {
			t.Log(msg)
		}
	}
	return ok
}

func bySeries(res insights.ViewResult) map[string]insights.ResultSeries {
	out := map[string]insights.ResultSeries{}
	for _, s := range res.Series {
		out[s.Label] = s
	}
	return out
}

func samePoint(a, b insights.ResultPoint) bool {
	return a.Time.Equal(b.Time) && a.Value == b.Value && a.Snapshot == b.Snapshot
}

func pointAt(points []insights.ResultPoint, i int) insights.ResultPoint {
	if i < len(points) {
		return points[i]
	}
	return insights.ResultPoint{}
}

// flagged returns the incomplete point that says series lacks repo's data
// (or everyone's) at at, or nil.
func flagged(flags []insights.ResultIncomplete, series, repo string, at time.Time) *insights.ResultIncomplete {
	for i, f := range flags {
		if f.SeriesLabel == series && f.Time.Equal(at) && (f.Repo == "" || repo == "" || f.Repo == repo) {
			return &flags[i]
		}
	}
	return nil
}

func fmtPoint(p insights.ResultPoint) string {
	if p.Time.IsZero() {
		return "no point"
	}
	kind := "point"
	if p.Snapshot {
		kind = "snapshot"
	}
	return fmt.Sprintf("%s %d at %s", kind, p.Value, fmtTime(p.Time))
}

func fmtTime(at time.Time) string { return at.UTC().Format(time.DateTime) }

// compareRows compares the code-intel rows, table by table, as multisets.
func compareRows(t reporter, where string, base, got map[string][]string) bool {
	t.Helper()
	ok := true
	for _, table := range slices.Sorted(maps.Keys(base)) {
		missing, extra := diffSorted(base[table], got[table])
		if len(missing) == 0 && len(extra) == 0 {
			continue
		}
		ok = false
		t.Errorf("%s: DATA LOSS in %s: %d of the fault-free run's %d rows missing, %d extra; first missing %q, first extra %q",
			where, table, len(missing), len(base[table]), len(extra), first(missing), first(extra))
	}
	return ok
}

// diffSorted returns the elements of sorted a not in sorted b, and those
// of b not in a, counting repeats.
func diffSorted(a, b []string) (onlyA, onlyB []string) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			onlyA, i = append(onlyA, a[i]), i+1
		case i == len(a) || b[j] < a[i]:
			onlyB, j = append(onlyB, b[j]), j+1
		default:
			i, j = i+1, j+1
		}
	}
	return onlyA, onlyB
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// compareCodenav compares the answers to the same code navigation
// questions.
func compareCodenav(t reporter, where string, base, got map[string]string) bool {
	t.Helper()
	var differ []string
	for _, q := range slices.Sorted(maps.Keys(base)) {
		if got[q] != base[q] {
			differ = append(differ, q)
		}
	}
	for _, q := range differ[:min(len(differ), 5)] {
		t.Errorf("%s: DATA LOSS: %s answers %s; fault-free %s", where, q, got[q], base[q])
	}
	if len(differ) > 5 {
		t.Errorf("%s: DATA LOSS: %d more of the %d code navigation questions answered differently", where, len(differ)-5, len(base))
	}
	return len(differ) == 0
}
