package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
)

func TestKeepAlive(t *testing.T) {
	t.Parallel()
	lost := errors.New("claim lost")
	transient := errors.New("connection reset")
	var beats, errs atomic.Int32
	work, cancel := context.WithCancelCause(context.Background())
	stop := jobs.KeepAlive(work, jobs.KeepAliveOpts{Interval: time.Millisecond, Beat: func(context.Context) error {
		switch beats.Add(1) {
		case 1:
			return nil
		case 2:
			return transient // logged, beats go on
		}
		return lost
	}, Lost: lost, Cancel: cancel, OnErr: func(err error) {
		if errors.Is(err, transient) {
			errs.Add(1)
		}
	}})
	select {
	case <-work.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("work was not cancelled after the claim was lost")
	}
	stop()
	stop() // idempotent
	if !errors.Is(context.Cause(work), lost) {
		t.Fatalf("cause = %v, want the lost error", context.Cause(work))
	}
	if beats.Load() != 3 || errs.Load() != 1 {
		t.Fatalf("beats = %d, reported errors = %d; want 3 and 1", beats.Load(), errs.Load())
	}
}
