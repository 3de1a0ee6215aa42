package insightspec

import (
	"fmt"
	"regexp"
	"strconv"
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

var shortInterval = regexp.MustCompile(`^([0-9]+)(h|d|w|mo|y)$`)

// ParseInterval reads the short form: a count and h, d, w, mo or y, such as
// 12h, 7d, 1w, 1mo or 1y.
func ParseInterval(s string) (Interval, error) {
	m := shortInterval.FindStringSubmatch(s)
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
