package buckettest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Fault is a way a request can fail below the HTTP status line.
type Fault int

// The faults Faults injects besides error statuses.
const (
	// Reset resets the connection (ResetConn) without serving the
	// request or answering it.
	Reset Fault = iota + 1
	// Truncate serves the request, so that it takes effect, and sends the
	// response's headers and the first half of its body (an empty body is
	// cut inside the headers), then closes the connection (WriteTruncated
	// with cut 0.5): the client cannot tell whether the request took
	// effect.
	Truncate
	// Stall sends the same part of the response as Truncate, then holds
	// the connection open and silent until the client gives up.
	Stall
	// Silent holds the connection open without answering at all, like a
	// server that has hung, until the client gives up.
	Silent
)

// Faults is an HTTP handler that injects failures in front of another
// handler: error statuses, connection resets, truncated and stalled
// responses. It counts requests, so a test can tell how often a client
// retried.
type Faults struct {
	next http.Handler

	mu       sync.Mutex
	failures int64 // how many more requests to fail
	status   int   // the status to fail them with, if fault is 0
	fault    Fault
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
	f.set(n, status, 0, match)
}

// Break makes the next n requests for which match is true (nil: all)
// suffer fault, and restarts the count of requests. match is called once
// per request, in order, so it may keep state.
func (f *Faults) Break(n int64, fault Fault, match func(*http.Request) bool) {
	f.set(n, 0, fault, match)
}

func (f *Faults) set(n int64, status int, fault Fault, match func(*http.Request) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failures, f.status, f.fault, f.match, f.requests = n, status, fault, match, 0
}

// Requests returns how many requests f has seen since Fail or Break.
func (f *Faults) Requests() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests
}

// ServeHTTP fails or forwards r.
func (f *Faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, fault := f.take(r)
	switch {
	case status != 0:
		http.Error(w, "buckettest: injected failure", status)
	case fault == Reset:
		ResetConn(w)
	case fault == Silent:
		conn, _ := hijack(w)
		hold(conn)
	case fault != 0:
		f.breakResponse(w, r, fault)
	default:
		f.next.ServeHTTP(w, r)
	}
}

// take counts a request and returns the status or fault to fail it with,
// or zeros.
func (f *Faults) take(r *http.Request) (int, Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests++

	if f.failures <= 0 || (f.match != nil && !f.match(r)) {
		return 0, 0
	}
	f.failures--
	return f.status, f.fault
}

// breakResponse serves r and sends its headers and half of its body, then
// closes the connection or, for Stall, holds it.
func (f *Faults) breakResponse(w http.ResponseWriter, r *http.Request, fault Fault) {
	rec := httptest.NewRecorder()
	f.next.ServeHTTP(rec, r)
	conn := writePartial(w, rec.Code, rec.Header(), rec.Body.Bytes(), 0.5)
	if fault == Stall {
		hold(conn)
		return
	}
	conn.Close()
}

// hold keeps conn open, sending nothing, until the client closes it.
func hold(conn net.Conn) {
	io.Copy(io.Discard, conn)
	conn.Close()
}
