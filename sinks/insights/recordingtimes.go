package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// TimeConflict says what RecordingTimesAdd does with a time that is on the
// series' axis already. It has no default: a caller picks one.
type TimeConflict int

// The conflict policies of RecordingTimesAdd.
const (
	// KeepTime leaves a time on the axis as it is, a recording time or a
	// snapshot's (ON CONFLICT DO NOTHING).
	KeepTime TimeConflict = iota + 1
	// RecordTime makes a time on the axis a recording time (ON CONFLICT DO
	// UPDATE SET snapshot = false): a snapshot's time becomes permanent,
	// and the next snapshot no longer replaces it.
	RecordTime
)

// String names the policy for messages.
func (c TimeConflict) String() string {
	switch c {
	case KeepTime:
		return "keep"
	case RecordTime:
		return "record"
	}
	return fmt.Sprintf("TimeConflict(%d)", int(c))
}

// RecordingTimesAddParams are RecordingTimesAdd's parameters.
type RecordingTimesAddParams struct {
	SeriesID int64
	// Times are added to the series' axis as recording times (not
	// snapshots).
	Times []time.Time
	// OnConflict says what happens to a time already on the axis.
	OnConflict TimeConflict
}

// RecordingTimesAdd adds p.Times to series p.SeriesID's axis
// (series_recording_times) in tx; a time already there is treated as
// p.OnConflict says. No times is nothing to do. An OnConflict that is not
// one of the constants is an error, and nothing is written.
func RecordingTimesAdd(ctx context.Context, tx pgx.Tx, p RecordingTimesAddParams) error {
	var onConflict string
	switch p.OnConflict {
	case KeepTime:
		onConflict = `DO NOTHING`
	case RecordTime:
		onConflict = `DO UPDATE SET snapshot = false`
	default:
		return fmt.Errorf("add times to the axis of series %d: unknown conflict policy %v", p.SeriesID, p.OnConflict)
	}
	if len(p.Times) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO series_recording_times (series_id, time, snapshot)
		SELECT $1, t, false FROM unnest($2::timestamptz[]) t
		ON CONFLICT (series_id, time) `+onConflict, p.SeriesID, p.Times); err != nil {
		return fmt.Errorf("add times to the axis of series %d: %w", p.SeriesID, err)
	}
	return nil
}
