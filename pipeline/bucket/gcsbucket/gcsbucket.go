// Package gcsbucket is a bucket.Bucket on Google Cloud Storage, using
// cloud.google.com/go/storage. Credentials come from Application Default
// Credentials. To use an emulator, set STORAGE_EMULATOR_HOST (which the
// storage library reads) or the URL's endpoint parameter.
//
// Put streams through the library's resumable upload Writer. Compose uses
// GCS's compose call, in stages through temporary objects when there are
// more parts than the 32 GCS accepts at once; those objects live under
// ".tmp-gcsbucket/" in the bucket's prefix, a name reserved for them;
// those a crash leaves behind are deleted by CleanTemp (the prune job).
package gcsbucket

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"cloud.google.com/go/storage"
	"github.com/googleapis/gax-go/v2"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"google.golang.org/api/option"
)

// tmpDir is the directory, under the bucket's prefix, of Compose's
// temporary objects.
const tmpDir = ".tmp-gcsbucket"

// Opts configures a bucket beyond what its URL says.
type Opts struct {
	// ClientOptions are passed to storage.NewClient after those the URL
	// implies, so they win: for example option.WithHTTPClient, or
	// option.WithEndpoint and option.WithoutAuthentication for a fake. A
	// client given with option.WithHTTPClient is used as it is, without
	// Retry.AttemptTimeout: its own timeouts are then all there is.
	ClientOptions []option.ClientOption

	// Retry bounds the library's retries of transient errors and each
	// attempt's time without progress. A Put from a stream retries only
	// the chunk the Writer has buffered (16 MiB); MaxTime bounds the
	// retrying of each chunk.
	Retry bucket.RetryOpts
}

// Bucket is a bucket.Bucket on GCS, all of whose keys are under a prefix.
type Bucket struct {
	client *storage.Client
	handle *storage.BucketHandle
	prefix string // "" or ending in "/"
	url    string
	retry  bucket.RetryOpts // with its defaults
}

var _ bucket.Bucket = (*Bucket)(nil)

// Open opens gs://bucket/prefix. The URL's one parameter is endpoint, the
// base URL of a GCS emulator (as in STORAGE_EMULATOR_HOST, with the scheme);
// an http:// endpoint is taken to be an emulator and sent no credentials.
func Open(ctx context.Context, u *url.URL, opts Opts) (*Bucket, error) {
	name, prefix, clientOpts, err := parseURL(u)
	if err != nil {
		return nil, &bucket.URLError{Err: fmt.Errorf("gcs bucket URL %q: %w", u.Redacted(), err)}
	}
	retry := opts.Retry.WithDefaults()
	clientOpts = append(clientOpts, opts.ClientOptions...)
	if hc := httpClient(ctx, retry.AttemptTimeout, clientOpts); hc != nil {
		clientOpts = append(clientOpts, option.WithHTTPClient(hc))
	}
	client, err := storage.NewClient(ctx, clientOpts...)
	if err != nil {
		return nil, fmt.Errorf("gcs bucket %q: %w", u.Redacted(), err)
	}
	client.SetRetry(
		// Put, Compose and Delete are not idempotent by GCS's definition
		// (no generation precondition), but replaying them does no harm
		// here: a Put or Compose writes the same bytes again (composeOnce
		// makes the exception), and a replayed Delete's not-found counts
		// as success.
		storage.WithPolicy(storage.RetryAlways),
		storage.WithBackoff(gax.Backoff{Initial: min(time.Second, retry.MaxBackoff), Max: retry.MaxBackoff, Multiplier: 2}),
		storage.WithMaxAttempts(retry.MaxAttempts),
		storage.WithMaxRetryDuration(retry.MaxTime),
	)
	return &Bucket{
		client: client,
		handle: client.Bucket(name),
		prefix: prefix,
		url:    u.String(),
		retry:  retry,
	}, nil
}

// parseURL reads a gs:// URL into a bucket name, a key prefix and client
// options, rejecting parameters it does not know.
func parseURL(u *url.URL) (name, prefix string, opts []option.ClientOption, err error) {
	switch {
	case u.Scheme != "gs":
		return "", "", nil, fmt.Errorf("scheme %q is not gs", u.Scheme)
	case u.User != nil:
		return "", "", nil, errors.New("credentials do not belong in the URL: use Application Default Credentials")
	case u.Host == "":
		return "", "", nil, errors.New("no bucket name: want gs://bucket/prefix")
	}
	if prefix = strings.Trim(u.Path, "/"); prefix != "" {
		if err := bucket.ValidateKey(prefix); err != nil {
			return "", "", nil, fmt.Errorf("prefix: %w", err)
		}
		prefix += "/"
	}
	q := u.Query()
	for _, param := range slices.Sorted(maps.Keys(q)) {
		if param != "endpoint" {
			return "", "", nil, fmt.Errorf("unknown parameter %q (want endpoint)", param)
		}
		if opts, err = endpointOptions(q.Get(param)); err != nil {
			return "", "", nil, fmt.Errorf("parameter %q: %w", param, err)
		}
	}
	return u.Host, prefix, opts, nil
}

// endpointOptions returns the client options for an endpoint parameter.
func endpointOptions(endpoint string) ([]option.ClientOption, error) {
	e, err := url.Parse(endpoint)
	if err != nil || (e.Scheme != "http" && e.Scheme != "https") || e.Host == "" {
		return nil, fmt.Errorf("%q is not an http:// or https:// URL", endpoint)
	}
	if e.Path == "" || e.Path == "/" {
		e.Path = "/storage/v1/" // the JSON API's root, as for STORAGE_EMULATOR_HOST
	}
	opts := []option.ClientOption{option.WithEndpoint(e.String())}
	if e.Scheme == "http" {
		opts = append(opts, option.WithoutAuthentication())
	}
	return opts, nil
}

// object returns the GCS object name for a bucket key, after checking it.
func (b *Bucket) object(key string) (string, error) {
	if err := bucket.ValidateKey(key); err != nil {
		return "", err
	}
	if key == tmpDir || strings.HasPrefix(key, tmpDir+"/") {
		return "", fmt.Errorf("invalid object key %q: %q is reserved for Compose's temporary objects", key, tmpDir)
	}
	return b.prefix + key, nil
}

// Close closes the storage client.
func (b *Bucket) Close() error { return b.client.Close() }

// String returns the bucket's gs:// URL.
func (b *Bucket) String() string { return b.url }
