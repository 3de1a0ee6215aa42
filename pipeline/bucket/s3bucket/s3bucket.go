// Package s3bucket is a bucket.Bucket on Amazon S3 or an S3-compatible store
// (MinIO, Ceph, R2, gofakes3), using aws-sdk-go-v2. Credentials come from
// the SDK's usual chain (environment, shared config, instance role); they
// never appear in the bucket URL.
//
// Put streams through the SDK's multipart upload manager and Compose builds
// a multipart upload from server-side part copies, so neither holds a whole
// object in memory.
package s3bucket

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// Defaults for Opts.
const (
	// DefaultPartSize is the size of the parts Put uploads.
	DefaultPartSize = 8 << 20
	// DefaultConcurrency is how many parts Put uploads at once.
	DefaultConcurrency = 4
)

// Opts configures a bucket beyond what its URL says.
type Opts struct {
	// HTTPClient, if set, sends the S3 requests, under Retry's
	// AttemptTimeout. It is used as given: the CA bundle named by
	// AWS_CA_BUNDLE goes into the SDK's own client (used for credentials),
	// so a custom client brings its own TLS settings.
	HTTPClient *http.Client

	// Retry bounds the SDK's retries of transient errors, each attempt's
	// time without progress, and the resuming of a Get whose body fails.
	Retry bucket.RetryOpts

	// PartSize is the size of the parts Put uploads, at least 5 MiB; zero
	// means DefaultPartSize. Each part is buffered, which is what lets a
	// failed part be retried: a Put from a stream cannot replay more than
	// the part in flight, so a failure the SDK cannot retry fails the Put.
	PartSize int64

	// Concurrency is how many parts Put uploads at once, so Put buffers up
	// to Concurrency×PartSize bytes. Zero means DefaultConcurrency.
	Concurrency int

	// Logger receives the SDK's log messages; nil means slog.Default().
	Logger *slog.Logger
}

// Bucket is a bucket.Bucket on S3, all of whose keys are under a prefix.
type Bucket struct {
	client   *s3.Client
	uploader uploader
	name     string // the S3 bucket
	prefix   string // "" or ending in "/"
	url      string
	partSize int64
	retry    bucket.RetryOpts // with its defaults

	// noPartCopy is set once the server has refused UploadPartCopy, as
	// gofakes3 does; Compose then streams every part.
	noPartCopy atomic.Bool
}

var _ bucket.Bucket = (*Bucket)(nil)

// Open opens s3://bucket/prefix. The URL's parameters are endpoint (an
// S3-compatible server's URL), region, and path_style (true to address the
// bucket in the path rather than the host name, as most S3-compatible
// servers need).
func Open(ctx context.Context, u *url.URL, opts Opts) (*Bucket, error) {
	p, err := parseURL(u)
	if err != nil {
		return nil, &bucket.URLError{Err: fmt.Errorf("s3 bucket URL %q: %w", u.Redacted(), err)}
	}
	partSize := cmp.Or(opts.PartSize, DefaultPartSize)
	if partSize < minPartSize {
		return nil, fmt.Errorf("s3 bucket %q: part size %d is under S3's minimum of %d", u.Redacted(), partSize, minPartSize)
	}
	client, err := newClient(ctx, p, opts)
	if err != nil {
		return nil, fmt.Errorf("s3 bucket %q: %w", u.Redacted(), err)
	}
	return &Bucket{
		client:   client,
		uploader: newUploader(client, partSize, cmp.Or(opts.Concurrency, DefaultConcurrency)),
		name:     p.bucket,
		prefix:   p.prefix,
		url:      u.String(),
		partSize: partSize,
		retry:    opts.Retry.WithDefaults(),
	}, nil
}

// params is what an s3:// URL says.
type params struct {
	bucket, prefix   string
	endpoint, region string
	pathStyle        bool
}

// parseURL reads an s3:// URL, rejecting parameters it does not know.
func parseURL(u *url.URL) (params, error) {
	switch {
	case u.Scheme != "s3":
		return params{}, fmt.Errorf("scheme %q is not s3", u.Scheme)
	case u.User != nil:
		return params{}, errors.New("credentials do not belong in the URL: use the AWS credential chain")
	case u.Host == "":
		return params{}, errors.New("no bucket name: want s3://bucket/prefix")
	}
	p := params{bucket: u.Host}
	var err error
	if p.prefix, err = parsePrefix(u.Path); err != nil {
		return params{}, err
	}
	q := u.Query()
	for _, name := range slices.Sorted(maps.Keys(q)) {
		value := q.Get(name)
		switch name {
		case "endpoint":
			p.endpoint = value
		case "region":
			p.region = value
		case "path_style":
			if p.pathStyle, err = strconv.ParseBool(value); err != nil {
				return params{}, fmt.Errorf("parameter %q: %q is not true or false", name, value)
			}
		default:
			return params{}, fmt.Errorf("unknown parameter %q (want endpoint, region or path_style)", name)
		}
	}
	return p, nil
}

// parsePrefix turns a URL path into a key prefix: "" or "a/b/".
func parsePrefix(path string) (string, error) {
	prefix := strings.Trim(path, "/")
	if prefix == "" {
		return "", nil
	}
	if err := bucket.ValidateKey(prefix); err != nil {
		return "", fmt.Errorf("prefix: %w", err)
	}
	return prefix + "/", nil
}

// key returns the S3 key for a bucket key, after checking it.
func (b *Bucket) key(key string) (string, error) {
	if err := bucket.ValidateKey(key); err != nil {
		return "", err
	}
	return b.prefix + key, nil
}

// Close implements bucket.Bucket; the SDK client holds nothing to release.
func (b *Bucket) Close() error { return nil }

// String returns the bucket's s3:// URL.
func (b *Bucket) String() string { return b.url }
