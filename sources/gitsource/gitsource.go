// Package gitsource reads git repositories by running the real git binary.
// It is Sightline's only way into git: mirrors (clone --mirror / fetch),
// repository inspection, and the object reads the search engine builds on.
//
// Every command runs in its own process group, so cancelling the context
// kills git and the helpers it started (git-remote-https, index-pack), and
// every error names the repository and the command.
package gitsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

// ErrNotRepository is returned when a directory is not a git repository.
var ErrNotRepository = errors.New("not a git repository")

// Command builds a git command run in dir, in its own process group, with
// prompts disabled (a sync must fail, not wait for a password).
func Command(ctx context.Context, dir string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=true", "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// Negative pid: the whole process group.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// run runs git in dir and returns its trimmed stdout. Errors carry the
// command line and git's last stderr line.
func run(ctx context.Context, dir string, args ...string) (string, error) {
	return output(ctx, Command(ctx, dir, args...), args)
}

// output runs cmd and returns its trimmed stdout; errors name the command
// by args (which may leave out global options).
func output(ctx context.Context, cmd *exec.Cmd, args []string) (string, error) {
	dir := cmd.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("git %s: %w", strings.Join(args, " "), context.Cause(ctx))
		}
		return "", &CommandError{Dir: dir, Args: args, Err: err, Stderr: lastLines(stderr.String(), 3)}
	}
	return strings.TrimSpace(stdout.String()), nil
}

// CommandError is a git command that exited with an error.
type CommandError struct {
	Dir    string
	Args   []string
	Err    error
	Stderr string
}

func (e *CommandError) Error() string {
	msg := fmt.Sprintf("git %s (in %s): %v", strings.Join(e.Args, " "), e.Dir, e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *CommandError) Unwrap() error { return e.Err }

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "; ")
}
