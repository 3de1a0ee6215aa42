package cli_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
)

// crashNow is the fixed clock of both pipelines, so that they plan the same
// sample times.
const crashNow = "2025-01-01T12:00:00Z"

// TestRunSearchesCrash kills `sightline run run-searches` with SIGKILL in
// the middle of a run — after it completed a shard, before it finished the
// others: the three backfills cover the same repositories, so their shards
// are one claim group, evaluated in shared passes and stored one shard
// after the other, and the kill lands between them — and runs it again. The series must then equal those of an
// uninterrupted run on the same repositories, with no duplicates, and every
// backfill must be finished.
func TestRunSearchesCrash(t *testing.T) {
	t.Parallel()
	dirs := crashRepos(t, 12)
	clean, crashed := crashPair(t, "run-searches", func(p *crashPipeline) { p.setUp(t, dirs) })
	completed, out := killMidRun(t, crashed, "run-searches", func() int {
		completed, _ := crashed.waitForShard(t)
		return completed
	})
	after, total := crashed.shardCounts(t)
	if after >= total {
		t.Fatalf("the kill landed after the run finished (%d of %d shards done); the test needs more work per shard\n%s", after, total, out)
	}
	t.Logf("killed run-searches with %d of %d shards completed (%d when the kill was sent)", after, total, completed)
	if got := crashed.query(t, `SELECT status FROM job_runs WHERE job = 'run-searches'`); len(got) != 1 || got[0] != "running" {
		t.Fatalf("killed run recorded as %v, want it left running", got)
	}

	if out, err := crashed.sightline("run", "run-searches").CombinedOutput(); err != nil {
		t.Fatalf("run-searches after the crash: %v\n%s", err, out)
	}
	if done, total := crashed.shardCounts(t); done != total {
		t.Fatalf("after the rerun %d of %d shards are completed", done, total)
	}
	if got := crashed.query(t, `SELECT status FROM job_runs WHERE job = 'run-searches' ORDER BY id`); !cmp.Equal(got, []string{"failed", "succeeded"}) {
		t.Fatalf("run-searches runs = %v, want the killed one failed (abandoned) and the rerun succeeded", got)
	}
	checkSameAsClean(t, clean, crashed)
}

// checkSameAsClean compares the series points, incomplete points,
// backfills and recording times of a crashed and resumed pipeline with
// those of the uninterrupted one, and checks that every backfill
// completed.
func checkSameAsClean(t *testing.T, clean, crashed *crashPipeline) {
	t.Helper()
	for _, q := range []string{
		`SELECT s.series_key, r.name, p.time, p.capture, p.value, p.commit_oid FROM series_points p
			JOIN insight_series s ON s.id = p.series_id JOIN repos r ON r.id = p.repo_id ORDER BY 1, 2, 3, 4`,
		`SELECT s.series_key, i.time, coalesce(r.name, ''), i.reason, i.detail FROM incomplete_points i
			JOIN insight_series s ON s.id = i.series_id LEFT JOIN repos r ON r.id = i.repo_id ORDER BY 1, 2, 3, 4`,
		`SELECT s.series_key, b.state, b.repos_total, b.repos_done, b.repos_errored FROM backfills b
			JOIN insight_series s ON s.id = b.series_id ORDER BY 1`,
		`SELECT s.series_key, t.time, t.snapshot FROM series_recording_times t
			JOIN insight_series s ON s.id = t.series_id ORDER BY 1, 2`,
	} {
		want, got := clean.query(t, q), crashed.query(t, q)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s\ncrashed and resumed differs from uninterrupted (-clean +crashed):\n%s", q, d)
		}
		if strings.Contains(q, "series_points") && len(want) < 1000 {
			t.Errorf("only %d points: the test is too small to mean much", len(want))
		}
	}
	for _, state := range clean.query(t, `SELECT state FROM backfills`) {
		if state != "completed" {
			t.Errorf("backfill %s, want completed", state)
		}
	}
}

// crashPair sets up a clean and a to-be-crashed pipeline in parallel (each
// its own schema and data directory) and runs job uninterrupted on clean.
func crashPair(t *testing.T, job string, setUp func(*crashPipeline)) (clean, crashed *crashPipeline) {
	t.Helper()
	clean, crashed = &crashPipeline{}, &crashPipeline{}
	var wg sync.WaitGroup
	for _, p := range []*crashPipeline{clean, crashed} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			setUp(p)
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	if out, err := clean.sightline("run", job).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted %s: %v\n%s", job, err, out)
	}
	return clean, crashed
}

// killMidRun starts job on p, calls midway (which waits for work to be under
// way) and SIGKILLs the process. It returns midway's result and the output.
func killMidRun[T any](t *testing.T, p *crashPipeline, job string, midway func() T) (T, string) {
	t.Helper()
	cmd := p.sightline("run", job)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	v := midway()
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	return v, out.String()
}

// crashPipeline is one schema and data directory, with the repositories
// registered, synced and indexed and the backfills planned.
type crashPipeline struct {
	url string
	env []string
}

func (p *crashPipeline) sightline(args ...string) *exec.Cmd { return runSightline(p.env, args...) }

func (p *crashPipeline) setUp(t testing.TB, dirs []string) {
	url, drop, err := newSchemaURL()
	if err != nil {
		t.Error(err)
		return
	}
	t.Cleanup(drop)
	p.url = url
	data := t.TempDir()
	config := "repos:\n"
	for i, dir := range dirs {
		config += fmt.Sprintf("  - name: repo-%d\n    path: %s\n", i, dir)
	}
	if err := os.WriteFile(filepath.Join(data, "sightline.yaml"), []byte(config), 0o644); err != nil {
		t.Error(err)
		return
	}
	p.env = append(os.Environ(), "DATABASE_URL="+url, "SIGHTLINE_DATA_DIR="+data,
		"SIGHTLINE_CONFIG="+filepath.Join(data, "sightline.yaml"), "SIGHTLINE_NOW="+crashNow)
	if out, err := p.sightline("migrate", "up").CombinedOutput(); err != nil {
		t.Errorf("sightline migrate up: %v\n%s", err, out)
		return
	}
	for _, s := range []struct{ key, query, kind, groupBy string }{
		{"todo", "TODO", "search", ""},
		{"owners", `/owner:(\w+)/`, "capture-group", ""},
		{"fixme-by-lang", "FIXME", "group-by", "lang"},
	} {
		p.exec(t, `WITH s AS (
				INSERT INTO insight_series (series_key, query, kind, group_by, repo_scope, interval_unit, interval_value, num_points)
				VALUES ($1, $2, $3, NULLIF($4, ''), 'all', 'week', 1, 52) RETURNING id)
			INSERT INTO backfills (series_id) SELECT id FROM s`, s.key, s.query, s.kind, s.groupBy)
	}
	for _, job := range []string{"sync-repos", "index-commits", "plan-backfills"} {
		if out, err := p.sightline("run", job).CombinedOutput(); err != nil {
			t.Errorf("sightline run %s: %v\n%s", job, err, out)
			return
		}
	}
}

func (p *crashPipeline) conn(t testing.TB) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), p.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func (p *crashPipeline) exec(t testing.TB, sql string, args ...any) {
	t.Helper()
	if _, err := p.conn(t).Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// query returns the rows of sql, each formatted as one string.
func (p *crashPipeline) query(t testing.TB, sql string) []string {
	t.Helper()
	rows, err := p.conn(t).Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (string, error) {
		vals, err := row.Values()
		for i, v := range vals {
			if tm, ok := v.(time.Time); ok {
				vals[i] = tm.UTC().Format(time.RFC3339)
			}
		}
		return fmt.Sprint(vals...), err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (p *crashPipeline) shardCounts(t testing.TB) (completed, total int) {
	t.Helper()
	err := p.conn(t).QueryRow(context.Background(),
		`SELECT count(*) FILTER (WHERE state = 'completed'), count(*) FROM search_shards`).Scan(&completed, &total)
	if err != nil {
		t.Fatal(err)
	}
	return completed, total
}

// waitForShard waits until the run has completed a shard.
func (p *crashPipeline) waitForShard(t *testing.T) (completed, total int) {
	t.Helper()
	c := p.conn(t)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		err := c.QueryRow(context.Background(),
			`SELECT count(*) FILTER (WHERE state = 'completed'), count(*) FROM search_shards`).Scan(&completed, &total)
		if err != nil {
			t.Fatal(err)
		}
		if completed > 0 {
			return completed, total
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("run-searches completed no shard within 60s")
	return 0, 0
}

// crashRepos generates n repositories with a year of history each, through
// git fast-import: files with TODO, FIXME and owner: lines that commits
// keep rewriting, some weeks without commits.
func crashRepos(t testing.TB, n int) []string {
	dirs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		dirs[i] = filepath.Join(t.TempDir(), "repo")
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := generateRepo(dirs[i], uint64(i)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	return dirs
}

func generateRepo(dir string, seed uint64) error {
	if out, err := exec.Command("git", "init", "-q", "--initial-branch=main", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("git init: %v\n%s", err, out)
	}
	cmd := exec.Command("git", "fast-import", "--quiet")
	cmd.Dir = dir
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	w := bufio.NewWriter(in)
	writeHistory(w, rand.New(rand.NewPCG(seed, 7)))
	if err := w.Flush(); err != nil {
		return err
	}
	in.Close()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git fast-import: %v\n%s", err, out.String())
	}
	if out, err := exec.Command("git", "-C", dir, "reset", "-q", "--hard").CombinedOutput(); err != nil {
		return fmt.Errorf("git reset: %v\n%s", err, out)
	}
	return nil
}

var (
	crashOwners = []string{"alice", "bob", "carol", "dave", "erin"}
	crashExts   = []string{".go", ".ts", ".py", ".md"}
)

// writeHistory writes a fast-import stream: 400 commits over the year
// before crashNow, each rewriting one or two of 40 files.
func writeHistory(w *bufio.Writer, r *rand.Rand) {
	end, _ := time.Parse(time.RFC3339, crashNow)
	start := end.AddDate(-1, 0, -14)
	at := start
	for i := range 400 {
		at = at.Add(time.Duration(r.IntN(40)) * time.Hour)
		if r.IntN(30) == 0 {
			at = at.AddDate(0, 0, 10) // a quiet stretch
		}
		if at.After(end) {
			break
		}
		fmt.Fprintf(w, "commit refs/heads/main\ncommitter Test <test@example.com> %d +0000\n", at.Unix())
		msg := fmt.Sprint("commit ", i)
		fmt.Fprintf(w, "data %d\n%s\n", len(msg), msg)
		changed := []int{r.IntN(40), r.IntN(40)}[:1+r.IntN(2)]
		if i == 0 {
			changed = make([]int, 40)
			for k := range changed {
				changed[k] = k
			}
		}
		for _, k := range changed {
			content := fileContent(r)
			fmt.Fprintf(w, "M 100644 inline src/f%d%s\ndata %d\n%s\n", k, crashExts[k%len(crashExts)], len(content), content)
		}
	}
}

func fileContent(r *rand.Rand) string {
	var b strings.Builder
	for range 20 + r.IntN(60) {
		switch r.IntN(6) {
		case 0:
			fmt.Fprintf(&b, "// TODO: owner:%s fix this\n", crashOwners[r.IntN(len(crashOwners))])
		case 1:
			b.WriteString("x = y // FIXME todo later\n")
		default:
			fmt.Fprintf(&b, "value_%d = compute(%d)\n", r.IntN(1000), r.IntN(1000))
		}
	}
	return b.String()
}
