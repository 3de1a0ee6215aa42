package cli_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

// lsifCrashBytes is the size of the generated dump: large enough that
// processing takes seconds, so the kill lands in the middle of it.
const lsifCrashBytes = 48 << 20

// TestProcessUploadsCrash kills `sightline run process-uploads` with
// SIGKILL while it loads an upload's rows, and runs it again. The upload
// must then be completed exactly once, its rows equal to those of an
// uninterrupted processing of the same dump in another schema, with no
// duplicates.
func TestProcessUploadsCrash(t *testing.T) {
	t.Parallel()
	repo, commit := lsifCrashRepo(t)
	clean, crashed := crashPair(t, "process-uploads", func(p *crashPipeline) { p.setUpLSIF(t, repo, commit) })
	ranges, out := killMidRun(t, crashed, "process-uploads", func() int { return crashed.waitForRows(t) })
	if got := crashed.query(t, `SELECT state FROM lsif_uploads`); !cmp.Equal(got, []string{"processing"}) {
		t.Fatalf("the kill landed after processing ended (upload %v); the test needs a larger dump\n%s", got, out)
	}
	t.Logf("killed process-uploads with %d ranges loaded", ranges)

	if out, err := crashed.sightline("run", "process-uploads").CombinedOutput(); err != nil {
		t.Fatalf("process-uploads after the crash: %v\n%s", err, out)
	}
	if got := crashed.query(t, `SELECT state || ' ' || attempts || ' ' || coalesce(failure_message, '-') FROM lsif_uploads`); !cmp.Equal(got, []string{"completed 2 -"}) {
		t.Errorf("uploads after the rerun = %q, want one completed on its second attempt", got)
	}
	if got := crashed.query(t, `SELECT status FROM job_runs WHERE job = 'process-uploads' ORDER BY id`); !cmp.Equal(got, []string{"failed", "succeeded"}) {
		t.Errorf("process-uploads runs = %v, want the killed one failed (abandoned) and the rerun succeeded", got)
	}
	if got := crashed.query(t, `SELECT dirty_token FROM lsif_dirty_repos`); !cmp.Equal(got, []string{"1"}) {
		t.Errorf("dirty tokens %v, want the repository marked dirty once", got)
	}
	for _, table := range []string{"lsif_documents", "lsif_hovers", "lsif_result_chunks",
		"lsif_moniker_results", "lsif_diagnostics", "lsif_packages", "lsif_package_references"} {
		// Every row but its upload id, counted, counted distinct, and
		// digested in order.
		q := fmt.Sprintf(`SELECT count(*) || ' ' || count(DISTINCT r) || ' ' || coalesce(md5(string_agg(r, '|' ORDER BY r)), '-')
			FROM (SELECT (to_jsonb(t) - 'upload_id')::text AS r FROM %s t) rows`, table)
		want, got := clean.query(t, q), crashed.query(t, q)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s: crashed and resumed differs from uninterrupted (-clean +crashed):\n%s", table, d)
		}
		var n, distinct int
		var digest string
		fmt.Sscan(got[0], &n, &distinct, &digest)
		if n != distinct {
			t.Errorf("%s: %d rows, %d distinct: duplicates", table, n, distinct)
		}
	}
	var loaded int
	fmt.Sscan(crashed.query(t, `SELECT coalesce(sum(ranges), 0) FROM lsif_documents`)[0], &loaded)
	if loaded < 50_000 {
		t.Errorf("only %d ranges: the test is too small to mean much", loaded)
	}
}

// lsifCrashRepo makes a repository whose commit holds every document of
// the generated dump, so that pruning keeps them all.
func lsifCrashRepo(t *testing.T) (dir, commit string) {
	g := lsiftest.NewGenerator(lsifCrashBytes)
	if _, err := io.Copy(io.Discard, g); err != nil {
		t.Fatal(err)
	}
	r := gittest.New(t)
	for i := 1; i <= g.Documents(); i++ {
		p := filepath.Join(r.Dir, lsiftest.DocumentPath(i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("export {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	r.Git(at, "add", "-A")
	return r.Dir, r.Commit(at, "generated", nil)
}

// setUpLSIF migrates a schema of its own, registers repo and uploads the
// generated dump at commit from stdin, queued for process-uploads.
func (p *crashPipeline) setUpLSIF(t *testing.T, repo, commit string) {
	url, drop, err := newSchemaURL()
	if err != nil {
		t.Error(err)
		return
	}
	t.Cleanup(drop)
	p.url = url
	data := t.TempDir()
	config := fmt.Sprintf("repos:\n  - name: bench\n    path: %s\n", repo)
	if err := os.WriteFile(filepath.Join(data, "sightline.yaml"), []byte(config), 0o644); err != nil {
		t.Error(err)
		return
	}
	p.env = append(os.Environ(), "DATABASE_URL="+url, "SIGHTLINE_DATA_DIR="+data,
		"SIGHTLINE_CONFIG="+filepath.Join(data, "sightline.yaml"))
	for _, args := range [][]string{{"migrate", "up"}, {"run", "sync-repos"}} {
		if out, err := p.sightline(args...).CombinedOutput(); err != nil {
			t.Errorf("sightline %s: %v\n%s", strings.Join(args, " "), err, out)
			return
		}
	}
	cmd := p.sightline("lsif", "upload", "-", "--repo", "bench", "--commit", commit, "--chunk-size", "8MiB")
	cmd.Stdin = lsiftest.NewGenerator(lsifCrashBytes)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("sightline lsif upload: %v\n%s", err, out)
	}
}

// waitForRows waits until the upload is processing and some of its ranges
// are loaded (each batch commits on its own, invisible to code navigation
// until the upload completes), and returns how many.
func (p *crashPipeline) waitForRows(t *testing.T) int {
	t.Helper()
	c := p.conn(t)
	deadline := time.Now().Add(120 * time.Second)
	for time.Now().Before(deadline) {
		var n int
		var state string
		err := c.QueryRow(context.Background(), `SELECT u.state, (SELECT coalesce(sum(d.ranges), 0) FROM lsif_documents d WHERE d.upload_id = u.id)
			FROM lsif_uploads u`).Scan(&state, &n)
		if err != nil {
			t.Fatal(err)
		}
		if state != "processing" && state != "queued" {
			t.Fatalf("the upload is %s before any rows were seen loading; the test needs a larger dump", state)
		}
		if state == "processing" && n > 0 {
			return n
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("process-uploads loaded no rows within 120s")
	return 0
}
