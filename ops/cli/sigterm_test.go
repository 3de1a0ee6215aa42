package cli_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestSIGTERM starts `sightline run sync-repos` on a repository whose server
// accepts connections and never answers, so the clone hangs; SIGTERM (what
// Kubernetes sends) must stop the run promptly, record it as canceled, exit
// non-zero, and leave no half-made mirror behind.
func TestSIGTERM(t *testing.T) {
	t.Parallel()
	url := schemaURL(t)
	hang := gittest.SilentRemote(t)
	dataDir := t.TempDir()
	env := append(os.Environ(), "DATABASE_URL="+url, "SIGHTLINE_DATA_DIR="+dataDir)

	for _, args := range [][]string{
		{"migrate", "up"},
		{"repos", "add", "stuck", "--url", "git://" + hang + "/stuck.git"},
	} {
		if out, err := runSightline(env, args...).CombinedOutput(); err != nil {
			t.Fatalf("sightline %v: %v\n%s", args, err, out)
		}
	}
	s := startSightline(t, env, "run", "sync-repos")
	waitForStatus(t, url, "running")
	err := s.terminate(t, 20*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit = %v, want exit code 1\n%s", err, s.out.String())
	}
	waitForStatus(t, url, "canceled")
	if entries, _ := os.ReadDir(filepath.Join(dataDir, "repos")); len(entries) != 0 {
		t.Fatalf("interrupted clone left %s in the mirror directory", entries[0].Name())
	}
}

// started is a sightline process started in the background.
type started struct {
	cmd  *exec.Cmd
	out  *strings.Builder // stdout and stderr
	done chan error       // cmd.Wait's result
}

// startSightline starts sightline with args; it is killed when the test
// ends if still running.
func startSightline(t *testing.T, env []string, args ...string) *started {
	t.Helper()
	s := &started{cmd: runSightline(env, args...), out: &strings.Builder{}, done: make(chan error, 1)}
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	return s
}

// terminate sends SIGTERM and returns how the process exited, failing the
// test if it is still running after within.
func (s *started) terminate(t *testing.T, within time.Duration) error {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-s.done:
		return err
	case <-time.After(within):
		t.Fatalf("sightline %v did not stop within %s of SIGTERM:\n%s", s.cmd.Args[1:], within, s.out.String())
		return nil
	}
}

func runSightline(env []string, args ...string) *exec.Cmd {
	cmd := exec.Command("sightline", args...)
	cmd.Env = env
	return cmd
}

// waitForStatus polls job_runs until the latest sync-repos run has status.
func waitForStatus(t *testing.T, url, status string) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var got string
		err := conn.QueryRow(ctx, `SELECT status FROM job_runs WHERE job = 'sync-repos' ORDER BY id DESC LIMIT 1`).Scan(&got)
		if err == nil && got == status {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no sync-repos run reached status %q within 30s", status)
}
