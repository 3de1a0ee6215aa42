// Package progress reports how far a queue worker has got through its
// queue: items done of the total, the rate and the time left. On a
// terminal it keeps a live status line (Line); otherwise it writes a log
// line through slog every Interval, which is what a CronJob's or CI's log
// collector wants (JSON with --log-format json).
//
// It is written here rather than taken from a progress-bar library
// (schollz/progressbar, vbauerster/mpb): those draw bars on a terminal but
// have no mode that logs through slog, and the status line has to share
// stderr with the job's own log lines.
//
// It does not count anything itself: the job calls Add per item.
package progress

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"
)

// DefaultInterval is how often a Reporter logs without a terminal.
const DefaultInterval = 10 * time.Second

// redraw is how often the terminal status is redrawn (the rate and the
// time left move even when no item finishes).
const redraw = time.Second

// Opts configure a Reporter. The zero value logs through slog.Default every
// DefaultInterval.
type Opts struct {
	// Terminal, when set, gets the live status line; logs are not written.
	Terminal *Line
	// Logger receives the progress log lines when Terminal is nil.
	Logger *slog.Logger
	// Interval is the time between log lines; 0 means DefaultInterval.
	Interval time.Duration
	// NowFunc is the clock; nil means time.Now. (Not the run's --now
	// clock, which may stand still.)
	NowFunc func() time.Time
}

// Reporter reports progress through a known number of items. Its methods
// are safe for concurrent use.
type Reporter struct {
	opts  Opts
	name  string
	unit  string
	start time.Time

	mu          sync.Mutex
	done, total int64
	last        time.Time // the last report
	stop        func()
}

// New starts reporting name's progress through total items of unit
// ("shards", "uploads"), with a first report at once. Call Start for the
// periodic reports and Stop at the end.
func New(name, unit string, total int64, opts Opts) *Reporter {
	r := &Reporter{opts: opts, name: name, unit: unit, total: total}
	r.start = r.now()
	r.last = r.start
	// The first report says how much there is to do.
	r.report(true)
	return r
}

// Start reports every second on a terminal, else every Interval, until Stop
// or ctx ends.
func (r *Reporter) Start(ctx context.Context) {
	every := cmp.Or(r.opts.Interval, DefaultInterval)
	if r.opts.Terminal != nil {
		every = redraw
	}
	ctx, cancel := context.WithCancel(ctx)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				r.Tick()
			}
		}
	}()
	r.mu.Lock()
	r.stop = func() { cancel(); <-stopped }
	r.mu.Unlock()
}

// Add counts n more items done and reports when a report is due.
func (r *Reporter) Add(n int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done += n
	// Other workers share the queue, and more may be queued meanwhile: the
	// total is at least what this run did.
	r.total = max(r.total, r.done)
	r.report(r.opts.Terminal != nil)
}

// Tick reports if a report is due; on a terminal it always redraws.
func (r *Reporter) Tick() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.report(r.opts.Terminal != nil)
}

// Stop ends the periodic reports and removes the status line.
func (r *Reporter) Stop() {
	r.mu.Lock()
	stop := r.stop
	r.stop = nil
	r.mu.Unlock()
	if stop != nil {
		stop()
	}
	if r.opts.Terminal != nil {
		r.opts.Terminal.Set("")
	}
}

// report draws the status, or logs a line when Interval has passed since
// the last one (or force). Callers hold mu.
func (r *Reporter) report(force bool) {
	now := r.now()
	if r.opts.Terminal != nil {
		r.opts.Terminal.Set(r.status(now))
		return
	}
	if !force && now.Sub(r.last) < cmp.Or(r.opts.Interval, DefaultInterval) {
		return
	}
	r.last = now
	rate, eta := r.estimate(now)
	attrs := []any{"done", r.done, "total", r.total, "unit", r.unit, "rate_per_sec", math.Round(rate*100) / 100}
	if eta >= 0 {
		attrs = append(attrs, "eta", eta.String())
	}
	cmp.Or(r.opts.Logger, slog.Default()).Info("progress", attrs...)
}

// status is the terminal line, e.g. "run-searches: 12/40 shards  3.1/s  ETA 9s".
func (r *Reporter) status(now time.Time) string {
	rate, eta := r.estimate(now)
	s := fmt.Sprintf("%s: %d/%d %s  %.1f/s", r.name, r.done, r.total, r.unit, rate)
	if eta >= 0 {
		s += "  ETA " + eta.String()
	}
	return s
}

// estimate returns the items per second so far and the time left at that
// rate, rounded to the second; the time left is -1 while unknown (nothing
// done yet).
func (r *Reporter) estimate(now time.Time) (float64, time.Duration) {
	elapsed := now.Sub(r.start).Seconds()
	if elapsed <= 0 || r.done == 0 {
		return 0, -1
	}
	rate := float64(r.done) / elapsed
	left := time.Duration(float64(r.total-r.done) / rate * float64(time.Second))
	return rate, left.Round(time.Second)
}

func (r *Reporter) now() time.Time {
	if r.opts.NowFunc != nil {
		return r.opts.NowFunc()
	}
	return time.Now()
}
