package s3bucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// newRetryer returns the SDK's standard retryer (jittered exponential
// backoff; retries 500, 502, 503, 504, throttling, connection errors and
// timeouts, never cancellation) bounded by o, which must have its defaults.
func newRetryer(o bucket.RetryOpts) aws.Retryer {
	std := retry.NewStandard(func(so *retry.StandardOptions) {
		so.MaxAttempts = o.MaxAttempts
		so.MaxBackoff = o.MaxBackoff
		// The standard retry quota is shared by every request of the
		// client, so a burst of failures would stop unrelated requests
		// from retrying at all; MaxAttempts and MaxTime bound retries.
		so.RateLimiter = ratelimit.None
		// A 429 without a throttling error code (some S3-compatible
		// servers) is still throttling.
		so.Retryables = append(so.Retryables, retry.RetryableHTTPStatusCode{
			Codes: map[int]struct{}{http.StatusTooManyRequests: {}},
		}, retry.IsErrorRetryableFunc(truncated))
	})
	return &timeBoundRetryer{RetryerV2: std, maxTime: o.MaxTime}
}

// truncated retries a response cut short: the SDK takes the failure to
// parse it for a permanent error.
func truncated(err error) aws.Ternary {
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

// timeBoundRetryer stops retrying a request that has run for maxTime. The
// SDK only counts attempts; a context deadline would also cut off a slow
// but healthy transfer.
type timeBoundRetryer struct {
	aws.RetryerV2
	maxTime time.Duration
}

// GetRetryToken refuses a retry once the request has run for maxTime; the
// SDK then returns the request's last error joined with this one.
func (r *timeBoundRetryer) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	if start, ok := ctx.Value(startKey{}).(time.Time); ok && time.Since(start) >= r.maxTime {
		return nil, fmt.Errorf("not retrying: request has run for over %s", r.maxTime)
	}
	return r.RetryerV2.GetRetryToken(ctx, opErr)
}

// startKey is the context key for when a request started.
type startKey struct{}

// addStartTime adds to an operation's middleware stack a step that records
// when the operation started, for timeBoundRetryer.
func addStartTime(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("SightlineStartTime",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(context.WithValue(ctx, startKey{}, time.Now()), in)
		}), middleware.Before)
}
