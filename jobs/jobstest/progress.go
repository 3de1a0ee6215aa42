package jobstest

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
)

// ProgressLine is one "progress" log line of a queue worker.
type ProgressLine struct {
	Job   string `json:"job"`
	Done  int64  `json:"done"`
	Total int64  `json:"total"`
	Unit  string `json:"unit"`
}

// Progress is what a runner logged, in JSON, once CaptureProgress set it up.
type Progress struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer for the runner's log handler.
func (p *Progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.buf.Write(b)
}

// CaptureProgress makes r log in JSON into the returned Progress, with a
// progress clock that moves 11 seconds at every reading, so that every item
// done is due a progress line (progress.DefaultInterval is 10 s).
func CaptureProgress(r *jobs.Runner) *Progress {
	p := &Progress{}
	r.Logger = slog.New(slog.NewJSONHandler(p, nil))
	var mu sync.Mutex
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r.Progress.NowFunc = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(11 * time.Second)
		return clock
	}
	return p
}

// Lines returns the progress log lines so far.
func (p *Progress) Lines(t testing.TB) []ProgressLine {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []ProgressLine
	for _, l := range strings.Split(strings.TrimSpace(p.buf.String()), "\n") {
		var v struct {
			Msg string `json:"msg"`
			ProgressLine
		}
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("log line %q is not JSON: %v", l, err)
		}
		if v.Msg == "progress" {
			out = append(out, v.ProgressLine)
		}
	}
	return out
}

// CheckProgress fails t unless the progress lines of job count through
// total items of unit one at a time: the first says 0 of total, each
// count from 1 to total appears (a periodic tick may repeat one), and the
// last says total of total.
func (p *Progress) CheckProgress(t testing.TB, job, unit string, total int64) {
	t.Helper()
	lines := p.Lines(t)
	if len(lines) == 0 {
		t.Fatalf("%s logged no progress line", job)
	}
	want := ProgressLine{Job: job, Done: 0, Total: total, Unit: unit}
	if lines[0] != want {
		t.Errorf("first progress line %+v, want %+v", lines[0], want)
	}
	next := int64(0)
	for _, l := range lines {
		if l.Job != job || l.Unit != unit || l.Total != total {
			t.Errorf("progress line %+v: want job %s, unit %s, total %d", l, job, unit, total)
		}
		switch l.Done {
		case next:
		case next + 1:
			next++
		default:
			t.Errorf("progress went from %d to %d done", next, l.Done)
		}
	}
	if next != total {
		t.Errorf("progress ended at %d of %d %s", next, total, unit)
	}
}
