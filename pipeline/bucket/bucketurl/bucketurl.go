// Package bucketurl opens a bucket.Bucket from its URL, choosing the
// provider by scheme: file:///abs/path, s3://bucket/prefix or
// gs://bucket/prefix. It lives apart from package bucket so that the
// interface does not import every provider's SDK.
package bucketurl

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/gcsbucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
)

// supported lists the schemes Open knows, for error messages.
const supported = "file://, s3:// or gs://"

// Opts configures the buckets Open opens beyond what their URLs say.
type Opts struct {
	// Logger receives what the cloud SDKs log (the AWS SDK's warnings);
	// nil means slog.Default().
	Logger *slog.Logger
}

// Open opens the bucket at rawURL with the provider's default options. The
// providers' packages document their URLs' parameters. A URL that is wrong
// as written is a *bucket.URLError.
func Open(ctx context.Context, rawURL string) (bucket.Bucket, error) {
	return OpenOpts(ctx, rawURL, Opts{})
}

// OpenOpts is Open with options.
func OpenOpts(ctx context.Context, rawURL string, opts Opts) (bucket.Bucket, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the URL, and may hold a password; say why only.
		if uerr, ok := err.(*url.Error); ok {
			err = uerr.Err
		}
		return nil, &bucket.URLError{Err: fmt.Errorf("bucket URL %q: %w (want %s)", redact(rawURL), err, supported)}
	}
	switch u.Scheme {
	case "file":
		return filebucket.Open(u)
	case "s3":
		return s3bucket.Open(ctx, u, s3bucket.Opts{Logger: opts.Logger})
	case "gs":
		return gcsbucket.Open(ctx, u, gcsbucket.Opts{})
	case "":
		return nil, &bucket.URLError{Err: fmt.Errorf("bucket URL %q: no scheme (want %s)", u.Redacted(), supported)}
	default:
		return nil, &bucket.URLError{Err: fmt.Errorf("bucket URL %q: unknown scheme %q (want %s)", u.Redacted(), u.Scheme, supported)}
	}
}

// redact masks the password, if any, in a URL that did not parse, as
// url.URL.Redacted does for one that did.
func redact(rawURL string) string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return rawURL
	}
	authority, path, _ := strings.Cut(rest, "/")
	at := strings.LastIndex(authority, "@")
	user, _, hasPassword := strings.Cut(authority[:max(at, 0)], ":")
	if at < 0 || !hasPassword {
		return rawURL
	}
	masked := scheme + "://" + user + ":xxxxx" + authority[at:]
	if len(authority) < len(rest) {
		masked += "/" + path
	}
	return masked
}
