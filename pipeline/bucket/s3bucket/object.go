package s3bucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// Get opens key for reading.
func (b *Bucket) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	return b.GetRange(ctx, key, 0, -1)
}

// GetRange opens length bytes of key from offset; a negative length reads to
// the end. Opening is retried by the SDK; a body that fails midway is
// resumed from where it stopped (see reader).
func (b *Bucket) GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error) {
	k, err := b.key(key)
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", key, err)
	}
	if offset < 0 {
		return nil, fmt.Errorf("get %q: negative offset %d", key, offset)
	}
	if length == 0 { // HTTP cannot ask for no bytes; check that key exists
		if _, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.name, Key: &k}); err != nil {
			return nil, fmt.Errorf("get %q: %w", key, translate(err))
		}
		return empty(), nil
	}
	in := &s3.GetObjectInput{Bucket: &b.name, Key: &k}
	if offset > 0 || length > 0 {
		in.Range = aws.String(httpRange(offset, length))
	}
	out, err := b.client.GetObject(ctx, in)
	if errorCode(err) == "InvalidRange" {
		// The range starts at or past the end of an object that exists.
		return empty(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("get %q: %w", key, translate(err))
	}
	return &reader{
		ctx: ctx, b: b, key: key, k: k, etag: aws.ToString(out.ETag),
		offset: offset, remaining: length, body: out.Body, progress: time.Now(),
	}, nil
}

// empty returns a reader of nothing.
func empty() io.ReadCloser { return io.NopCloser(strings.NewReader("")) }

// httpRange is the HTTP Range header for length bytes from offset; length
// is not zero, and negative means to the end.
func httpRange(offset, length int64) string {
	if length < 0 {
		return fmt.Sprintf("bytes=%d-", offset)
	}
	return fmt.Sprintf("bytes=%d-%d", offset, offset+length-1)
}

// Stat returns key's attributes.
func (b *Bucket) Stat(ctx context.Context, key string) (bucket.Attrs, error) {
	k, err := b.key(key)
	if err != nil {
		return bucket.Attrs{}, fmt.Errorf("stat %q: %w", key, err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.retry.OpTimeout())
	defer cancel()
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.name, Key: &k})
	if err != nil {
		return bucket.Attrs{}, fmt.Errorf("stat %q: %w", key, translate(err))
	}
	return bucket.Attrs{Key: key, Size: aws.ToInt64(out.ContentLength), ModTime: aws.ToTime(out.LastModified)}, nil
}

// cleanupTimeout bounds an abort that runs after its operation failed.
const cleanupTimeout = 30 * time.Second

// abort aborts a multipart upload so its parts stop costing storage. It
// runs even if ctx is cancelled; its failure leaves only invisible parts,
// which a bucket lifecycle rule should expire, so it is not reported.
func (b *Bucket) abort(ctx context.Context, k, uploadID string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	b.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &b.name, Key: &k, UploadId: &uploadID})
}

// Delete removes key; S3 does not mind if it is missing.
func (b *Bucket) Delete(ctx context.Context, key string) error {
	k, err := b.key(key)
	if err != nil {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	ctx, cancel := context.WithTimeout(ctx, b.retry.OpTimeout())
	defer cancel()
	_, err = b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b.name, Key: &k})
	if err != nil && !errors.Is(translate(err), bucket.ErrNotExist) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	return nil
}

// List calls fn for each object under prefix, in S3's lexical order.
func (b *Bucket) List(ctx context.Context, prefix string, fn func(bucket.Attrs) error) error {
	pages := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
		Bucket: &b.name,
		Prefix: aws.String(b.prefix + prefix),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("list %q: %w", prefix, err)
		}
		for _, obj := range page.Contents {
			err := fn(bucket.Attrs{
				Key:     strings.TrimPrefix(aws.ToString(obj.Key), b.prefix),
				Size:    aws.ToInt64(obj.Size),
				ModTime: aws.ToTime(obj.LastModified),
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
