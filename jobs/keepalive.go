package jobs

import (
	"context"
	"errors"
	"sync"
	"time"
)

// KeepAliveOpts configures [KeepAlive].
type KeepAliveOpts struct {
	// Interval is the time between beats.
	Interval time.Duration
	// Beat renews the claim.
	Beat func(context.Context) error
	// Lost is the error Beat wraps when the claim has been taken back.
	Lost error
	// Cancel cancels the work, with Lost as the cause.
	Cancel context.CancelCauseFunc
	// OnErr receives Beat's other errors.
	OnErr func(error)
}

// KeepAlive renews a claim (a queue row's heartbeat) by calling o.Beat every
// o.Interval until the returned stop is called or work ends. When Beat
// returns an error wrapping o.Lost, the claim has been taken back: KeepAlive
// cancels work with Lost and stops. Other errors go to o.OnErr (while work
// is live) and the beats go on. stop waits for the loop to end and may be
// called more than once.
func KeepAlive(work context.Context, o KeepAliveOpts) (stop func()) {
	interval, beat, lost, cancel, onErr := o.Interval, o.Beat, o.Lost, o.Cancel, o.OnErr
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-work.Done():
				return
			case <-t.C:
				err := beat(work)
				if errors.Is(err, lost) {
					cancel(lost)
					return
				}
				if err != nil && work.Err() == nil {
					onErr(err)
				}
			}
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(done); wg.Wait() }) }
}
