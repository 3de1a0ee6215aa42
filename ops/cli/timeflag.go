package cli

import (
	"fmt"
	"time"
)

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
