package insights_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sinks/insights"
)

// TestRecordingTimesAdd adds times to an axis that holds a snapshot's time
// and a recording time, under each conflict policy.
func TestRecordingTimesAdd(t *testing.T) {
	t.Parallel()
	snap, rec, fresh := day1, day2, day2.AddDate(0, 0, 7)
	for _, tc := range []struct {
		name   string
		policy insights.TimeConflict
		want   map[time.Time]bool // time → snapshot
		err    bool
	}{
		{name: "keep", policy: insights.KeepTime, want: map[time.Time]bool{snap: true, rec: false, fresh: false}},
		{name: "record", policy: insights.RecordTime, want: map[time.Time]bool{snap: false, rec: false, fresh: false}},
		{name: "no policy", err: true, want: map[time.Time]bool{snap: true, rec: false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newPointsEnv(t)
			ctx := context.Background()
			if _, err := e.db.Exec(ctx, `INSERT INTO series_recording_times (series_id, time, snapshot) VALUES ($1, $2, true), ($1, $3, false)`,
				e.series, snap, rec); err != nil {
				t.Fatal(err)
			}
			err := pgx.BeginFunc(ctx, e.db, func(tx pgx.Tx) error {
				return insights.RecordingTimesAdd(ctx, tx, insights.RecordingTimesAddParams{
					SeriesID: e.series, Times: []time.Time{snap, rec, fresh}, OnConflict: tc.policy})
			})
			if (err != nil) != tc.err {
				t.Fatalf("RecordingTimesAdd: %v, want error %v", err, tc.err)
			}
			if d := cmp.Diff(tc.want, axis(t, e)); d != "" {
				t.Errorf("axis (time → snapshot) (-want +got):\n%s", d)
			}
		})
	}
}

// axis returns e's series' recording times, each with its snapshot flag.
func axis(t *testing.T, e *pointsEnv) map[time.Time]bool {
	t.Helper()
	rows, err := e.db.Query(context.Background(), `SELECT time, snapshot FROM series_recording_times WHERE series_id = $1`, e.series)
	if err != nil {
		t.Fatal(err)
	}
	got := map[time.Time]bool{}
	var (
		at   time.Time
		snap bool
	)
	if _, err := pgx.ForEachRow(rows, []any{&at, &snap}, func() error { got[at.UTC()] = snap; return nil }); err != nil {
		t.Fatal(err)
	}
	return got
}
