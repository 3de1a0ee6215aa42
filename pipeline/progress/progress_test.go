package progress_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/progress"
)

// clock is a manual clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func TestReporterLogs(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := newClock()
	r := progress.New("run-searches", "shards", 10, progress.Opts{
		Logger: slog.New(slog.NewJSONHandler(&buf, nil)), NowFunc: c.now})
	c.advance(4 * time.Second)
	r.Add(2) // 4s after the first line: not due
	r.Tick()
	c.advance(6 * time.Second)
	r.Add(2) // 10s: due
	c.advance(5 * time.Second)
	r.Tick() // 5s after: not due
	c.advance(5 * time.Second)
	r.Tick() // 10s after: due
	c.advance(10 * time.Second)
	r.Add(8) // more done than counted at the start: the total follows
	r.Stop()

	type line struct {
		Msg   string  `json:"msg"`
		Done  int64   `json:"done"`
		Total int64   `json:"total"`
		Unit  string  `json:"unit"`
		Rate  float64 `json:"rate_per_sec"`
		ETA   string  `json:"eta"`
	}
	var got []line
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var v line
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("log line %q: %v", l, err)
		}
		got = append(got, v)
	}
	want := []line{
		{Msg: "progress", Done: 0, Total: 10, Unit: "shards"},
		{Msg: "progress", Done: 4, Total: 10, Unit: "shards", Rate: 0.4, ETA: "15s"},
		{Msg: "progress", Done: 4, Total: 10, Unit: "shards", Rate: 0.2, ETA: "30s"},
		{Msg: "progress", Done: 12, Total: 12, Unit: "shards", Rate: 0.4, ETA: "0s"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("log lines (-want +got):\n%s", diff)
	}
}

func TestReporterTerminal(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	c := newClock()
	line := progress.NewLine(&buf)
	r := progress.New("process-uploads", "uploads", 4, progress.Opts{Terminal: line, NowFunc: c.now})
	c.advance(2 * time.Second)
	r.Add(1)
	// A log line written meanwhile goes above the status, which is redrawn.
	logger := slog.New(slog.NewTextHandler(line, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey {
				return slog.Attr{}
			}
			return a
		}}))
	logger.Info("uploaded")
	c.advance(2 * time.Second)
	r.Tick()
	r.Stop()
	const clear = "\r\x1b[K"
	want := clear + "process-uploads: 0/4 uploads  0.0/s" +
		clear + "process-uploads: 1/4 uploads  0.5/s  ETA 6s" +
		clear + "level=INFO msg=uploaded\n" + "process-uploads: 1/4 uploads  0.5/s  ETA 6s" +
		clear + "process-uploads: 1/4 uploads  0.2/s  ETA 12s" +
		clear
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("terminal output (-want +got):\n%s", diff)
	}
	// With the status gone, writes pass through untouched.
	buf.Reset()
	logger.Info("after")
	if got := buf.String(); got != "level=INFO msg=after\n" {
		t.Errorf("after Stop, a log line is written as %q", got)
	}
}

// TestReporterStartStop checks that Stop ends the periodic reports'
// goroutine (it would hang otherwise) and that Stop twice is harmless.
func TestReporterStartStop(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	r := progress.New("run-searches", "shards", 1, progress.Opts{
		Logger: slog.New(slog.NewTextHandler(&buf, nil)), Interval: time.Hour})
	r.Start(t.Context())
	r.Add(1)
	r.Stop()
	r.Stop()
	if n := strings.Count(buf.String(), "msg=progress"); n != 1 {
		t.Errorf("%d progress lines within the hour, want the first one only:\n%s", n, buf.String())
	}
}
