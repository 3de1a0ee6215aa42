package enqueuesnapshots

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/insights"
)

func TestDueTimes(t *testing.T) {
	t.Parallel()
	at := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
	next := at(4)
	s := insights.Series{Interval: insights.Interval{Unit: "week", Value: 1}, NumPoints: 2, NextRecordingAfter: &next}
	for _, tc := range []struct {
		name     string
		now      time.Time
		want     []time.Time
		wantNext time.Time
	}{
		{"not yet", at(3), nil, at(4)},
		{"exactly due", at(4), []time.Time{at(4)}, at(11)},
		{"missed one", at(12), []time.Time{at(4), at(11)}, at(18)},
		{"missed more than a chart shows", at(26), []time.Time{at(18), at(25)}, time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)},
	} {
		due, n := dueTimes(s, tc.now)
		if d := cmp.Diff(tc.want, due); d != "" || !n.Equal(tc.wantNext) {
			t.Errorf("%s: due (-want +got):\n%s next %v, want %v", tc.name, d, n, tc.wantNext)
		}
	}
}

func TestNextMidnight(t *testing.T) {
	t.Parallel()
	for in, want := range map[time.Time]time.Time{
		time.Date(2024, 2, 28, 13, 0, 0, 0, time.UTC):                    time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC):                     time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 12, 31, 23, 0, 0, 0, time.FixedZone("X", -3600)): time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC),
	} {
		if got := NextMidnight(in); !got.Equal(want) {
			t.Errorf("NextMidnight(%v) = %v, want %v", in, got, want)
		}
	}
}
