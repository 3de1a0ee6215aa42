package runsearches_test

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// passMaxFileSize is the file size limit of the shared-pass test: small,
// so that a file can cross it.
const passMaxFileSize = 200

// passRepos builds two repositories whose histories rename, delete and
// move files, and turn a file binary and another too large for search
// (but not for language usage) and back.
func passRepos(t *testing.T) (alpha, beta *gittest.Repo) {
	alpha = gittest.New(t)
	alpha.Commit(day(1, 10), "a1", map[string]string{
		"a.go":            "package a // TODO owner:alice\n",
		"notes/readme.md": "TODO owner:bob\nToDo\n",
		"tool.py":         "# TODO\n",
		"big.py":          "# TODO small\n",
	})
	alpha.Move("a.go", "pkg/a.go")
	alpha.Commit(day(1, 24), "a2: rename and edit", map[string]string{"pkg/a.go": "package a // TODO TODO owner:alice\n// TOOODO\n"})
	alpha.Commit(day(2, 7), "a3: delete", map[string]string{"notes/readme.md": ""})
	alpha.Commit(day(2, 14), "a4: binary and too large", map[string]string{
		"tool.py": "\x00TODO TODO\n",
		"big.py":  strings.Repeat("# TODO owner:carol\n", 20),
	})
	alpha.Commit(day(2, 28), "a5: text and small again", map[string]string{
		"tool.py": "# TODO again owner:dave\n",
		"big.py":  "# small\n",
		"c.go":    "package a\n\n// TOODO owner:alice\n",
	})

	beta = gittest.New(t)
	beta.Commit(day(2, 1), "b1", map[string]string{"main.go": "package main // TODO owner:erin\n"})
	beta.Move("main.go", "cmd/main.go")
	beta.Commit(day(2, 20), "b2", map[string]string{"README.md": "TODO TODO\n"})
	return alpha, beta
}

// passSeries is a series of the test and git's answer to it.
type passSeries struct {
	s  series
	id int64
	// want is git's answer at a commit, by capture (zeros left out).
	want func(t *testing.T, dir, commit string) map[string]int64
}

// TestSharedPassesMatchGitGrep backfills two series, then, midway through
// their backfills (one repository done, the other's shards held back),
// adds five more: every kind, a regexp, a file: filter. The held-back
// shards and the new series' shards are claimed together and evaluated
// in one pass per repository. Every point of every series must be git's.
func TestSharedPassesMatchGitGrep(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	alpha, beta := passRepos(t)
	dirs := map[string]string{"alpha": alpha.Dir, "beta": beta.Dir}
	e.addRepo("alpha", alpha.Dir)
	betaID := e.addRepo("beta", beta.Dir)
	e.syncAndIndex()
	perRepo := &planbackfills.Job{Limits: shardqueue.Limits{Tasks: 1}} // a shard per repository
	job := &runsearches.Job{MaxFileSize: passMaxFileSize}

	all := passSeriesList()
	for _, ps := range all[:2] {
		ps.id, _ = e.addSeries(ps.s)
	}
	e.run(perRepo)
	// Hold beta's shards back: the backfills are midway when the others
	// are added.
	e.exec(`UPDATE search_shards SET process_after = now() + interval '1 hour' WHERE $1 = ANY (repo_ids)`, betaID)
	if c := e.run(job); c["claims"] != 1 || c["passes"] != 1 || c["shards"] != 2 {
		t.Fatalf("first run counts %v: want alpha's two shards in one claim, one pass", c)
	}
	for _, ps := range all[2:] {
		ps.id, _ = e.addSeries(ps.s)
	}
	e.run(perRepo)
	e.exec(`UPDATE search_shards SET process_after = now() WHERE state = 'queued'`)
	c := e.run(job)
	if c["claims"] != 2 || c["passes"] != 2 || c["shards"] != int64(len(all)-2+len(all)) || c["errored"] != 0 {
		t.Fatalf("second run counts %v: want %d shards in 2 claims, one pass per repository", c, 2*len(all)-2)
	}

	times := planning.SampleTimes(insights.Series{Interval: insights.Interval{Unit: "week", Value: 1}, NumPoints: 8}, now)
	for _, ps := range all {
		values, _ := e.points("series_points", ps.id)
		want := map[point]int64{}
		for name, dir := range dirs {
			for _, at := range times {
				commit := gittest.CommitAt(t, dir, at)
				if commit == "" {
					continue
				}
				for capture, v := range ps.want(t, dir, commit) {
					want[point{name, at, capture}] = v
				}
			}
		}
		maps.DeleteFunc(values, func(_ point, v int64) bool { return v == 0 })
		if d := cmp.Diff(want, values); d != "" {
			t.Errorf("series %s %q differs from git (-git +stored):\n%s", ps.s.kind, ps.s.query, d)
		}
	}
	for _, state := range backfillStates(e) {
		if state != "completed" {
			t.Errorf("backfill %s, want completed", state)
		}
	}
}

func backfillStates(e *env) []string {
	e.t.Helper()
	rows, err := e.db.Query(e.ctx, `SELECT state FROM backfills`)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// passSeriesList are the test's series, every kind, with git's answers.
func passSeriesList() []*passSeries {
	week := func(query, kind, groupBy string) series {
		return series{query: query, kind: kind, groupBy: groupBy, unit: "week", points: 8}
	}
	total := func(hits []grepHit) map[string]int64 { return nonzero(map[string]int64{"": int64(len(hits))}) }
	owner := regexp.MustCompile(`(?i)owner:(\w+)`)
	return []*passSeries{
		{s: week("TODO", "search", ""), want: func(t *testing.T, dir, c string) map[string]int64 {
			return total(passGrep(t, dir, c, nil, "-F", "-i", "-e", "TODO"))
		}},
		{s: week(`/owner:(\w+)/`, "capture-group", ""), want: func(t *testing.T, dir, c string) map[string]int64 {
			out := map[string]int64{}
			for _, h := range passGrep(t, dir, c, nil, "-P", "-i", "-e", `owner:\w+`) {
				out[owner.FindStringSubmatch(h.text)[1]]++
			}
			return out
		}},
		{s: week("/TO+DO/", "search", ""), want: func(t *testing.T, dir, c string) map[string]int64 {
			return total(passGrep(t, dir, c, nil, "-P", "-i", "-e", "TO+DO"))
		}},
		{s: week(`file:\.go$ TODO`, "search", ""), want: func(t *testing.T, dir, c string) map[string]int64 {
			return total(passGrep(t, dir, c, []string{"*.go"}, "-F", "-i", "-e", "TODO"))
		}},
		{s: week("TODO", "group-by", "path"), want: func(t *testing.T, dir, c string) map[string]int64 {
			out := map[string]int64{}
			for _, h := range passGrep(t, dir, c, nil, "-F", "-i", "-e", "TODO") {
				out[h.path]++
			}
			return out
		}},
		{s: week("TODO", "group-by", "lang"), want: func(t *testing.T, dir, c string) map[string]int64 {
			out := map[string]int64{}
			for _, h := range passGrep(t, dir, c, nil, "-F", "-i", "-e", "TODO") {
				out[passLangs[path.Ext(h.path)]]++
			}
			return out
		}},
		{s: week("", "language-usage", ""), want: passLangUsage},
	}
}

var passLangs = map[string]string{".go": "Go", ".py": "Python", ".md": "Markdown"}

func nonzero(m map[string]int64) map[string]int64 {
	maps.DeleteFunc(m, func(_ string, v int64) bool { return v == 0 })
	return m
}

// grepHit is a match git grep printed.
type grepHit struct{ path, text string }

// passGrep runs `git grep -z -o -I ARGS commit -- PATHSPECS` and returns
// its matches in files within passMaxFileSize, which Sightline searches.
func passGrep(t *testing.T, dir, commit string, pathspecs []string, args ...string) []grepHit {
	t.Helper()
	sizes := passSizes(t, dir, commit)
	args = append(append(append([]string{"grep", "-z", "-o", "-I"}, args...), commit, "--"), pathspecs...)
	var hits []grepHit
	for line := range strings.Lines(gittest.Output(t, dir, args...)) {
		name, text, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "\x00")
		_, p, _ := strings.Cut(name, ":")
		if sizes[p] <= passMaxFileSize {
			hits = append(hits, grepHit{p, text})
		}
	}
	return hits
}

// passSizes are the sizes of commit's files, from git ls-tree -l.
func passSizes(t *testing.T, dir, commit string) map[string]int64 {
	t.Helper()
	sizes := map[string]int64{}
	for line := range strings.Lines(gittest.Output(t, dir, "ls-tree", "-r", "-l", commit)) {
		meta, p, _ := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		f := strings.Fields(meta)
		n, err := strconv.ParseInt(f[3], 10, 64)
		if err != nil {
			t.Fatalf("ls-tree line %q: %v", line, err)
		}
		sizes[p] = n
	}
	return sizes
}

// passLangUsage counts the lines of commit's text files by language,
// whatever their size, from git show.
func passLangUsage(t *testing.T, dir, commit string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for p := range passSizes(t, dir, commit) {
		data := []byte(gittest.Output(t, dir, "show", fmt.Sprintf("%s:%s", commit, p)) + "\n")
		if lang := passLangs[path.Ext(p)]; lang != "" && !bytes.Contains(data, []byte{0}) {
			out[lang] += int64(bytes.Count(data, []byte("\n")))
		}
	}
	return out
}
