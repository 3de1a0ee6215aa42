package insights_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/insights"
)

// TestViewSeriesReaders reads one view as every kind of reader, on every
// read path (sums, captured values with their sort, snapshots, incomplete
// points): only an explicit administrator sees the private repository; an
// unknown user sees what a user without grants sees; a reader that is
// neither (an empty or blank user) is refused.
func TestViewSeriesReaders(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub, priv := f.repo("pub", false), f.repo("priv", true)
	f.grant("bob", priv)
	s := f.series("go", "capture-group", 2)
	f.link(f.view(testView{uid: "v", title: "V"}), s, "versions", "", 0, week(0))
	f.recordingTimes(s, false, week(0), week(1))
	f.point(s, pub, week(0), "1.21", 1)
	f.point(s, priv, week(1), "1.22", 100)
	f.recordingTimes(s, true, week(2))
	f.snapshot(s, pub, week(2), "1.21", 2)
	f.snapshot(s, priv, week(2), "1.22", 200)
	f.incomplete(s, week(1), priv, "repo-error", "secret detail")

	type seen struct {
		Lines      []line
		Incomplete []string
	}
	read := func(opts insights.ReadOpts) (seen, error) {
		res, err := insights.ViewSeries(f.ctx, f.db, opts)
		out := seen{Lines: lines(res)}
		for _, p := range res.Incomplete {
			out.Incomplete = append(out.Incomplete, p.Repo+": "+p.Detail)
		}
		return out, err
	}
	// Sorted by result count, the default: the bigger first.
	everything := seen{Lines: []line{{"1.22", []int64{0, 100, 200}}, {"1.21", []int64{1, 0, 2}}},
		Incomplete: []string{"priv: secret detail"}}
	public := seen{Lines: []line{{"1.21", []int64{1, 0, 2}}}}
	for _, tt := range []struct {
		name string
		opts insights.ReadOpts
		want seen
	}{
		{"administrator", insights.ReadOpts{ViewID: "v", Admin: true}, everything},
		{"user with a grant", insights.ReadOpts{ViewID: "v", User: "bob"}, everything},
		{"unknown user", insights.ReadOpts{ViewID: "v", User: "nobody"}, public},
	} {
		got, err := read(tt.opts)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	for _, tt := range []struct {
		name    string
		opts    insights.ReadOpts
		wantErr string
	}{
		{"empty user", insights.ReadOpts{ViewID: "v"}, `user name ""`},
		{"blank user", insights.ReadOpts{ViewID: "v", User: " "}, `user name " "`},
		{"administrator and user", insights.ReadOpts{ViewID: "v", Admin: true, User: "bob"}, "not both"},
	} {
		got, err := read(tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: %v, %+v; want an error containing %q", tt.name, err, got, tt.wantErr)
		}
	}
}
