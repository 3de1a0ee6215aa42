package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/ops/cli"
)

// TestRunLogsProgress checks that `sightline run` of a queue worker without
// a terminal (stderr is a buffer here) logs its progress, in JSON with
// --log-format json, and draws no terminal status line.
func TestRunLogsProgress(t *testing.T) {
	t.Parallel()
	url := schemaURL(t)
	dataDir := t.TempDir()
	run := func(args ...string) string {
		t.Helper()
		var stdout, stderr bytes.Buffer
		args = append([]string{"--database-url", url, "--data-dir", dataDir, "--log-format", "json"}, args...)
		if code := cli.Main(context.Background(), args, &stdout, &stderr); code != 0 {
			t.Fatalf("sightline %v: exit code %d\n%s", args, code, stderr.String())
		}
		return stderr.String()
	}
	run("migrate", "up")
	for _, tt := range []struct{ job, unit string }{{"run-searches", "shards"}, {"process-uploads", "uploads"}} {
		stderr := run("run", tt.job)
		if strings.Contains(stderr, "\r") {
			t.Errorf("%s: a terminal status line on a non-terminal:\n%q", tt.job, stderr)
		}
		var found bool
		for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
			var v map[string]any
			if err := json.Unmarshal([]byte(l), &v); err != nil {
				t.Fatalf("%s: stderr line %q is not JSON: %v", tt.job, l, err)
			}
			if v["msg"] == "progress" {
				found = true
				if v["job"] != tt.job || v["unit"] != tt.unit || v["done"] != 0.0 || v["total"] != 0.0 {
					t.Errorf("%s: progress line %v, want 0 of 0 %s", tt.job, v, tt.unit)
				}
			}
		}
		if !found {
			t.Errorf("%s logged no progress line:\n%s", tt.job, stderr)
		}
	}
}
