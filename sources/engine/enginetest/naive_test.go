package enginetest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"
)

// sample is a series' value at one sample time.
type sample struct {
	at       time.Time
	commit   string // "" before the first commit
	value    int64
	captures map[string]int64 // nil without a capture group
	note     string           // why the value may differ from git grep's
}

// naiveRun is the naive baseline's answer for one query, and how long it
// took.
type naiveRun struct {
	samples []sample
	elapsed time.Duration
	cpu     time.Duration // of git and of the counting
}

var (
	naiveMu   sync.Mutex
	naiveRuns = map[string]*naiveRun{}
)

// naiveSeries runs the naive baseline for bq once per process (it takes
// tens of seconds): what a user without Sightline runs for each sample
// time, git rev-list then git grep -o counting lines.
func naiveSeries(b *testing.B, r *benchRepo, bq benchQuery) *naiveRun {
	b.Helper()
	naiveMu.Lock()
	defer naiveMu.Unlock()
	if run, ok := naiveRuns[bq.name]; ok {
		return run
	}
	start, cpu := time.Now(), benchproc.CPUTime()
	samples := make([]sample, len(r.times))
	for i, t := range r.times {
		s, err := naiveAt(b.Context(), r.dir, t, bq)
		if err != nil {
			b.Fatalf("naive baseline at %s: %v", t.Format(time.RFC3339), err)
		}
		samples[i] = s
	}
	run := &naiveRun{samples: samples, elapsed: time.Since(start), cpu: benchproc.CPUTime() - cpu}
	naiveRuns[bq.name] = run
	return run
}

func naiveAt(ctx context.Context, dir string, t time.Time, bq benchQuery) (sample, error) {
	s := sample{at: t}
	out, err := exec.CommandContext(ctx, "git", "-C", dir, "rev-list", "-1", "--first-parent",
		fmt.Sprintf("--before=@%d", t.Unix()), "HEAD").Output()
	if err != nil {
		return s, fmt.Errorf("git rev-list: %w", err)
	}
	if s.commit = strings.TrimSpace(string(out)); s.commit == "" {
		return s, nil
	}
	s.value, s.captures, err = naiveGrep(ctx, dir, s.commit, bq)
	return s, err
}

// naiveGrep counts `git grep -o` lines at commit (as `| wc -l` would) and,
// for a capture query, tallies the first group of each match.
func naiveGrep(ctx context.Context, dir, commit string, bq benchQuery) (int64, map[string]int64, error) {
	args := append([]string{"-C", dir, "grep", "-o", "-I", "-i", "-z"}, bq.grep...)
	cmd := exec.CommandContext(ctx, "git", append(append(args, commit, "--"), bq.pathspecs...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return 0, nil, err
	}
	if err := cmd.Start(); err != nil {
		return 0, nil, err
	}
	var n int64
	var captures map[string]int64
	if bq.capture != nil {
		captures = map[string]int64{}
	}
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		n++
		if bq.capture != nil {
			// -z: "<commit>:<path>\x00<match>".
			_, match, _ := bytes.Cut(sc.Bytes(), []byte{0})
			if m := bq.capture.FindSubmatch(match); m != nil {
				captures[string(m[1][:min(len(m[1]), 100)])]++
			}
		}
	}
	scanErr := sc.Err()
	err = cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 && stderr.Len() == 0 {
		err = nil // no match
	}
	if err != nil {
		return 0, nil, fmt.Errorf("git %s: %w: %s", strings.Join(cmd.Args[1:], " "), err, stderr.Bytes())
	}
	return n, captures, scanErr
}

// captureRE extracts the first group from a match git grep printed.
func captureRE(pattern string) *regexp.Regexp {
	return regexp.MustCompile("(?i)" + pattern)
}
