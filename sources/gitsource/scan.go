package gitsource

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
)

// maxRecord bounds one output record (a path, a raw diff line): git limits
// paths to a few KiB, so a longer record means garbled output.
const maxRecord = 1 << 20

// scan runs git in the repository and calls each for every record of its
// output, terminated by sep, as the output streams. The record is only
// valid during the call. An error from each stops git.
func (r *Repo) scan(ctx context.Context, sep byte, args []string, each func([]byte) error) error {
	return r.scanInput(ctx, sep, args, "", each)
}

// scanInput is scan with input on git's standard input.
func (r *Repo) scanInput(ctx context.Context, sep byte, args []string, input string, each func([]byte) error) error {
	cmdCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	cmd := Command(cmdCtx, r.Dir(), args...)
	cmd.Env = append(cmd.Env, "GIT_NO_LAZY_FETCH=1")
	if input != "" {
		cmd.Stdin = strings.NewReader(input)
	}
	stderr := &tailBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return &CommandError{Dir: r.Dir(), Args: args, Err: err}
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 0, 64<<10), maxRecord)
	sc.Split(splitOn(sep))
	var eachErr error
	for eachErr == nil && sc.Scan() {
		eachErr = each(sc.Bytes())
	}
	scanErr := sc.Err()
	if eachErr != nil {
		cancel() // kills git: the rest of its output is of no use
	} else if scanErr != nil {
		_, _ = io.Copy(io.Discard, stdout) // let git finish, to report its own failure first
	}
	werr := cmd.Wait()
	failed := func(err error) error {
		return fmt.Errorf("git %s (in %s): %w", strings.Join(args, " "), r.Dir(), err)
	}
	switch {
	case ctx.Err() != nil:
		return failed(context.Cause(ctx))
	case eachErr != nil:
		return failed(eachErr)
	case werr != nil:
		return &CommandError{Dir: r.Dir(), Args: args, Err: werr, Stderr: lastLines(stderr.String(), 3)}
	case scanErr != nil:
		return failed(scanErr)
	}
	return nil
}

// splitOn is a bufio.SplitFunc for records terminated by sep. A last record
// without its terminator is an error: git's output was cut short.
func splitOn(sep byte) bufio.SplitFunc {
	return func(data []byte, atEOF bool) (int, []byte, error) {
		if i := bytes.IndexByte(data, sep); i >= 0 {
			return i + 1, data[:i], nil
		}
		if atEOF && len(data) > 0 {
			return 0, nil, fmt.Errorf("output cut short: %q", data[:min(len(data), 80)])
		}
		return 0, nil, nil
	}
}
