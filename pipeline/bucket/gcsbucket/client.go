package gcsbucket

import (
	"context"
	"net/http"
	"os"
	"time"

	"cloud.google.com/go/storage"
	"github.com/sightline-dev/sightline/pipeline/bucket/internal/stall"
	"google.golang.org/api/option"
	htransport "google.golang.org/api/transport/http"
)

// httpClient returns the HTTP client the storage client sends through: the
// usual authenticated transport (none for an emulator) over a stall.Transport,
// so that an attempt on which nothing moves for attemptTimeout is
// abandoned and retried rather than left to hang. It returns nil, leaving
// the storage library to build its own client, if opts hold one of the
// caller's (option.WithHTTPClient): the caller's client is used as given.
func httpClient(ctx context.Context, attemptTimeout time.Duration, opts []option.ClientOption) *http.Client {
	base := &stall.Transport{Base: http.DefaultTransport.(*http.Transport).Clone(), Timeout: attemptTimeout}
	opts = append([]option.ClientOption{option.WithScopes(storage.ScopeFullControl, "https://www.googleapis.com/auth/cloud-platform")}, opts...)
	if os.Getenv("STORAGE_EMULATOR_HOST") != "" {
		opts = append(opts, option.WithoutAuthentication())
	}
	tr, err := htransport.NewTransport(ctx, base, opts...)
	if err != nil {
		return nil
	}
	return &http.Client{Transport: tr}
}
