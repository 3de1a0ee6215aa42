package insights

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/insights/insightstest"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// checkFleetSample compares, for perSeries repositories of each fleet
// series (spread over the fleet), the stored value of every sample time
// with git's: the commit `git rev-list -1 --first-parent --before` gives,
// and the matches `git grep -o -I -i` counts there (each captured value's
// for the capture-group series; no point before the repository's first
// commit, no rows for a zero value).
func checkFleetSample(b *testing.B, r *jobs.Runner, paths []string, perSeries int) {
	b.Helper()
	checked := 0
	for si, fs := range fleetSeries {
		var id int64
		if err := r.DB.QueryRow(context.Background(), `SELECT id FROM insight_series WHERE query = $1`, fs.query).Scan(&id); err != nil {
			b.Fatalf("series %q: %v", fs.query, err)
		}
		times := fleetTimes(b, r, id)
		for k := range perSeries {
			i := (k*7919 + si*104729) % len(paths)
			got := storedAnswers(b, r, id, fmt.Sprintf("fleet-%04d", i))
			for _, t := range times {
				want, commit := fleetOracle(b, paths[i], si, t)
				g, ok := got[t]
				switch {
				case commit == "" && ok:
					b.Fatalf("series %q, repository %d, %s: stored %v at %s, but git has no commit then", fs.label, i, t, g.values, g.commit)
				case commit != "" && len(want) > 0 && g.commit != commit:
					b.Fatalf("series %q, repository %d, %s: stored commit %q, git's %s", fs.label, i, t, g.commit, commit)
				case !maps.Equal(g.values, want):
					b.Fatalf("series %q, repository %d, %s (commit %s): stored %v, git grep %v", fs.label, i, t, commit, g.values, want)
				}
				checked++
			}
		}
	}
	b.Logf("%d sampled answers agree with git grep", checked)
}

// fleetTimes returns the 12 monthly sample times up to fleetNow, the first
// of each month at midnight UTC, and fails if series id has points at
// other times.
func fleetTimes(b *testing.B, r *jobs.Runner, id int64) []time.Time {
	b.Helper()
	times := make([]time.Time, 12)
	for k := range times {
		times[k] = time.Date(fleetNow.Year(), fleetNow.Month()-time.Month(11-k), 1, 0, 0, 0, 0, time.UTC)
	}
	var other int64
	err := r.DB.QueryRow(context.Background(),
		`SELECT count(*) FROM series_points WHERE series_id = $1 AND NOT time = ANY($2)`, id, times).Scan(&other)
	if err != nil {
		b.Fatal(err)
	}
	if other != 0 {
		b.Fatalf("series %d has %d points at times other than the 12 monthly sample times %v", id, other, times)
	}
	return times
}

type storedAnswer struct {
	commit string
	values map[string]int64
}

// storedAnswers returns the points of series id in the named repository,
// by time.
func storedAnswers(b *testing.B, r *jobs.Runner, id int64, repo string) map[time.Time]storedAnswer {
	b.Helper()
	rows, err := r.DB.Query(context.Background(), `
		SELECT p.time, p.capture, p.value, p.commit_oid FROM series_points p JOIN repos r ON r.id = p.repo_id
		WHERE p.series_id = $1 AND r.name = $2`, id, repo)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	got := map[time.Time]storedAnswer{}
	for rows.Next() {
		var t time.Time
		var capture, commit string
		var value int64
		if err := rows.Scan(&t, &capture, &value, &commit); err != nil {
			b.Fatal(err)
		}
		a, ok := got[t.UTC()]
		if !ok {
			a = storedAnswer{commit: commit, values: map[string]int64{}}
			got[t.UTC()] = a
		}
		a.values[capture] = value
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return got
}

var errorWord = regexp.MustCompile(`(?i)errors\.New\("([a-z]+)`)

// fleetOracle is git's answer for fleet series si in dir at t: the commit
// and the values by capture ("" for a plain search), zeros left out.
func fleetOracle(b *testing.B, dir string, si int, t time.Time) (map[string]int64, string) {
	b.Helper()
	fs := fleetSeries[si]
	commit := gittest.CommitAt(b, dir, t)
	if commit == "" {
		return nil, ""
	}
	want := map[string]int64{}
	if fs.kind == "capture-group" {
		maps.Copy(want, insightstest.GrepCaptures(b, dir, commit, fs.grep[len(fs.grep)-1], errorWord))
		return want, commit
	}
	args := append([]string{"grep", "-o", "-I", "-i", "-h"}, fs.grep...)
	args = append(append(args, commit, "--"), fs.paths...)
	if out := gittest.Output(b, dir, args...); out != "" {
		want[""] = int64(strings.Count(out, "\n") + 1)
	}
	return want, commit
}

var (
	binOnce  sync.Once
	binPath  string
	binError error
)

// sightlineBinary builds the sightline command once per process, or
// returns $SIGHTLINE_FLEET_BIN when set.
func sightlineBinary(b *testing.B) string {
	b.Helper()
	if bin := os.Getenv(fleetBinEnv); bin != "" {
		// Another build's binary, to compare two builds in alternating runs.
		if _, err := os.Stat(bin); err != nil {
			b.Fatalf("%s=%q: %v: build one with go build -o", fleetBinEnv, bin, err)
		}
		return bin
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sightline-fleet-bin-")
		if err != nil {
			binError = err
			return
		}
		binPath = filepath.Join(dir, "sightline")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/sightline-dev/sightline").CombinedOutput()
		if err != nil {
			binError = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if binError != nil {
		b.Fatalf("build sightline: %v", binError)
	}
	return binPath
}
