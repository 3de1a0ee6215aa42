package jobs

import (
	"context"
	"errors"
	"sync"
	"time"
)

// KeepAlive renews a claim (a queue row's heartbeat) by calling beat every
// interval until the returned stop is called or work ends. When beat
// returns an error wrapping lost, the claim has been taken back: KeepAlive
// cancels work with lost and stops. Other errors go to onErr (while work is
// live) and the beats go on. stop waits for the loop to end and may be
// called more than once.
func KeepAlive(work context.Context, interval time.Duration, beat func(context.Context) error,
	lost error, cancel context.CancelCauseFunc, onErr func(error)) (stop func()) {
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
