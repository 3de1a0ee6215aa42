package gitsource

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"syscall"
)

// catFileArgs is the command line of every blob reader process.
var catFileArgs = []string{"cat-file", "--batch"}

// catFile is one long-lived `git cat-file --batch` process. It is used by
// one caller at a time (the readerPool hands it out); only kill may run
// concurrently with a request, from a context.AfterFunc.
type catFile struct {
	dir    string
	pid    int
	stdin  io.WriteCloser
	out    *bufio.Reader
	stderr *tailBuffer
	reused bool   // it has served a request before
	buf    []byte // blob contents, reused across requests (see content)

	mu     sync.Mutex
	wait   func() error
	reaped bool
}

// header is cat-file's answer line for one object.
type header struct {
	kind    string // "blob", "tree", ...; empty when missing
	size    int64
	missing bool
}

func startCatFile(dir string) (*catFile, error) {
	// The process outlives any one request: cancellation of a request's
	// context kills it through catFile.kill instead.
	cmd := Command(context.Background(), dir, catFileArgs...)
	// Never fetch missing objects of a partial clone (git ≥ 2.44).
	cmd.Env = append(cmd.Env, "GIT_NO_LAZY_FETCH=1")
	c := &catFile{dir: dir, stderr: &tailBuffer{}, wait: cmd.Wait}
	cmd.Stderr = c.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	growPipe(stdout)
	if err := cmd.Start(); err != nil {
		return nil, &CommandError{Dir: dir, Args: catFileArgs, Err: err}
	}
	c.pid, c.stdin, c.out = cmd.Process.Pid, stdin, bufio.NewReaderSize(stdout, pipeSize)
	return c, nil
}

// request asks for the object name and reads the answer line. An error
// means the process is broken (died, killed, or out of step).
func (c *catFile) request(name string) (header, error) {
	if _, err := io.WriteString(c.stdin, name+"\n"); err != nil {
		return header{}, err
	}
	return c.answer()
}

// answer reads the answer line to the oldest request not yet answered.
func (c *catFile) answer() (header, error) {
	line, err := c.out.ReadSlice('\n')
	if err != nil {
		return header{}, err
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	// "<name> missing" (or "ambiguous", for a short id): the process stays
	// in step. A header never ends so: its last field is a number.
	if bytes.HasSuffix(line, []byte(" missing")) || bytes.HasSuffix(line, []byte(" ambiguous")) {
		return header{missing: true}, nil
	}
	return parseHeader(line)
}

// parseHeader parses "<oid> SP <type> SP <size>".
func parseHeader(line []byte) (header, error) {
	fields := bytes.Fields(line)
	if len(fields) != 3 {
		return header{}, fmt.Errorf("unexpected answer %q", line)
	}
	size, err := strconv.ParseInt(string(fields[2]), 10, 64)
	if err != nil || size < 0 {
		return header{}, fmt.Errorf("unexpected answer %q", line)
	}
	return header{kind: string(fields[1]), size: size}, nil
}

// skip discards n content bytes and the newline that ends them.
func (c *catFile) skip(n int64) error {
	for n > 0 {
		step := int(min(n, 1<<30))
		if _, err := c.out.Discard(step); err != nil {
			return err
		}
		n -= int64(step)
	}
	return c.newline()
}

// newline reads the newline that ends an object's content.
func (c *catFile) newline() error {
	b, err := c.out.ReadByte()
	if err == nil && b != '\n' {
		err = errors.New("answer out of step: no newline after the content")
	}
	return err
}

// kill kills the process group; safe to call at any time, from any
// goroutine, any number of times.
func (c *catFile) kill() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.reaped {
		_ = syscall.Kill(-c.pid, syscall.SIGKILL)
	}
}

// stop ends the process: gracefully (end of input) when it is in step,
// else by killing it. It waits for the process and is idempotent.
func (c *catFile) stop(graceful bool) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.reaped {
		return nil
	}
	c.reaped = true
	if !graceful {
		_ = syscall.Kill(-c.pid, syscall.SIGKILL)
		_ = c.wait()
		return nil
	}
	c.stdin.Close()
	if err := c.wait(); err != nil {
		return c.error(err)
	}
	return nil
}

// broken kills the process and returns cause as a CommandError carrying
// git's last words.
func (c *catFile) broken(cause error) error {
	_ = c.stop(false)
	return c.error(cause)
}

func (c *catFile) error(err error) error {
	return &CommandError{Dir: c.dir, Args: catFileArgs, Err: err, Stderr: lastLines(c.stderr.String(), 3)}
}

// tailBuffer keeps the last 4 KiB written to it: a child's stderr, read
// while the child may still write.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - 4096; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
