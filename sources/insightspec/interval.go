package insightspec

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"
)

// Interval is a sampling interval: Value units of hour, day, week, month or
// year.
type Interval struct {
	Unit  string
	Value int
}

// units maps the short forms to units, in help order.
var units = []struct{ short, unit string }{
	{"h", "hour"}, {"d", "day"}, {"w", "week"}, {"mo", "month"}, {"y", "year"},
}

var shortInterval = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9]+)(h|d|w|mo|y)$`) })

// ParseInterval reads the short form: a count and h, d, w, mo or y, such as
// 12h, 7d, 1w, 1mo or 1y.
func ParseInterval(s string) (Interval, error) {
	m := shortInterval().FindStringSubmatch(s)
	if m == nil {
		return Interval{}, fmt.Errorf("%q is not an interval: want a count and a unit h, d, w, mo or y (12h, 7d, 1w, 1mo, 1y), or {unit: week, value: 1}", s)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n < 1 {
		return Interval{}, fmt.Errorf("%q: the count must be a positive number", s)
	}
	for _, u := range units {
		if u.short == m[2] {
			return Interval{Unit: u.unit, Value: n}, nil
		}
	}
	panic("unreachable: shortInterval matched an unknown unit")
}

// validUnit reports whether unit is one of hour, day, week, month, year.
func validUnit(unit string) bool {
	for _, u := range units {
		if u.unit == unit {
			return true
		}
	}
	return false
}

// String returns the short form, e.g. "1w".
func (iv Interval) String() string {
	for _, u := range units {
		if u.unit == iv.Unit {
			return strconv.Itoa(iv.Value) + u.short
		}
	}
	return fmt.Sprintf("%d %s", iv.Value, iv.Unit)
}

// normalized returns the same interval in the largest unit that steps the
// same in calendar arithmetic: 7d is 1w and 12mo is 1y (hours are left
// alone, since 24h is not a calendar day). Equal intervals then give equal
// series keys.
func (iv Interval) normalized() Interval {
	switch {
	case iv.Unit == "day" && iv.Value%7 == 0:
		return Interval{Unit: "week", Value: iv.Value / 7}
	case iv.Unit == "month" && iv.Value%12 == 0:
		return Interval{Unit: "year", Value: iv.Value / 12}
	}
	return iv
}

// Bounds on sample times, so that every sample time and the next
// recording are ordinary dates (an interval of 100000000w reached 1.9
// million years BC, which Postgres rejects).
const (
	// MaxIntervalYears bounds one interval.
	MaxIntervalYears = 100
	// MaxSpanYears bounds the sample range: the interval times the points
	// after the first.
	MaxSpanYears = 1000
)

// perYear is how many of each unit make a year, rounded up: bounds only.
var perYear = map[string]int64{"hour": 8784, "day": 366, "week": 53, "month": 12, "year": 1}

// CheckRange checks that the interval and points sample times that are
// ordinary dates: an interval of at most MaxIntervalYears and a sample
// range (points−1 intervals) of at most MaxSpanYears. Errors say which
// bound and what to change.
func (iv Interval) CheckRange(points int) error {
	per, ok := perYear[iv.Unit]
	if !ok || iv.Value < 1 {
		return fmt.Errorf("%s is not an interval: want a positive count of hours, days, weeks, months or years", iv)
	}
	if int64(iv.Value) > MaxIntervalYears*per {
		return fmt.Errorf("%s is longer than %d years: use a shorter interval", iv, MaxIntervalYears)
	}
	if span := int64(iv.Value) * int64(max(points-1, 0)); span > MaxSpanYears*per {
		return fmt.Errorf("%d points %s apart span about %d years, more than %d: use fewer points or a shorter interval",
			points, iv, span/per, MaxSpanYears)
	}
	return nil
}
