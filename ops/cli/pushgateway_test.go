package cli_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// TestRunPushesToPushgateway builds the Pushgateway pinned in go.mod (a tool
// dependency), starts it, runs a real sync-repos run with
// SIGHTLINE_PUSHGATEWAY_URL set, and reads back from the gateway's /metrics
// the series the run pushed: its status, counts, rows loaded per batch kind,
// last success time, and the queue gauges. A second run with the gateway
// unreachable must still succeed.
func TestRunPushesToPushgateway(t *testing.T) {
	t.Parallel()
	gw := startPushgateway(t)
	env := syncReposEnv(t)
	before := time.Now()
	out := mustSightline(t, append(env, "SIGHTLINE_PUSHGATEWAY_URL="+gw), "run", "sync-repos")
	after := time.Now()
	if !strings.Contains(out, "succeeded") {
		t.Fatalf("sightline run sync-repos: %s", out)
	}
	t.Logf("run output:\n%s", out)
	fams := scrape(t, gw+"/metrics")
	run := map[string]string{"job": "sightline", "sightline_job": "sync-repos"}
	want := []struct {
		name   string
		labels map[string]string
		value  float64
	}{
		{"sightline_run_status", with(run, "status", "succeeded"), 1},
		{"sightline_job_interval_seconds", run, 15 * 60}, // sync-repos runs every 15 minutes by default,
		{"sightline_run_status", with(run, "status", "failed"), 0},
		{"sightline_runs_total", with(run, "status", "succeeded"), 1},
		{"sightline_run_count", with(run, "name", "synced"), 1},
		{"sightline_run_count", with(run, "name", "repos"), 1},
		{"sightline_run_rows_loaded", with(run, "kind", "repo-sync"), 1},
		{"sightline_queue_items", map[string]string{"job": "sightline-queues", "queue": "shards", "state": "queued"}, 0},
		{"sightline_queue_items", map[string]string{"job": "sightline-queues", "queue": "uploads", "state": "errored"}, 0},
		{"sightline_queue_oldest_age_seconds", map[string]string{"job": "sightline-queues", "queue": "uploads"}, 0},
		{"sightline_backfill_repos", map[string]string{"job": "sightline-queues", "state": "total"}, 0},
	}
	for _, w := range want {
		got, ok := metricValue(fams, w.name, w.labels)
		if !ok || got != w.value {
			t.Errorf("pushgateway %s%v = %v (found %v), want %v", w.name, w.labels, got, ok, w.value)
		}
	}
	last, ok := metricValue(fams, "sightline_run_last_success_timestamp_seconds", run)
	if !ok || last < float64(before.Unix()) || last > float64(after.Unix()+1) {
		t.Errorf("pushgateway last success = %v (found %v), want between %d and %d", last, ok, before.Unix(), after.Unix())
	}
	if d, ok := metricValue(fams, "sightline_run_duration_seconds", run); !ok || d <= 0 || d > after.Sub(before).Seconds() {
		t.Errorf("pushgateway run duration = %v (found %v), want in (0, %v]", d, ok, after.Sub(before).Seconds())
	}

	// A push that fails is logged and leaves the run's outcome alone.
	out = mustSightline(t, append(env, "SIGHTLINE_PUSHGATEWAY_URL=http://"+closedAddr(t)), "run", "sync-repos")
	if !strings.Contains(out, "succeeded") || !strings.Contains(out, "metrics not pushed") {
		t.Errorf("run with an unreachable pushgateway: want a succeeded run and a warning, got:\n%s", out)
	}
}

// startPushgateway builds the pinned Pushgateway and runs it on a free
// loopback port until the test ends; it returns its base URL.
func startPushgateway(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "pushgateway")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/prometheus/pushgateway").CombinedOutput(); err != nil {
		t.Fatalf("build the pushgateway tool dependency: %v\n%s", err, out)
	}
	addr := closedAddr(t)
	cmd := exec.Command(bin, "--web.listen-address="+addr)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	url := "http://" + addr
	waitReady(t, url+"/-/ready", &log)
	return url
}

func waitReady(t *testing.T, url string, log fmt.Stringer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s not ready within 30s:\n%s", url, log)
}

// closedAddr returns a loopback address nothing listens on (just now).
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// syncReposEnv returns the environment of a sightline process on a schema
// of its own, migrated, with one local repository registered.
func syncReposEnv(t *testing.T) []string {
	t.Helper()
	url := schemaURL(t)
	dir := t.TempDir()
	env := append(os.Environ(), "DATABASE_URL="+url, "SIGHTLINE_DATA_DIR="+filepath.Join(dir, ".sightline"),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com")
	repo := filepath.Join(dir, "repo")
	for _, args := range [][]string{{"init", "-q", "-b", "main", repo}, {"-C", repo, "commit", "-q", "--allow-empty", "-m", "first"}} {
		git := exec.Command("git", args...)
		git.Env = env
		if out, err := git.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	mustSightline(t, env, "migrate", "up")
	mustSightline(t, env, "repos", "add", "demo", "--path", repo)
	return env
}

func mustSightline(t *testing.T, env []string, args ...string) string {
	t.Helper()
	out, err := runSightline(env, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("sightline %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// scrape reads the text exposition format at url.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

// metricValue is the value of the gauge, counter or untyped series of
// family name whose labels include labels.
func metricValue(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		if hasLabels(m, labels) {
			switch {
			case m.Gauge != nil:
				return m.GetGauge().GetValue(), true
			case m.Counter != nil:
				return m.GetCounter().GetValue(), true
			case m.Untyped != nil:
				return m.GetUntyped().GetValue(), true
			}
		}
	}
	return 0, false
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	have := map[string]string{}
	for _, l := range m.GetLabel() {
		have[l.GetName()] = l.GetValue()
	}
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

func with(labels map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for lk, lv := range labels {
		out[lk] = lv
	}
	return out
}
