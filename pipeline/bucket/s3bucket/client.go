package s3bucket

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sightline-dev/sightline/pipeline/bucket/internal/stall"
)

// defaultRegion signs requests when nothing names a region: S3-compatible
// servers mostly ignore it, and AWS answers a wrong one with an error that
// names the right one.
const defaultRegion = "us-east-1"

// newClient builds an S3 client from the SDK's default configuration, the
// URL's parameters and opts.
func newClient(ctx context.Context, p params, opts Opts) (*s3.Client, error) {
	retry := opts.Retry.WithDefaults()
	load := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer { return newRetryer(retry) }),
		// Since service/s3 v1.73 (January 2025) the SDK adds CRC checksums
		// to every upload, sent as aws-chunked trailers, and checks them on
		// download. Many S3-compatible servers reject the trailers or send
		// no checksums; WhenRequired restores what every server supports.
		config.WithRequestChecksumCalculation(aws.RequestChecksumCalculationWhenRequired),
		config.WithResponseChecksumValidation(aws.ResponseChecksumValidationWhenRequired),
		config.WithLogger(sdkLogger{cmp.Or(opts.Logger, slog.Default())}),
	}
	if p.region != "" {
		load = append(load, config.WithRegion(p.region))
	}
	// opts.HTTPClient is deliberately not given to LoadDefaultConfig: with
	// AWS_CA_BUNDLE set, the SDK would fail ("unable to add custom RootCAs")
	// on any client that is not its own BuildableClient. It goes to the S3
	// client alone, below.
	cfg, err := config.LoadDefaultConfig(ctx, load...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = defaultRegion
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if p.endpoint != "" {
			o.BaseEndpoint = aws.String(p.endpoint)
		}
		o.UsePathStyle = p.pathStyle
		if opts.HTTPClient != nil {
			o.HTTPClient = opts.HTTPClient
		}
		o.HTTPClient = &stall.Client{Next: o.HTTPClient, Timeout: retry.AttemptTimeout}
		o.APIOptions = append(o.APIOptions, addStartTime)
	}), nil
}
