package bucket

import (
	"cmp"
	"time"
)

// Retry defaults for the cloud providers. Eight attempts with jittered
// exponential backoff capped at five seconds ride out a brief outage or a
// burst of throttling without hiding a real failure for long.
const (
	DefaultMaxAttempts  = 8
	DefaultMaxBackoff   = 5 * time.Second
	DefaultMaxRetryTime = 30 * time.Second
)

// RetryOpts bounds how a cloud provider retries transient errors: HTTP 429,
// 500, 502, 503 and 504, connection resets and timeouts. Cancellation,
// not-found and other client errors are never retried. The zero value means
// the defaults above.
type RetryOpts struct {
	// MaxAttempts is how many times one request is sent, counting the
	// first; 1 disables retries.
	MaxAttempts int
	// MaxBackoff caps the jittered exponential wait between attempts.
	MaxBackoff time.Duration
	// MaxTime bounds one request's retrying: once it has run this long, a
	// failed attempt is returned rather than retried. It does not bound
	// the time to stream a large object, only whether a failure is retried.
	MaxTime time.Duration
}

// WithDefaults returns o with its zero fields set to the defaults.
func (o RetryOpts) WithDefaults() RetryOpts {
	return RetryOpts{
		MaxAttempts: cmp.Or(o.MaxAttempts, DefaultMaxAttempts),
		MaxBackoff:  cmp.Or(o.MaxBackoff, DefaultMaxBackoff),
		MaxTime:     cmp.Or(o.MaxTime, DefaultMaxRetryTime),
	}
}
