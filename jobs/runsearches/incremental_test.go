package runsearches_test

import (
	"path"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// incrMaxSize is the file size limit of the incremental test: small, so
// that a file can grow past it.
const incrMaxSize = 2048

// incrSeries are the series kinds of the incremental test, by name.
var incrSeries = []series{
	{query: "TODO", kind: "search", unit: "week", points: 3},
	{query: `/errors\.New\("([a-z]+)/`, kind: "capture-group", unit: "week", points: 3},
	{query: "TODO", kind: "group-by", groupBy: "path", unit: "week", points: 3},
	{query: "TODO", kind: "group-by", groupBy: "lang", unit: "week", points: 3},
	{query: "", kind: "language-usage", unit: "week", points: 3},
}

// TestIncrementalRecordings follows every series kind through the real
// jobs after its backfill: snapshots and recordings continue the stored
// answers over what changed (renames, deletions, a file becoming binary,
// one growing past the size limit, one becoming text again), and each
// point is what git grep says. A force-pushed branch, and then a changed
// file size limit (the state key), fall back to full evaluations, counted.
func TestIncrementalRecordings(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now) // Wednesday March 6
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c1", map[string]string{
		"a.go":      "package a\n// TODO one\nvar e = errors.New(\"open\")\n",
		"README.md": "# TODO\nerrors.New(\"doc\")\n",
		"big.go":    "package big // TODO\n",
		"blob.txt":  "\x00 TODO binary\n",
	})
	repo.Commit(day(2, 20), "c2", map[string]string{"b.go": "package b\n// todo TODO\nerrors.New(\"close\")\n"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	ids := make([]int64, len(incrSeries))
	for i, s := range incrSeries {
		ids[i], _ = e.addSeries(s)
	}
	job := &runsearches.Job{MaxFileSize: incrMaxSize, Concurrency: 1}
	e.run(&planbackfills.Job{})
	wantModes(t, "backfill", e.run(job), 0, len(ids), 0)

	// A snapshot continues the backfill's last point.
	e.run(&enqueuesnapshots.Job{})
	wantModes(t, "first snapshot", e.run(job), len(ids), 0, 0)
	checkOracle(t, e, repo.Dir, ids, "snapshot_points", e.now)

	// A week of changes, then a recording (March 11) and a snapshot.
	repo.Move("a.go", "pkg/a.go")
	repo.Commit(day(3, 7), "rename and edit", map[string]string{"pkg/a.go": "package a\n// TODO one TODO\nerrors.New(\"open\")\n"})
	repo.Commit(day(3, 8), "delete, binary", map[string]string{"README.md": "", "b.go": "\x00 TODO TODO\n", "blob.txt": "TODO now text\n"})
	repo.Commit(day(3, 12), "grow", map[string]string{"big.go": "package big // TODO\n" + strings.Repeat("// TODO errors.New(\"big\")\n", 100),
		"notes.md": "TODO\nerrors.New(\"note\") errors.New(\"open\")\n"})
	// The clock moves first: index-commits records its index complete
	// through the run's clock, and a recording after that would wait.
	e.now = time.Date(2024, 3, 13, 9, 0, 0, 0, time.UTC)
	e.run(&syncrepos.Job{})
	e.run(&indexcommits.Job{})
	e.run(&enqueuesnapshots.Job{})
	wantModes(t, "recording and snapshot", e.run(job), 2*len(ids), 0, 0)
	checkOracle(t, e, repo.Dir, ids, "series_points", midnight(3, 11))
	checkOracle(t, e, repo.Dir, ids, "snapshot_points", e.now)
	var skipped string
	e.db.QueryRow(e.ctx, `SELECT detail FROM incomplete_points WHERE series_id = $1 AND time = $2 AND reason = 'skipped-files'`,
		ids[0], e.now).Scan(&skipped)
	if !strings.HasPrefix(skipped, "too-large=1 ") {
		t.Errorf("snapshot's skipped files %q, want too-large=1", skipped)
	}

	// The branch is force-pushed: its stored head is no longer on the
	// line of history of the new one.
	repo.Git(time.Time{}, "reset", "--quiet", "--hard", gittest.CommitAt(t, repo.Dir, day(3, 1)))
	repo.Commit(day(3, 13), "rewritten", map[string]string{"c.go": "package c // TODO TODO TODO\n"})
	e.now = time.Date(2024, 3, 14, 9, 0, 0, 0, time.UTC)
	e.run(&syncrepos.Job{})
	e.run(&indexcommits.Job{})
	e.run(&enqueuesnapshots.Job{})
	wantModes(t, "force-push", e.run(job), 0, len(ids), len(ids))
	checkOracle(t, e, repo.Dir, ids, "snapshot_points", e.now)

	// Another size limit changes what a match count is: those stored
	// answers are not continued. Language usage does not depend on it.
	job.MaxFileSize = 4 * incrMaxSize
	e.now = time.Date(2024, 3, 15, 9, 0, 0, 0, time.UTC)
	e.run(&enqueuesnapshots.Job{})
	wantModes(t, "new size limit", e.run(job), 1, len(ids)-1, len(ids)-1)

}

// wantModes checks a run-searches run's incremental, full and fallback
// counts (full tasks whose stored answer could not be continued).
func wantModes(t *testing.T, name string, c jobs.Counts, incremental, full, fallback int) {
	t.Helper()
	if c["incremental"] != int64(incremental) || c["full"] != int64(full) || c["fallback"] != int64(fallback) || c["errored"] != 0 {
		t.Errorf("%s: run-searches counts %v, want incremental %d, full %d, fallback %d", name, c, incremental, full, fallback)
	}
}

// checkOracle compares each series' stored values at time at in table with
// git grep at the commit the repository was at then (its HEAD for a
// snapshot).
func checkOracle(t *testing.T, e *env, dir string, ids []int64, table string, at time.Time) {
	t.Helper()
	commit := gittest.CommitAt(t, dir, at)
	if table == "snapshot_points" {
		commit = gittest.Output(t, dir, "rev-parse", "HEAD")
	}
	for i, s := range incrSeries {
		values, commits := e.points(table, ids[i])
		got := map[string]int64{}
		for k, v := range values {
			if k.Time.Equal(at) {
				got[k.Capture] = v
				if commits[k] != commit {
					t.Errorf("%s %s at %s: commit %s, want %s", table, s.kind, at, commits[k], commit)
				}
			}
		}
		want := oracle(t, dir, commit, s)
		if d := cmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%s %s %s at %s differs from git (-git +sightline):\n%s", table, s.kind, s.groupBy, at.Format(time.DateTime), d)
		}
	}
}

// oracle is what git says series s is at commit: matches from git grep -o
// -I (binary files left out) in files no larger than incrMaxSize, by path,
// language or captured value; lines per language from git grep -c.
func oracle(t *testing.T, dir, commit string, s series) map[string]int64 {
	t.Helper()
	sizes := treeSizes(t, dir, commit)
	out := map[string]int64{}
	if s.kind == "language-usage" {
		for _, line := range grepLines(t, dir, commit, "-c", "-e", "") {
			p, n, _ := strings.Cut(line, ":")
			lines, err := strconv.ParseInt(n, 10, 64)
			if err != nil {
				t.Fatalf("git grep -c printed %q", line)
			}
			out[langOf(p)] += lines
		}
		return out
	}
	args := []string{"-o", "-i", "-F", "-e", "TODO"}
	capture := regexp.MustCompile(`errors\.New\("([a-z]+)`)
	if s.kind == "capture-group" {
		args = []string{"-o", "-i", "-P", "-e", `errors\.New\("[a-z]+`}
	}
	for _, line := range grepLines(t, dir, commit, args...) {
		p, match, _ := strings.Cut(line, ":")
		if sizes[p] > incrMaxSize {
			continue
		}
		switch {
		case s.kind == "capture-group":
			out[capture.FindStringSubmatch(match)[1]]++
		case s.groupBy == "path":
			out[p]++
		case s.groupBy == "lang":
			out[langOf(p)]++
		default:
			out[""]++
		}
	}
	return out
}

// grepLines runs git grep -I args at commit and returns its lines without
// the commit prefix.
func grepLines(t *testing.T, dir, commit string, args ...string) []string {
	t.Helper()
	out := gittest.Output(t, dir, append(append([]string{"grep", "-I"}, args...), commit)...)
	if out == "" {
		return nil
	}
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, commit+":")
	}
	return lines
}

// treeSizes returns the size of each file of commit.
func treeSizes(t *testing.T, dir, commit string) map[string]int64 {
	t.Helper()
	sizes := map[string]int64{}
	for _, line := range strings.Split(gittest.Output(t, dir, "ls-tree", "-r", "-l", commit), "\n") {
		meta, p, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		n, err := strconv.ParseInt(f[len(f)-1], 10, 64)
		if err != nil {
			t.Fatalf("git ls-tree printed %q", line)
		}
		sizes[p] = n
	}
	return sizes
}

// langOf is the language of a file of the test's repository.
func langOf(p string) string {
	return map[string]string{".go": "Go", ".md": "Markdown", ".txt": "Text"}[path.Ext(p)]
}
