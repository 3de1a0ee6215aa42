package planning

import (
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

// SampleTimes returns the backfill's sample times for series s planned at
// now: s.NumPoints times one interval apart, oldest first, ending at now
// truncated to the interval's unit (the hour; midnight UTC for days;
// Monday midnight UTC for weeks; the first of the month; January 1). The
// reference anchored at the series' creation minute instead; aligning to
// the unit gives every series with the same interval the same x-axis
// whenever it was planned, so a view's series line up, and the forward
// recordings continue on that grid.
func SampleTimes(s insights.Series, now time.Time) []time.Time {
	return s.Interval.SampleTimes(Anchor(s.Interval.Unit, now), s.NumPoints)
}

// Anchor truncates now (in UTC) to the start of its unit.
func Anchor(unit string, now time.Time) time.Time {
	now = now.UTC()
	y, m, d := now.Date()
	switch unit {
	case "hour":
		return now.Truncate(time.Hour)
	case "day":
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case "week":
		back := (int(now.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, time.UTC)
	case "month":
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
}

// CheckSampleRange checks that series s samples ordinary dates (see
// insightspec.Interval.CheckRange): a series applied before apply checked
// it fails its backfill, named, rather than every planning run.
func CheckSampleRange(s insights.Series) error {
	if err := insightspec.Interval(s.Interval).CheckRange(s.NumPoints); err != nil {
		return fmt.Errorf("interval: %w", err)
	}
	return nil
}
