// Package insightstest is a scripted world for end-to-end insights tests:
// git repositories with dated history built in the test, the insights YAML
// over them, and an oracle that says, from git grep, what every point of
// every series must be. It runs no jobs (the tests that import it do).
// Only tests import it.
package insightstest

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gittest"
)

// Now is a Wednesday: the ten weekly sample times are the Mondays from
// January 8 to March 11, 2024, at midnight UTC.
var Now = time.Date(2024, 3, 13, 12, 30, 0, 0, time.UTC)

// SampleTimes returns the ten sample times of the views, oldest first.
func SampleTimes() []time.Time {
	var times []time.Time
	for i := range 10 {
		times = append(times, time.Date(2024, 1, 8+7*i, 0, 0, 0, 0, time.UTC))
	}
	return times
}

// The queries of the file, and what git grep runs for each.
const (
	Literal     = "TODO"
	CapturePCRE = `errors\.New\("[a-z]+`
)

// CaptureRE takes the captured value from a match of CapturePCRE.
var CaptureRE = regexp.MustCompile(`(?i)errors\.New\("([a-z]+)`)

// Repos are the names of the world's repositories; gamma is private.
var Repos = []string{"alpha", "beta", "gamma"}

// The view with default filters keeps alpha and gamma (include) but not
// gamma (exclude): alpha alone.
const yamlFormat = `
repos:
  - {name: alpha, path: %s}
  - {name: beta, path: %s}
  - {name: gamma, path: %s, private: true}
insights:
  - id: todos
    title: TODOs and error messages
    all_repos: true
    interval: 1w
    points: 10
    series:
      - {label: TODO, query: TODO}
      - {label: msg, query: '/errors\.New\("([a-z]+)/', kind: capture-group}
  - id: todos-filtered
    title: TODOs, filtered
    all_repos: true
    interval: {unit: week, value: 1}
    points: 10
    filters: {include_repos: '^(alpha|gamma)$', exclude_repos: '^gamma$'}
    series:
      - {label: TODO, query: TODO}
      - {label: msg, query: '/errors\.New\("([a-z]+)/', kind: capture-group}
`

// World is the repositories of a test and the insights file over them.
type World struct {
	// Dirs maps each name of Repos to its work tree.
	Dirs map[string]string
	// YAML is the insights file: views todos and todos-filtered, each with
	// a TODO series and a capture-group series of error messages, over
	// every repository.
	YAML []byte
}

// NewWorld builds the three repositories, from fixed seeds: alpha and beta
// start on January 2 and 3, gamma on January 17.
func NewWorld(t *testing.T) *World {
	alpha, beta, gamma := ScriptedRepo(t, 1, 2), ScriptedRepo(t, 2, 3), ScriptedRepo(t, 3, 17)
	return &World{
		Dirs: map[string]string{"alpha": alpha.Dir, "beta": beta.Dir, "gamma": gamma.Dir},
		YAML: fmt.Appendf(nil, yamlFormat, alpha.Dir, beta.Dir, gamma.Dir),
	}
}

// lines are what the generated files are made of: TODOs in several cases
// and counts per line, and error messages for the capture group, with
// values differing only in case.
var lines = []string{
	"// TODO: handle the error",
	"// todo later",
	"x := 1 // TODO TODO",
	`return errors.New("open failed")`,
	`return errors.New("Close")`,
	`return errors.New("close")`,
	`err = errors.New("read") // FIXME`,
	`return errors.New("write"), errors.New("open")`,
	"func f() {}",
	"a plain line",
	"Todo: a Todo in prose",
}

var paths = []string{"a.go", "b.go", "docs/c.md", "d.txt", "e/f.go"}

// ScriptedRepo builds a repository of about 20 commits between January 2
// and March 12, 2024, none from January 23 to February 6 (so sample times
// January 29 and February 5 map to the commit of January 22), starting on
// day first of January. Contents come from seed.
func ScriptedRepo(t *testing.T, seed uint64, first int) *gittest.Repo {
	rng := rand.New(rand.NewPCG(seed, 1))
	var days []time.Time
	start := time.Date(2024, 1, first, 0, 0, 0, 0, time.UTC)
	for d := start; d.Before(time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		gap := d.After(time.Date(2024, 1, 22, 12, 0, 0, 0, time.UTC)) && d.Before(time.Date(2024, 2, 7, 0, 0, 0, 0, time.UTC))
		if d.Equal(start) || !gap && rng.IntN(3) == 0 {
			days = append(days, d)
		}
	}
	// The last commit comes after the last sample time, so the snapshot
	// differs from the last point.
	days = append(days, time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC))
	repo := gittest.New(t)
	for i, d := range days {
		files := map[string]string{}
		for range 1 + rng.IntN(3) {
			path := paths[rng.IntN(len(paths))]
			if i > 0 && rng.IntN(8) == 0 {
				files[path] = "" // delete (or leave absent)
				continue
			}
			var b strings.Builder
			for range 2 + rng.IntN(10) {
				b.WriteString(lines[rng.IntN(len(lines))] + "\n")
			}
			files[path] = b.String()
		}
		at := d.Add(time.Duration(9+rng.IntN(10))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
		commitFiles(t, repo, at, fmt.Sprintf("commit %d", i), files)
	}
	return repo
}

// commitFiles is gittest.Repo.Commit, except that deleting a path that is
// not there does nothing.
func commitFiles(t *testing.T, repo *gittest.Repo, at time.Time, msg string, files map[string]string) {
	for path, content := range files {
		if content == "" && gittest.Output(t, repo.Dir, "ls-files", "--", path) == "" {
			delete(files, path)
		}
	}
	repo.Commit(at, msg, files)
}
