package insightstest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// Want is what a series shows: values at the sample times, then the
// snapshot.
type Want struct {
	Points   []int64
	Snapshot int64
}

// Oracle says from git what the world's series show. It caches what git
// grep counts per commit; it is not safe for concurrent use.
type Oracle struct {
	t     testing.TB
	dirs  map[string]string
	times []time.Time
	// literal and captures cache what git grep counts per commit.
	literal  map[string]int64
	captures map[string]map[string]int64
}

// NewOracle returns an oracle over w's repositories at times.
func NewOracle(t testing.TB, w *World, times []time.Time) *Oracle {
	return &Oracle{t: t, dirs: w.Dirs, times: times, literal: map[string]int64{}, captures: map[string]map[string]int64{}}
}

// Expected computes, from git, the TODO series and each captured value's
// series summed over repos, at the sample times and at HEAD.
func (o *Oracle) Expected(repos []string) (todo Want, captures map[string]*Want) {
	captures = map[string]*Want{}
	capture := func(c string) *Want {
		if captures[c] == nil {
			captures[c] = &Want{Points: make([]int64, len(o.times))}
		}
		return captures[c]
	}
	todo.Points = make([]int64, len(o.times))
	for _, name := range repos {
		dir := o.dirs[name]
		for i, at := range o.times {
			commit := gittest.CommitAt(o.t, dir, at)
			if commit == "" {
				continue
			}
			lit, caps := o.grep(dir, commit)
			todo.Points[i] += lit
			for c, n := range caps {
				capture(c).Points[i] += n
			}
		}
		lit, caps := o.grep(dir, gittest.Output(o.t, dir, "rev-parse", "HEAD"))
		todo.Snapshot += lit
		for c, n := range caps {
			capture(c).Snapshot += n
		}
	}
	return todo, captures
}

func (o *Oracle) grep(dir, commit string) (int64, map[string]int64) {
	if _, ok := o.literal[commit]; !ok {
		o.literal[commit] = gittest.GrepCount(o.t, dir, commit, Literal)
		o.captures[commit] = GrepCaptures(o.t, dir, commit, CapturePCRE, CaptureRE)
	}
	return o.literal[commit], o.captures[commit]
}

// Check compares every point of res, a view of the world read as name
// says, with git grep over repos, and reports each difference (and any
// incomplete point) as a test error.
func (o *Oracle) Check(name string, res insights.ViewResult, repos []string) {
	o.t.Helper()
	if len(res.Incomplete) != 0 {
		o.t.Errorf("%s: incomplete points %+v", name, res.Incomplete)
	}
	todo, captures := o.Expected(repos)
	seen := map[string]bool{}
	for _, s := range res.Series {
		var w Want
		switch {
		case s.SeriesLabel == "TODO" && s.Capture == "":
			w = todo
		case s.SeriesLabel == "msg" && captures[s.Capture] != nil:
			w, seen[s.Capture] = *captures[s.Capture], true
		default:
			o.t.Errorf("%s: unexpected series %q (capture %q)", name, s.Label, s.Capture)
			continue
		}
		o.comparePoints(fmt.Sprintf("%s: series %q", name, s.Label), s.Points, w)
	}
	for c, w := range captures {
		if !seen[c] && (w.Snapshot != 0 || slices.ContainsFunc(w.Points, func(n int64) bool { return n != 0 })) {
			o.t.Errorf("%s: captured value %q missing; git grep counts %v then %d", name, c, w.Points, w.Snapshot)
		}
	}
	if len(captures) == 0 || len(seen) == 0 {
		o.t.Errorf("%s: no capture-group series to compare", name)
	}
}

// comparePoints checks one series: a point at every sample time, then the
// snapshot at Now.
func (o *Oracle) comparePoints(name string, got []insights.ResultPoint, w Want) {
	o.t.Helper()
	if len(got) != len(o.times)+1 {
		o.t.Errorf("%s: %d points, want %d sample times and the snapshot", name, len(got), len(o.times))
		return
	}
	for i, at := range o.times {
		p := got[i]
		if !p.Time.Equal(at) || p.Snapshot || p.Value != w.Points[i] {
			o.t.Errorf("%s: point %d = %d at %s (snapshot %v); git grep counts %d at %s",
				name, i, p.Value, p.Time.UTC().Format(time.DateTime), p.Snapshot, w.Points[i], at.Format(time.DateTime))
		}
	}
	last := got[len(got)-1]
	if !last.Snapshot || !last.Time.Equal(Now) || last.Value != w.Snapshot {
		o.t.Errorf("%s: last point %d at %s (snapshot %v); want the snapshot %d at HEAD, at %s",
			name, last.Value, last.Time.UTC().Format(time.DateTime), last.Snapshot, w.Snapshot, Now.Format(time.DateTime))
	}
}

// GrepCaptures counts each value of re's first group at commit: git grep
// -o -h -i -P prints every match of pcre (re without the group), and re
// takes the group from each.
func GrepCaptures(t testing.TB, dir, commit, pcre string, re *regexp.Regexp) map[string]int64 {
	out := gittest.Output(t, dir, "grep", "-o", "-h", "-i", "-P", "-e", pcre, commit)
	counts := map[string]int64{}
	if out == "" {
		return counts
	}
	for _, line := range strings.Split(out, "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("git grep printed %q, which %v does not match", line, re)
		}
		counts[m[1]]++
	}
	return counts
}
