package insights_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sinks/insights"
)

func TestErrorLimit(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		total int
		want  float64
	}{{0, 50}, {100, 50}, {1000, 50}, {2000, 100}, {10000, 500}} {
		if got := insights.ErrorLimit(tc.total); got != tc.want {
			t.Errorf("ErrorLimit(%d) = %v, want %v", tc.total, got, tc.want)
		}
	}
}

func TestBackfillFinish(t *testing.T) {
	t.Parallel()
	now := time.Date(2024, 3, 6, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name           string
		total, errored int
		openShard      bool
		want           string
	}{
		{name: "clean", total: 10, want: "completed"},
		{name: "errors within the limit", total: 100, errored: 50, want: "completed"},
		{name: "past the limit", total: 100, errored: 51, want: "failed"},
		{name: "shard left", total: 10, openShard: true, want: "processing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newPointsEnv(t)
			ctx := context.Background()
			var backfill int64
			if err := e.db.QueryRow(ctx, `INSERT INTO backfills (series_id, state, repos_total, repos_done, repos_errored)
				VALUES ($1, 'processing', $2, $2, $3) RETURNING id`, e.series, tc.total, tc.errored).Scan(&backfill); err != nil {
				t.Fatal(err)
			}
			if _, err := e.db.Exec(ctx, `INSERT INTO series_recording_times (series_id, time) VALUES ($1, $2), ($1, $3)`,
				e.series, day1, day2); err != nil {
				t.Fatal(err)
			}
			if tc.openShard {
				if _, err := e.db.Exec(ctx, `INSERT INTO search_shards (kind, backfill_id, object_key, tasks)
					VALUES ('backfill', $1, 'k', 1)`, backfill); err != nil {
					t.Fatal(err)
				}
			}
			var state string
			err := pgx.BeginFunc(ctx, e.db, func(tx pgx.Tx) error {
				var err error
				state, err = insights.BackfillFinish(ctx, tx, backfill, now)
				return err
			})
			if err != nil || state != tc.want {
				t.Fatalf("BackfillFinish = %q, %v; want %q", state, err, tc.want)
			}
			s, err := insights.SeriesGet(ctx, e.db, e.series)
			if err != nil {
				t.Fatal(err)
			}
			lost := e.incomplete()
			if tc.want == "processing" {
				if s.BackfillCompletedAt != nil || len(lost) != 0 {
					t.Fatalf("unfinished backfill touched the series: %+v, %v", s, lost)
				}
				return
			}
			if s.BackfillCompletedAt == nil || !s.BackfillCompletedAt.Equal(now) || !s.NextSnapshotAfter.Equal(now) ||
				!s.NextRecordingAfter.Equal(day2.AddDate(0, 0, 7)) {
				t.Fatalf("series schedule = completed %v, snapshot %v, recording %v", s.BackfillCompletedAt, s.NextSnapshotAfter, s.NextRecordingAfter)
			}
			if tc.want == "failed" {
				if len(lost) != 2 || !strings.Contains(lost[0], "error-limit 51 of 100 repositories errored") {
					t.Fatalf("failed backfill's incomplete points = %q", lost)
				}
			} else if len(lost) != 0 {
				t.Fatalf("completed backfill has incomplete points %q", lost)
			}
		})
	}
}
