package cli_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

// Sizes of TestManyWorkers: enough shards and uploads that every worker
// gets one, each taking long enough that the kill lands mid-work.
const (
	workersSearchRepos    = 10
	workersExtraSeries    = 7
	workersUploads        = 6
	workersUploadBytes    = 3 << 20
	workersRunSearches    = 4
	workersProcessUploads = 3
	workersSearchGroup    = 2
)

// TestManyWorkers runs 4 run-searches and 3 process-uploads processes at
// once on one schema and one bucket, over three backfills and six uploads.
// The queues are held shut (a table lock) until every worker waits on
// them, so all start claiming together. One run-searches is SIGKILLed
// while it holds a shard; the others drain the queues, and the next
// run-searches (the next cron tick) reaps the dead run and finishes its
// shard. Every process did work, no shard or upload was claimed more often
// than the kill explains, and the results equal a single-process run's.
func TestManyWorkers(t *testing.T) {
	t.Parallel()
	dirs := crashRepos(t, workersSearchRepos)
	lsifRepo, commits := workersLSIFRepo(t)
	clean, multi := crashPair(t, "run-searches", func(p *crashPipeline) { p.setUpWorkers(t, dirs, lsifRepo, commits) })
	if out, err := clean.sightline("run", "process-uploads").CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted process-uploads: %v\n%s", err, out)
	}

	// All the backfills cover the same repositories: claims of two shards
	// each, so that every worker gets some, and groups are exercised.
	multi.env = append(multi.env, fmt.Sprint("SIGHTLINE_SEARCH_GROUP=", workersSearchGroup))
	gate := multi.holdQueues(t)
	var procs []*workerProc
	for i := range workersRunSearches + workersProcessUploads {
		job := "run-searches"
		if i >= workersRunSearches {
			job = "process-uploads"
		}
		procs = append(procs, multi.startWorker(t, job))
	}
	if err := gate.open(workersRunSearches + workersProcessUploads); err != nil {
		for _, p := range procs {
			t.Logf("%s pid %d:\n%s", p.job, p.cmd.Process.Pid, p.out.String())
		}
		t.Fatal(err)
	}
	victim := multi.killShardHolder(t, procs[:workersRunSearches])
	for _, p := range procs {
		if p == victim {
			continue
		}
		if err := p.wait(); err != nil {
			t.Fatalf("%s (pid %d): %v\n%s", p.job, p.cmd.Process.Pid, err, p.out.String())
		}
	}
	if out, err := multi.sightline("run", "run-searches").CombinedOutput(); err != nil {
		t.Fatalf("run-searches after the kill: %v\n%s", err, out)
	}
	multi.checkEveryWorkerWorked(t, procs, victim)
	multi.checkClaims(t)
	compareResults(t, clean, multi)
}

type workerProc struct {
	job    string
	cmd    *exec.Cmd
	out    strings.Builder
	exited chan struct{}
	err    error
}

func (p *workerProc) wait() error {
	select {
	case <-p.exited:
		return p.err
	case <-time.After(120 * time.Second):
		return fmt.Errorf("still running after 120s")
	}
}

func (p *crashPipeline) startWorker(t testing.TB, job string) *workerProc {
	t.Helper()
	w := &workerProc{job: job, cmd: p.sightline("run", job), exited: make(chan struct{})}
	w.cmd.Stdout, w.cmd.Stderr = &w.out, &w.out
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { w.err = w.cmd.Wait(); close(w.exited) }()
	t.Cleanup(func() { _ = w.cmd.Process.Kill(); <-w.exited })
	return w
}

// queueGate holds the shard and upload queues shut: a transaction holding
// both tables in EXCLUSIVE mode, which blocks every claim and reset.
type queueGate struct {
	conn *pgx.Conn
	tx   pgx.Tx
}

func (p *crashPipeline) holdQueues(t *testing.T) *queueGate {
	t.Helper()
	c := p.conn(t)
	tx, err := c.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(context.Background(), `LOCK TABLE search_shards, lsif_uploads IN EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	return &queueGate{conn: c, tx: tx}
}

// open waits until n sessions wait on the lock (the workers: nothing else
// uses this schema now), then releases it.
func (g *queueGate) open(n int) error {
	ctx := context.Background()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var waiting int
		err := g.conn.QueryRow(ctx, `SELECT count(DISTINCT pid) FROM pg_locks
			WHERE NOT granted AND relation IN ('search_shards'::regclass, 'lsif_uploads'::regclass)`).Scan(&waiting)
		if err != nil {
			return err
		}
		if waiting >= n {
			break
		}
		if time.Now().After(deadline) {
			rows, _ := g.conn.Query(ctx, `SELECT locktype || ' ' || coalesce(relation::regclass::text, '-') || ' ' || mode || ' ' || granted FROM pg_locks WHERE NOT granted`)
			locks, _ := pgx.CollectRows(rows, pgx.RowTo[string])
			return fmt.Errorf("only %d of %d workers reached the queues within 60s; locks waited for:\n%s", waiting, n, strings.Join(locks, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
	return g.tx.Commit(ctx)
}

// killShardHolder waits until a shard is completed and one of procs holds
// a shard, SIGKILLs that process and returns it.
func (p *crashPipeline) killShardHolder(t *testing.T, procs []*workerProc) *workerProc {
	t.Helper()
	c := p.conn(t)
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		var pid int
		err := c.QueryRow(context.Background(), `SELECT coalesce(max(r.pid), 0) FROM search_shards s
			JOIN job_runs r ON r.run_id = s.claimed_by AND r.status = 'running'
			WHERE s.state = 'processing' AND EXISTS (SELECT 1 FROM search_shards WHERE state = 'completed')`).Scan(&pid)
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range procs {
			if pid != 0 && w.cmd.Process.Pid == pid {
				if err := w.cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				<-w.exited
				t.Logf("killed run-searches pid %d while it held a shard", pid)
				return w
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("no run-searches held a shard after one completed, within 60s")
	return nil
}

// checkEveryWorkerWorked checks that each surviving worker's run counted
// at least one shard or upload (the victim held one when it was killed).
func (p *crashPipeline) checkEveryWorkerWorked(t *testing.T, procs []*workerProc, victim *workerProc) {
	t.Helper()
	for _, w := range procs {
		if w == victim {
			continue
		}
		key := map[string]string{"run-searches": "shards", "process-uploads": "uploads"}[w.job]
		got := p.query(t, fmt.Sprintf(`SELECT status || ' ' || (counts->>'%s') FROM job_runs WHERE pid = %d AND job = '%s'`,
			key, w.cmd.Process.Pid, w.job))
		var status string
		var n int
		if len(got) == 1 {
			fmt.Sscan(got[0], &status, &n)
		}
		if status != "succeeded" || n < 1 {
			t.Errorf("%s pid %d: run %v, want succeeded with at least one %s", w.job, w.cmd.Process.Pid, got, key)
		}
	}
}

// checkClaims counts claims: every shard and upload completed, each
// claimed once (attempts) but the victim's shard, claimed twice; the
// succeeded runs' tallies add up to exactly the queue.
func (p *crashPipeline) checkClaims(t *testing.T) {
	t.Helper()
	shards := p.query(t, `SELECT count(*) || ' ' || count(*) FILTER (WHERE state = 'completed') || ' ' ||
		count(*) FILTER (WHERE attempts = 1) || ' ' || count(*) FILTER (WHERE attempts = 2) FROM search_shards`)
	var total, completed, once, twice int
	fmt.Sscan(shards[0], &total, &completed, &once, &twice)
	// The killed worker's shards (a claim group) are claimed twice, unless
	// they completed in the instant between the test seeing them held and
	// the kill.
	if total < workersRunSearches || completed != total || once+twice != total || twice > workersSearchGroup {
		t.Errorf("shards (total completed once twice) = %s, want all completed, each claimed once but the killed one's (at most %d), twice",
			shards[0], workersSearchGroup)
	}
	// The killed run's tallies died with it: count the shards it completed
	// before the kill (completion keeps claimed_by) from the queue.
	if got := p.query(t, `SELECT (SELECT sum((counts->>'shards')::int) FROM job_runs WHERE job = 'run-searches' AND status = 'succeeded')
			+ (SELECT count(*) FROM search_shards s JOIN job_runs r ON r.run_id = s.claimed_by AND r.status = 'failed')`); got[0] != fmt.Sprint(total) {
		t.Errorf("run-searches runs completed %s shards, want %d (each once)", got[0], total)
	}
	if got := p.query(t, `SELECT status FROM job_runs WHERE job = 'run-searches' AND status <> 'succeeded'`); !cmp.Equal(got, []string{"failed"}) {
		t.Errorf("unsucceeded run-searches runs = %v, want the killed one, failed (abandoned)", got)
	}
	want := []string{fmt.Sprintf("completed 1 %d", workersUploads)}
	if got := p.query(t, `SELECT state || ' ' || attempts || ' ' || count(*) FROM lsif_uploads GROUP BY state, attempts`); !cmp.Equal(got, want) {
		t.Errorf("uploads (state attempts count) = %v, want %v", got, want)
	}
	if got := p.query(t, `SELECT sum((counts->>'uploads')::int) FROM job_runs WHERE job = 'process-uploads'`); got[0] != fmt.Sprint(workersUploads) {
		t.Errorf("process-uploads runs processed %s uploads, want %d", got[0], workersUploads)
	}
}

// compareResults compares the series, incomplete points, backfills and
// code-intelligence rows of the two pipelines.
func compareResults(t *testing.T, clean, multi *crashPipeline) {
	t.Helper()
	qs := []string{
		`SELECT s.series_key, r.name, p.time, p.capture, p.value, p.commit_oid FROM series_points p
			JOIN insight_series s ON s.id = p.series_id JOIN repos r ON r.id = p.repo_id ORDER BY 1, 2, 3, 4`,
		`SELECT s.series_key, i.time, coalesce(r.name, ''), i.reason, i.detail FROM incomplete_points i
			JOIN insight_series s ON s.id = i.series_id LEFT JOIN repos r ON r.id = i.repo_id ORDER BY 1, 2, 3, 4`,
		`SELECT s.series_key, b.state, b.repos_total, b.repos_done, b.repos_errored FROM backfills b
			JOIN insight_series s ON s.id = b.series_id ORDER BY 1`,
		`SELECT r.name, u.commit_oid, u.state FROM lsif_uploads u JOIN repos r ON r.id = u.repo_id ORDER BY 1, 2`,
	}
	for _, table := range []string{"lsif_documents", "lsif_hovers", "lsif_result_chunks", "lsif_moniker_results"} {
		qs = append(qs, fmt.Sprintf(`SELECT count(*) || ' ' || count(DISTINCT r) || ' ' || coalesce(md5(string_agg(r, '|' ORDER BY r)), '-')
			FROM (SELECT (to_jsonb(t) - 'upload_id')::text || u.commit_oid AS r FROM %s t JOIN lsif_uploads u ON u.id = t.upload_id) rows`, table))
	}
	for _, q := range qs {
		want, got := clean.query(t, q), multi.query(t, q)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s\nmany workers differ from one (-one +many):\n%s", q, d)
		}
		if len(want) == 0 && !strings.Contains(q, "incomplete_points") {
			t.Errorf("%s: no rows: the test is too small to mean much", q)
		}
	}
}

// workersLSIFRepo makes a repository holding every document of the
// generated dump, with one commit per upload.
func workersLSIFRepo(t *testing.T) (dir string, commits []string) {
	g := lsiftest.NewGenerator(workersUploadBytes)
	if _, err := io.Copy(io.Discard, g); err != nil {
		t.Fatal(err)
	}
	r := gittest.New(t)
	for i := 1; i <= g.Documents(); i++ {
		r.WriteFile(lsiftest.DocumentPath(i), "export {}\n")
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	r.Git(at, "add", "-A")
	for i := range workersUploads {
		commits = append(commits, r.Commit(at.Add(time.Duration(i)*time.Hour), fmt.Sprint("upload ", i), map[string]string{"n.txt": fmt.Sprint(i)}))
	}
	return r.Dir, commits
}

// setUpWorkers sets up the search pipeline of setUp over dirs plus the
// LSIF repository, and queues one upload of the generated dump per commit.
func (p *crashPipeline) setUpWorkers(t *testing.T, dirs []string, lsifRepo string, commits []string) {
	p.setUp(t, dirs)
	if t.Failed() {
		return
	}
	// More backfills (one shard each) than run-searches workers.
	p.addBackfills(t, workersExtraSeries)
	if t.Failed() {
		return
	}
	cfg := p.envValue("SIGHTLINE_CONFIG")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Error(err)
		return
	}
	if err := os.WriteFile(cfg, append(b, fmt.Sprintf("  - name: lsif\n    path: %s\n", lsifRepo)...), 0o644); err != nil {
		t.Error(err)
		return
	}
	if out, err := p.sightline("run", "sync-repos").CombinedOutput(); err != nil {
		t.Errorf("sightline run sync-repos: %v\n%s", err, out)
		return
	}
	for _, c := range commits {
		cmd := p.sightline("lsif", "upload", "-", "--repo", "lsif", "--commit", c)
		cmd.Stdin = lsiftest.NewGenerator(workersUploadBytes)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sightline lsif upload: %v\n%s", err, out)
			return
		}
	}
}

func (p *crashPipeline) envValue(key string) string {
	for _, kv := range p.env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}
