// Package stall bounds HTTP attempts by progress: an attempt on which
// nothing moves for a timeout (no connection, no response, no byte of the
// request or response body) is cancelled with an *Error, which the cloud
// SDKs' retryers take for a transient connection error. It does not bound
// an attempt that keeps moving bytes, however slowly, nor the time a caller
// spends between reads of a response body.
//
// The cloud providers put it under their SDKs' HTTP clients, so that a dead
// or silent endpoint fails each attempt in bounded time rather than hanging.
package stall

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// Error is the error of an attempt that made no progress for After.
type Error struct {
	After time.Duration
}

func (e *Error) Error() string {
	return fmt.Sprintf("no progress for %s: request abandoned", e.After)
}

// Timeout reports true: the attempt timed out.
func (*Error) Timeout() bool { return true }

// Temporary reports true: another attempt may succeed.
func (*Error) Temporary() bool { return true }

// ConnectionError reports true, which is how the AWS SDK's retryer
// recognises a retryable connection failure.
func (*Error) ConnectionError() bool { return true }

// Doer sends an HTTP request, as *http.Client and the AWS SDK's clients do.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Client is a Doer that abandons stalled attempts of Next.
type Client struct {
	Next    Doer
	Timeout time.Duration
}

// Do sends req through Next, cancelling it after Timeout without progress.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	return send(req, c.Next.Do, c.Timeout)
}

// Transport is a RoundTripper that abandons stalled attempts of Base.
type Transport struct {
	Base    http.RoundTripper
	Timeout time.Duration
}

// RoundTrip sends req through Base, cancelling it after Timeout without
// progress.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	return send(req, t.Base.RoundTrip, t.Timeout)
}

// send sends req with fn under a watch.
func send(req *http.Request, fn func(*http.Request) (*http.Response, error), timeout time.Duration) (*http.Response, error) {
	if timeout <= 0 {
		return fn(req)
	}
	w := newWatch(req.Context(), timeout)
	req = req.WithContext(w.ctx)
	if req.Body != nil && req.Body != http.NoBody {
		req.Body = &reqBody{ReadCloser: req.Body, w: w}
	}
	w.enter()
	resp, err := fn(req)
	w.leave()
	if err != nil {
		w.done()
		return nil, w.explain(err)
	}
	resp.Body = &respBody{rc: resp.Body, w: w}
	return resp, nil
}

// watch cancels an attempt's context once someone has waited on the
// network for the timeout without any byte moving.
type watch struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	parent context.Context
	err    *Error

	mu      sync.Mutex
	waiting int
	timer   *time.Timer
	timeout time.Duration
}

func newWatch(parent context.Context, timeout time.Duration) *watch {
	ctx, cancel := context.WithCancelCause(parent)
	w := &watch{ctx: ctx, cancel: cancel, parent: parent, err: &Error{After: timeout}, timeout: timeout}
	w.timer = time.AfterFunc(timeout, func() { cancel(w.err) })
	w.timer.Stop()
	return w
}

// enter starts a wait on the network.
func (w *watch) enter() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waiting++
	w.timer.Reset(w.timeout)
}

// leave ends a wait on the network: something arrived, or the caller has
// what it waited for.
func (w *watch) leave() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waiting--
	if w.waiting == 0 {
		w.timer.Stop()
	} else {
		w.timer.Reset(w.timeout)
	}
}

// progress restarts the timeout of any wait in progress.
func (w *watch) progress() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.waiting > 0 {
		w.timer.Reset(w.timeout)
	}
}

// done releases the watch.
func (w *watch) done() {
	w.mu.Lock()
	w.timer.Stop()
	w.mu.Unlock()
	w.cancel(context.Canceled)
}

// explain returns the watch's *Error in place of err if the watch cancelled
// the attempt, and err otherwise.
func (w *watch) explain(err error) error {
	if err == nil || w.parent.Err() != nil || !errors.Is(context.Cause(w.ctx), w.err) {
		return err
	}
	return w.err
}

// reqBody counts reads of a request body as progress.
type reqBody struct {
	io.ReadCloser
	w *watch
}

func (b *reqBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.w.progress()
	}
	return n, err
}

// respBody times each read of a response body.
type respBody struct {
	rc io.ReadCloser
	w  *watch
}

func (b *respBody) Read(p []byte) (int, error) {
	b.w.enter()
	n, err := b.rc.Read(p)
	b.w.leave()
	if err != nil && err != io.EOF {
		err = b.w.explain(err)
	}
	return n, err
}

func (b *respBody) Close() error {
	err := b.rc.Close()
	b.w.done()
	return err
}
