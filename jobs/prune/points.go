package prune

import (
	"context"
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
)

// DefaultPointsWindowFactor is how many of its windows (num_points ×
// interval) of history a series keeps.
const DefaultPointsWindowFactor = 2

// prunePoints deletes the insight points, incomplete points and recording
// times older than factor times their series' window (see
// insights.OldPointsDelete); factor < 0 keeps them all.
func (p *pruner) prunePoints(ctx context.Context, now time.Time, factor float64) error {
	if factor < 0 {
		return nil
	}
	if factor == 0 {
		factor = DefaultPointsWindowFactor
	}
	d, err := insights.OldPointsDelete(ctx, p.env.DB, now, factor)
	if err != nil {
		return err
	}
	p.counts["old_points"] += d.Points
	p.counts["old_incomplete_points"] += d.Incomplete
	p.counts["old_recording_times"] += d.Times
	return nil
}
