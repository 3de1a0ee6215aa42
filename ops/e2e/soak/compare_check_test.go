package soak

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
)

// recorder is a reporter that keeps what it is told.
type recorder struct{ errors, logs []string }

func (r *recorder) Helper()           {}
func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(f string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(f, args...))
}
func (r *recorder) Log(args ...any)            { r.logs = append(r.logs, fmt.Sprint(args...)) }
func (r *recorder) Logf(f string, args ...any) { r.logs = append(r.logs, fmt.Sprintf(f, args...)) }
func (r *recorder) has(list []string, s string) bool {
	for _, l := range list {
		if strings.Contains(l, s) {
			return true
		}
	}
	return false
}

var t0 = time.Date(2024, 1, 8, 0, 0, 0, 0, time.UTC)

// sampleOutcome is a run with one series over all repositories and over
// alpha, two points each, one code-intel row and one answer.
func sampleOutcome() *outcome {
	series := func(v0, v1 int64) insights.ViewResult {
		return insights.ViewResult{Series: []insights.ResultSeries{{Label: "TODO", SeriesLabel: "TODO",
			Points: []insights.ResultPoint{{Time: t0, Value: v0}, {Time: t0.AddDate(0, 0, 7), Value: v1}}}}}
	}
	return &outcome{provider: "s3", profile: "test",
		views:     map[string]insights.ViewResult{"": series(3, 5), "alpha": series(1, 2)},
		codeintel: map[string][]string{"lsif_ranges": {"a", "b"}},
		codenav:   map[string]string{"hover at x": "circle"}}
}

// TestCompareFindsLoss checks that the soak's comparison, which runs only
// under SIGHTLINE_SOAK=1, reports every kind of loss and nothing else.
func TestCompareFindsLoss(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		damage func(o *outcome)
		exact  bool
		want   string // in an error; "" for none
	}{
		{"equal", func(*outcome) {}, true, ""},
		{"a point silently zero", func(o *outcome) { o.views["alpha"].Series[0].Points[1].Value = 0 }, false,
			`series "TODO" of repository alpha, point 1: point 0 at 2024-01-15 00:00:00; fault-free point 2`},
		{"a point missing", func(o *outcome) {
			v := o.views[""]
			v.Series[0].Points = v.Series[0].Points[:1]
			o.views[""] = v
		}, false, `point 1: no point; fault-free point 5`},
		{"a series missing", func(o *outcome) { o.views["alpha"] = insights.ViewResult{} }, false,
			`series "TODO" of repository alpha is missing`},
		{"a flagged point, exact", flagAlpha, true, "incomplete points"},
		{"a flagged point, not exact", flagAlpha, false, ""},
		{"a code-intel row missing", func(o *outcome) { o.codeintel["lsif_ranges"] = []string{"a"} }, false,
			`lsif_ranges: 1 of the fault-free run's 2 rows missing`},
		{"a code-intel row repeated", func(o *outcome) { o.codeintel["lsif_ranges"] = []string{"a", "b", "b"} }, false,
			`0 of the fault-free run's 2 rows missing, 1 extra`},
		{"an answer differs", func(o *outcome) { o.codenav["hover at x"] = "" }, false, `hover at x answers`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sampleOutcome()
			tt.damage(got)
			var r recorder
			ok := compare(&r, sampleOutcome(), got, tt.exact)
			if ok != (tt.want == "") || (tt.want != "" && !r.has(r.errors, tt.want)) || (tt.want == "" && len(r.errors) > 0) {
				t.Errorf("compare = %v, errors %q; want an error holding %q", ok, r.errors, tt.want)
			}
		})
	}
}

// flagAlpha zeroes alpha's second point and flags it incomplete.
func flagAlpha(o *outcome) {
	o.views["alpha"].Series[0].Points[1].Value = 0
	o.views[""].Series[0].Points[1].Value = 3
	v := o.views[""]
	v.Incomplete = []insights.ResultIncomplete{{SeriesLabel: "TODO", Time: t0.AddDate(0, 0, 7), Repo: "alpha", Reason: "repo-error"}}
	o.views[""] = v
}
