package runsearches_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestRecordingReadsNewSides follows every series kind through the real
// jobs: a snapshot after a week of edits, a rename and a deletion
// continues each stored answer with its file values, so git sends the run
// the new sides of the changed files and nothing else, and every point is
// git's. A stored answer without file values (stored before they were
// kept) is evaluated in full once, counted as a fallback, which stores
// them: the next snapshot is incremental again.
func TestRecordingReadsNewSides(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	files := map[string]string{}
	for i := range 12 {
		files["src/f"+strconv.Itoa(i)+".go"] = "package src\n" + strings.Repeat("// TODO errors.New(\"x\")\n", 1+i*3)
	}
	files["README.md"] = "# TODO\n" + strings.Repeat("text\n", 100)
	repo.Commit(day(2, 20), "c1", files)
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	ids := make([]int64, len(incrSeries))
	for i, s := range incrSeries {
		ids[i], _ = e.addSeries(s)
	}
	job := &runsearches.Job{MaxFileSize: incrMaxSize, Concurrency: 1}
	e.run(&planbackfills.Job{})
	wantModes(t, "backfill", e.run(job), 0, len(ids), 0)

	snapshot := func(name string, at time.Time, move []string, changes map[string]string) jobs.Counts {
		t.Helper()
		old := gittest.Output(t, repo.Dir, "rev-parse", "HEAD")
		if move != nil {
			repo.Move(move[0], move[1])
		}
		repo.Commit(at.Add(-time.Hour), name, changes)
		e.now = at
		e.run(&syncrepos.Job{})
		e.run(&indexcommits.Job{})
		e.run(&enqueuesnapshots.Job{})
		c := e.run(job)
		checkOracle(t, e, repo.Dir, ids, "snapshot_points", e.now)
		c["want_bytes"] = newSideBytes(t, repo.Dir, old, "HEAD")
		return c
	}
	c := snapshot("edit, rename, delete", time.Date(2024, 3, 6, 18, 0, 0, 0, time.UTC), []string{"src/f1.go", "lib/f1.go"}, map[string]string{
		"src/f2.go": "package src // TODO\n", "src/f3.go": "", "src/f4.go": files["src/f4.go"] + "// TODO\n"})
	wantModes(t, "snapshot", c, len(ids), 0, 0)
	if c["blob_bytes"] != c["want_bytes"] {
		t.Errorf("snapshot: git sent %d blob bytes, want %d (the new sides of the changed files)", c["blob_bytes"], c["want_bytes"])
	}

	e.exec(`UPDATE series_answer_states SET files = NULL`)
	c = snapshot("move back", time.Date(2024, 3, 7, 18, 0, 0, 0, time.UTC), []string{"lib/f1.go", "src/f1.go"}, map[string]string{"src/f5.go": "// TODO\n"})
	wantModes(t, "answers without file values", c, 0, len(ids), len(ids))
	c = snapshot("again", time.Date(2024, 3, 8, 18, 0, 0, 0, time.UTC), nil, map[string]string{"src/f6.go": "// TODO TODO\n"})
	wantModes(t, "after the upgrade", c, len(ids), 0, 0)
	if c["blob_bytes"] != c["want_bytes"] {
		t.Errorf("after the upgrade: git sent %d blob bytes, want %d (the new sides of the changed files)", c["blob_bytes"], c["want_bytes"])
	}
}

// newSideBytes is the size of the distinct blobs the changes from a to b
// add or modify: the new sides git diff-tree lists.
func newSideBytes(t *testing.T, dir, a, b string) int64 {
	t.Helper()
	seen := map[string]bool{}
	var n int64
	for _, line := range strings.Split(gittest.Output(t, dir, "diff-tree", "-r", "--no-renames", a, b), "\n") {
		f := strings.Fields(line)
		if len(f) < 6 || f[4] == "D" || seen[f[3]] {
			continue
		}
		seen[f[3]] = true
		size, err := strconv.ParseInt(gittest.Output(t, dir, "cat-file", "-s", f[3]), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		n += size
	}
	if n == 0 {
		t.Fatalf("no new sides between %s and %s", a, b)
	}
	return n
}

// TestRecordingGitProcesses checks, with git's own trace of the processes
// it starts, that a snapshot continuing a stored answer runs one git to
// list the changes and one to read their new sides: no tree listing, and
// no git to check that the stored answer's commit is on the branch's line
// of history (the commit index says so).
func TestRecordingGitProcesses(t *testing.T) {
	e := newEnv(t, now)
	repo := gittest.New(t)
	repo.Commit(day(2, 20), "c1", map[string]string{"a.go": "// TODO\n", "b.go": "// TODO TODO\n"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	id, _ := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 2})
	e.run(&planbackfills.Job{})
	job := &runsearches.Job{Concurrency: 1}
	wantModes(t, "backfill", e.run(job), 0, 1, 0)
	repo.Commit(now.Add(time.Hour), "edit", map[string]string{"b.go": "// TODO TODO TODO\n"})
	e.now = now.Add(2 * time.Hour)
	e.syncAndIndex()
	e.run(&enqueuesnapshots.Job{})
	trace := filepath.Join(t.TempDir(), "trace2")
	t.Setenv("GIT_TRACE2", trace) // no t.Parallel: it changes the environment
	wantModes(t, "snapshot", e.run(job), 1, 0, 0)
	log, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(string(log), "\n") {
		if _, cmd, ok := strings.Cut(line, " start git "); ok {
			got = append(got, strings.Fields(cmd)[0])
		}
	}
	if diff := cmp.Diff([]string{"diff-tree", "cat-file"}, got); diff != "" {
		t.Errorf("git processes of a snapshot continuing its answer (-want +got):\n%s", diff)
	}
	values, _ := e.points("snapshot_points", id)
	if want := gittest.GrepCount(t, repo.Dir, "HEAD", "TODO"); values[point{"demo", e.now, ""}] != want {
		t.Errorf("snapshot %v, want %d (git grep)", values, want)
	}
}
