package buckettest

import (
	"net/http"
	"sync"
)

// Faults is an HTTP handler that injects server errors in front of another
// handler. It counts requests, so a test can tell how often a client
// retried.
type Faults struct {
	next http.Handler

	mu       sync.Mutex
	failures int64 // how many more requests to fail
	status   int
	match    func(*http.Request) bool // which requests may fail; nil for all
	requests int64
}

// NewFaults returns a Faults passing requests to next, failing none yet.
func NewFaults(next http.Handler) *Faults {
	return &Faults{next: next}
}

// Fail makes the next n requests fail with status, and restarts the count
// of requests.
func (f *Faults) Fail(n int64, status int) {
	f.FailIf(n, status, nil)
}

// FailIf is like Fail but fails only requests for which match is true.
func (f *Faults) FailIf(n int64, status int, match func(*http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures, f.status, f.match, f.requests = n, status, match, 0
}

// Requests returns how many requests f has seen since Fail.
func (f *Faults) Requests() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// ServeHTTP fails or forwards r.
func (f *Faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if status := f.take(r); status != 0 {
		http.Error(w, "buckettest: injected failure", status)
		return
	}
	f.next.ServeHTTP(w, r)
}

// take counts a request and returns the status to fail it with, or 0.
func (f *Faults) take(r *http.Request) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++
	if f.failures <= 0 || (f.match != nil && !f.match(r)) {
		return 0
	}
	f.failures--
	return f.status
}
