package cli_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/ops/cli"
)

func TestExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
		// maxStderr, when set, bounds stderr's length.
		maxStderr int
	}{
		{name: "help", args: []string{"--help"}, wantCode: 0, wantStdout: "SIGHTLINE_DATA_DIR"},
		{name: "subcommand help lists env", args: []string{"run", "--help"}, wantCode: 0, wantStdout: "DATABASE_URL"},
		{name: "schedule help lists its env", args: []string{"schedule", "--help"}, wantCode: 0, wantStdout: "SIGHTLINE_SCHEDULE_<JOB>"},
		{name: "jobs", args: []string{"jobs"}, wantCode: 0, wantStdout: "sync-repos"},
		{name: "unknown command", args: []string{"frobnicate"}, wantCode: 2, wantStderr: `unknown command "frobnicate"`},
		{name: "unknown flag", args: []string{"jobs", "--frob"}, wantCode: 2, wantStderr: "unknown flag: --frob"},
		{name: "missing argument", args: []string{"run"}, wantCode: 2, wantStderr: "want one job name"},
		{name: "unknown job", args: []string{"run", "nope"}, wantCode: 2, wantStderr: `unknown job "nope"`},
		{name: "bad overlap", args: []string{"run", "sync-repos", "--if-running", "x"}, wantCode: 2, wantStderr: "--if-running"},
		{name: "migrate without subcommand", args: []string{"migrate"}, wantCode: 2, wantStderr: "up, down or status"},
		{name: "repos add needs a source", args: []string{"repos", "add", "x"}, wantCode: 2, wantStderr: "path url"},
		{name: "jobs lists prune", args: []string{"jobs"}, wantCode: 0, wantStdout: "prune  "},
		{name: "jobs shows kinds", args: []string{"jobs"}, wantCode: 0, wantStdout: "run-searches         queue-worker"},
		{name: "jobs as json", args: []string{"jobs", "--format", "json"}, wantCode: 0, wantStdout: `"kind": "queue-worker"`},
		{name: "bad search group", args: []string{"--search-group", "0", "jobs"}, wantCode: 2, wantStderr: `--search-group / SIGHTLINE_SEARCH_GROUP: "0" is not a whole number from 1 to 1024`},
		{name: "bad search concurrency", args: []string{"--search-concurrency", "0", "jobs"}, wantCode: 2, wantStderr: `--search-concurrency / SIGHTLINE_SEARCH_CONCURRENCY: "0" is not a whole number from 1 to 64`},
		{name: "bad max runtime", args: []string{"--max-runtime", "forever", "jobs"}, wantCode: 2, wantStderr: `--max-runtime / SIGHTLINE_MAX_RUNTIME: "forever" is not a positive duration`},
		{name: "bad prune retention", args: []string{"--prune-after", "1mo", "jobs"}, wantCode: 2, wantStderr: `--prune-after / SIGHTLINE_PRUNE_AFTER: "1mo"`},
		{name: "series interval too long", args: []string{"search", "series", "--repo", ".", "--every", "100000000w", "TODO"},
			wantCode: 2, wantStderr: "--every 100000000w --points 12: 100000000w is longer than 100 years"},
		{name: "series range too long", args: []string{"search", "series", "--repo", ".", "--every", "1y", "--points", "5000", "TODO"},
			wantCode: 2, wantStderr: "span about 4999 years, more than 1000"},
		{name: "deep regexp", args: []string{"search", "count", "--repo", ".", "/" + strings.Repeat("(", 3000) + "a" + strings.Repeat(")", 3000) + "/"},
			wantCode: 2, wantStderr: "expression nests too deeply", maxStderr: 400},
		{name: "insights backfill needs an action", args: []string{"insights", "backfill", "todos"},
			wantCode: 2, wantStderr: "say what to do: --retry-incomplete"},
		{name: "insights backfill help", args: []string{"insights", "backfill", "--help"},
			wantCode: 0, wantStdout: "--retry-incomplete"},
		{name: "chunk size too small", args: []string{"lsif", "upload", "d.lsif", "--repo", "r", "--commit", strings.Repeat("a", 40), "--chunk-size", "1"},
			wantCode: 2, wantStderr: `--chunk-size "1": want between 1MiB and 1GiB`},
		{name: "chunk size too large", args: []string{"lsif", "upload", "d.lsif", "--repo", "r", "--commit", strings.Repeat("a", 40), "--chunk-size", "4GiB"},
			wantCode: 2, wantStderr: `--chunk-size "4GiB": want between 1MiB and 1GiB`},
		{name: "chunk size overflows", args: []string{"lsif", "upload", "d.lsif", "--repo", "r", "--commit", strings.Repeat("a", 40), "--chunk-size", "17179869184GiB"},
			wantCode: 2, wantStderr: `--chunk-size "17179869184GiB"`},
		{name: "absolute root", args: []string{"lsif", "upload", "d.lsif", "--repo", "r", "--commit", strings.Repeat("a", 40), "--root", "/etc"},
			wantCode: 2, wantStderr: `--root "/etc": must be a directory relative to the repository root`},
		{name: "requeue needs an id", args: []string{"lsif", "uploads", "requeue", "x"}, wantCode: 2, wantStderr: "want an upload id"},
		{name: "bad bucket parameter", args: []string{"--bucket", "s3://b/p?foo=1", "run", "sync-repos"}, wantCode: 2, wantStderr: `--bucket / SIGHTLINE_BUCKET: s3 bucket URL "s3://b/p?foo=1": unknown parameter "foo"`},
		{name: "bad bucket scheme", args: []string{"--bucket", "ftp://h/p", "run", "sync-repos"}, wantCode: 2, wantStderr: `unknown scheme "ftp"`},
		{name: "config file URL refused", args: []string{"--config", "testdata/unsafe_url.yaml", "jobs"},
			wantCode: 2, wantStderr: `repository URL "file:///srv/other.git" uses the file transport`},
		{name: "bad log format", args: []string{"--log-format", "xml", "jobs"}, wantCode: 2, wantStderr: `"xml" is not text or json`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := cli.Main(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d; stderr: %s", code, tt.wantCode, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.wantStdout, stdout.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr lacks %q:\n%.2000s", tt.wantStderr, stderr.String())
			}
			if tt.maxStderr > 0 && stderr.Len() > tt.maxStderr {
				t.Errorf("stderr is %d bytes, want at most %d:\n%.2000s", stderr.Len(), tt.maxStderr, stderr.String())
			}
		})
	}
}
