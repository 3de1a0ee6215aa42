package planning_test

import (
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs/internal/planning"
)

func day(month time.Month, d int) time.Time { return time.Date(2024, month, d, 0, 0, 0, 0, time.UTC) }

func TestAnchor(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 3, 6, 12, 30, 15, 0, time.FixedZone("X", 3600))
	for unit, want := range map[string]time.Time{
		"hour":  time.Date(2024, 3, 6, 11, 0, 0, 0, time.UTC),
		"day":   day(3, 6),
		"week":  day(3, 4),
		"month": day(3, 1),
		"year":  day(1, 1),
	} {
		if got := planning.Anchor(unit, at); !got.Equal(want) {
			t.Errorf("Anchor(%s) = %v, want %v", unit, got, want)
		}
	}
}
