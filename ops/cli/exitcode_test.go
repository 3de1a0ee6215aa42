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
		{name: "bad prune retention", args: []string{"--prune-after", "1mo", "jobs"}, wantCode: 2, wantStderr: `--prune-after / SIGHTLINE_PRUNE_AFTER: "1mo"`},
		{name: "bad bucket parameter", args: []string{"--bucket", "s3://b/p?foo=1", "run", "sync-repos"}, wantCode: 2, wantStderr: `--bucket / SIGHTLINE_BUCKET: s3 bucket URL "s3://b/p?foo=1": unknown parameter "foo"`},
		{name: "bad bucket scheme", args: []string{"--bucket", "ftp://h/p", "run", "sync-repos"}, wantCode: 2, wantStderr: `unknown scheme "ftp"`},
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
				t.Errorf("stderr lacks %q:\n%s", tt.wantStderr, stderr.String())
			}
		})
	}
}
