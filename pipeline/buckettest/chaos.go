package buckettest

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
)

// ChaosConfig is how often Chaos injects each fault: the probability, per
// request, of a 503, a reset connection and a truncated response. They are
// exclusive, so their sum is the probability that a request is hit.
type ChaosConfig struct {
	// Seed seeds the random faults: a failing seed replays the same
	// sequence of decisions. Requests sent concurrently may take them in
	// another order, so it replays a run closely, not exactly.
	Seed uint64
	// Unavailable is the probability of answering 503 Service Unavailable
	// without passing the request on.
	Unavailable float64
	// Reset is the probability of resetting the connection (TCP RST): half
	// of the time before the request reaches the server, half after the
	// server has acted on it, the answer lost.
	Reset float64
	// Truncate is the probability of passing the request on and cutting
	// the server's answer short: the headers promise the full
	// Content-Length, part of the body is sent, then the connection is
	// closed. An answer without a body is cut inside its headers.
	Truncate float64
}

// ChaosCounts are the requests a Chaos saw and the faults it injected.
type ChaosCounts struct {
	Requests    int64
	Unavailable int64
	// ResetsBefore were reset before the server saw them, ResetsAfter
	// after it acted on them.
	ResetsBefore int64
	ResetsAfter  int64
	Truncations  int64
}

// Faults returns how many faults c counts, of every kind.
func (c ChaosCounts) Faults() int64 {
	return c.Unavailable + c.ResetsBefore + c.ResetsAfter + c.Truncations
}

// String formats c for a test log.
func (c ChaosCounts) String() string {
	return fmt.Sprintf("%d requests: %d × 503, %d resets before and %d after serving, %d truncations",
		c.Requests, c.Unavailable, c.ResetsBefore, c.ResetsAfter, c.Truncations)
}

// Chaos is an HTTP handler that injects random faults in front of another
// handler (a fake S3 or GCS server), at the rates of its ChaosConfig, as a
// flaky network and an overloaded store would. Resets and truncations
// hijack the connection, so the server must speak HTTP/1.1 (httptest's
// does).
type Chaos struct {
	next http.Handler
	cfg  ChaosConfig

	mu     sync.Mutex
	rng    *rand.Rand
	counts ChaosCounts
}

// NewChaos returns a Chaos passing requests to next, with cfg's rates.
func NewChaos(next http.Handler, cfg ChaosConfig) *Chaos {
	return &Chaos{next: next, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0x50a4))}
}

// Counts returns the requests seen and faults injected so far.
func (c *Chaos) Counts() ChaosCounts {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.counts
}

// fault is what Chaos does to one request.
type fault int

const (
	pass fault = iota
	unavailable
	resetBefore
	resetAfter
	truncate
)

// roll decides r's fate, counts it and, for a truncation, draws where in
// (0, 1) of the answer to cut.
func (c *Chaos) roll() (fault, float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts.Requests++
	x, cut := c.rng.Float64(), c.rng.Float64()
	switch {
	case x < c.cfg.Unavailable:
		c.counts.Unavailable++
		return unavailable, 0
	case x < c.cfg.Unavailable+c.cfg.Reset:
		if cut < 0.5 {
			c.counts.ResetsBefore++
			return resetBefore, 0
		}
		c.counts.ResetsAfter++
		return resetAfter, 0
	case x < c.cfg.Unavailable+c.cfg.Reset+c.cfg.Truncate:
		c.counts.Truncations++
		return truncate, cut
	}
	return pass, 0
}

// ServeHTTP passes r on or injects a fault.
func (c *Chaos) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, cut := c.roll()
	switch f {
	case unavailable:
		http.Error(w, "buckettest: injected 503", http.StatusServiceUnavailable)
	case resetBefore:
		ResetConn(w)
	case resetAfter:
		c.next.ServeHTTP(httptest.NewRecorder(), r)
		ResetConn(w)
	case truncate:
		rec := httptest.NewRecorder()
		c.next.ServeHTTP(rec, r)
		WriteTruncated(w, rec.Result().StatusCode, rec.Header(), rec.Body.Bytes(), cut)
	default:
		c.next.ServeHTTP(w, r)
	}
}

// ResetConn resets the connection of w: the client sees "connection reset
// by peer" instead of an answer. It panics if w cannot be hijacked, which
// would make the test's faults silently different.
func ResetConn(w http.ResponseWriter) {
	conn, _ := hijack(w)
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0) // close sends RST, not FIN
	}
	conn.Close()
}

// WriteTruncated answers with status, header and the first part of body —
// cut, a fraction in [0, 1), of it, at least one byte short — while
// promising the whole of body in Content-Length, then closes the
// connection. An empty body is cut inside the headers instead. The client
// sees an unexpected EOF.
func WriteTruncated(w http.ResponseWriter, status int, header http.Header, body []byte, cut float64) {
	writePartial(w, status, header, body, cut).Close()
}

// writePartial hijacks w, sends what WriteTruncated describes and returns
// the connection, open, for the caller to close or hold.
func writePartial(w http.ResponseWriter, status int, header http.Header, body []byte, cut float64) net.Conn {
	conn, buf := hijack(w)
	var head bytes.Buffer
	fmt.Fprintf(&head, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	h := header.Clone()
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Connection", "close")
	_ = h.Write(&head)
	head.WriteString("\r\n")
	out := append(head.Bytes(), body[:int(cut*float64(len(body)))]...)
	if len(body) == 0 {
		out = head.Bytes()[:int(cut*float64(head.Len()))]
	}
	_, _ = buf.Write(out)
	_ = buf.Flush()
	return conn
}

func hijack(w http.ResponseWriter) (net.Conn, *bufio.ReadWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(fmt.Sprintf("buckettest: %T cannot be hijacked: serve Chaos over HTTP/1.1", w))
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		panic(fmt.Sprintf("buckettest: hijack: %v", err))
	}
	return conn, buf
}
