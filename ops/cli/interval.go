package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// interval is a sampling interval: a number of hours, days, weeks, months or
// years. Months and years step by calendar (AddDate), as insights do.
type interval struct {
	n    int
	unit string // "h", "d", "w", "mo", "y"
}

var intervalRE = regexp.MustCompile(`^([1-9][0-9]*)(h|d|w|mo|y)$`)

func parseInterval(s string) (interval, error) {
	m := intervalRE.FindStringSubmatch(s)
	if m == nil {
		return interval{}, fmt.Errorf("interval %q: want a count and a unit: h, d, w, mo or y (e.g. 7d, 1w, 1mo)", s)
	}
	n, _ := strconv.Atoi(m[1])
	return interval{n: n, unit: m[2]}, nil
}

// back returns t moved k intervals into the past.
func (iv interval) back(t time.Time, k int) time.Time {
	n := -k * iv.n
	switch iv.unit {
	case "h":
		return t.Add(time.Duration(n) * time.Hour)
	case "d":
		return t.AddDate(0, 0, n)
	case "w":
		return t.AddDate(0, 0, 7*n)
	case "mo":
		return t.AddDate(0, n, 0)
	}
	return t.AddDate(n, 0, 0)
}

// sampleTimes returns points times ending at end, oldest first.
func sampleTimes(end time.Time, every interval, points int) []time.Time {
	out := make([]time.Time, points)
	for i := range points {
		out[i] = every.back(end, points-1-i)
	}
	return out
}

// parseTime accepts RFC 3339, a date, or "now".
func parseTime(s string, now time.Time) (time.Time, error) {
	if s == "" || s == "now" {
		return now, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q: want RFC 3339 (2024-01-31T12:00:00Z) or a date (2024-01-31)", s)
}
