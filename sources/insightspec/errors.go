package insightspec

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in an insights file.
type Error struct {
	File string
	Line int // 0 when unknown
	// Insight is the insight's Name, or "" for the file's top level.
	Insight string
	// Field is the path inside the insight (or the file), e.g.
	// "series[1].query"; "" when the problem is the whole entry.
	Field string
	Msg   string
}

// Error formats the problem as `FILE:LINE: INSIGHT: FIELD: MSG`, leaving out
// the parts that are not known.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	for _, part := range []string{e.Insight, e.Field, e.Msg} {
		if part != "" {
			b.WriteString(": ")
			b.WriteString(part)
		}
	}
	return b.String()
}

// Errors is every problem found in a file, by line. Parse and
// sinks/insights.Apply return it (as an error) for mistakes in the file, as
// opposed to failures of the machine.
type Errors []*Error

// Error lists the problems one per line after a count.
func (es Errors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	lines := make([]string, 0, len(es)+1)
	lines = append(lines, fmt.Sprintf("%s: %d problems:", es[0].File, len(es)))
	for _, e := range es {
		lines = append(lines, "  "+e.Error())
	}
	return strings.Join(lines, "\n")
}

// sorted orders es by line, keeping discovery order within a line and
// putting problems without a line last.
func (es Errors) sorted() Errors {
	slices.SortStableFunc(es, func(a, b *Error) int {
		return cmp.Compare(lineKey(a.Line), lineKey(b.Line))
	})
	return es
}

func lineKey(line int) int {
	if line == 0 {
		return int(^uint(0) >> 1)
	}
	return line
}
