package bucket

import (
	"cmp"
	"time"
)

// Retry defaults for the cloud providers. Eight attempts with jittered
// exponential backoff capped at five seconds ride out a brief outage or a
// burst of throttling without hiding a real failure for long; an attempt on
// which nothing moves for 30 seconds is abandoned, so that a silent endpoint
// costs no more than a failing one.
const (
	DefaultMaxAttempts    = 8
	DefaultMaxBackoff     = 5 * time.Second
	DefaultMaxRetryTime   = 30 * time.Second
	DefaultAttemptTimeout = 30 * time.Second
)

// RetryOpts bounds how a cloud provider retries transient errors (HTTP 429,
// 500, 502, 503 and 504, connection resets, truncated responses and
// timeouts) and how long it waits on one attempt. Cancellation, not-found
// and other client errors are never retried. The zero value means the
// defaults above.
//
// Together they put a deadline on every operation: against an endpoint that
// refuses connections or never answers, an operation fails within about
// MaxTime + AttemptTimeout + MaxBackoff. An operation that keeps moving
// bytes is not cut off, however large its object.
type RetryOpts struct {
	// MaxAttempts is how many times one request is sent, counting the
	// first; 1 disables retries.
	MaxAttempts int
	// MaxBackoff caps the jittered exponential wait between attempts.
	MaxBackoff time.Duration
	// MaxTime bounds one request's retrying: once it has run this long, a
	// failed attempt is returned rather than retried. For a streamed Get or
	// Put it counts from the stream's last progress, so it does not bound
	// the time to stream a large object, only whether a failure is retried.
	MaxTime time.Duration
	// AttemptTimeout abandons an attempt on which nothing moves for this
	// long: no connection, no response, no byte of the request or response
	// body. The abandoned attempt counts as a transient failure, so it is
	// retried (a stalled Get resumes with a ranged read from where it
	// stopped). Time the caller spends between reads of a Get's body does
	// not count.
	AttemptTimeout time.Duration
}

// WithDefaults returns o with its zero fields set to the defaults.
func (o RetryOpts) WithDefaults() RetryOpts {
	return RetryOpts{
		MaxAttempts: cmp.Or(o.MaxAttempts, DefaultMaxAttempts),
		MaxBackoff:  cmp.Or(o.MaxBackoff, DefaultMaxBackoff),
		MaxTime:     cmp.Or(o.MaxTime, DefaultMaxRetryTime),

		AttemptTimeout: cmp.Or(o.AttemptTimeout, DefaultAttemptTimeout),
	}
}

// OpTimeout is the deadline of an operation that moves no object body
// (Stat, Delete): every attempt's time, the retrying and a last backoff. o
// must have its defaults.
func (o RetryOpts) OpTimeout() time.Duration {
	return o.MaxTime + o.AttemptTimeout + o.MaxBackoff
}
