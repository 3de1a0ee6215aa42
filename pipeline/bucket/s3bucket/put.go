//lint:file-ignore SA1019 feature/s3/manager is deprecated for feature/s3/transfermanager, which is still v0.x; move to it once it reaches v1.

package s3bucket

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// uploader streams Puts through the SDK's multipart upload manager.
type uploader struct {
	m *manager.Uploader
}

// newUploader returns an uploader of parts of partSize, concurrency at once.
func newUploader(client *s3.Client, partSize int64, concurrency int) uploader {
	return uploader{manager.NewUploader(client, func(u *manager.Uploader) {
		u.PartSize = partSize
		u.Concurrency = concurrency
		u.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		// Put aborts failed uploads itself, with a context that survives
		// the cancellation that may have caused the failure.
		u.LeavePartsOnError = true
	})}
}

// Put streams r to key: one PutObject for an object smaller than a part,
// else a multipart upload, which S3 makes visible only when it completes.
// A failed multipart upload is aborted. When the upload fails after the
// whole of r was sent, the object is checked (see verify): a lost answer
// is not a failed Put.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader) error {
	k, err := b.key(key)
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	src := newSent(r)
	_, err = b.uploader.m.Upload(ctx, &s3.PutObjectInput{Bucket: &b.name, Key: &k, Body: src})
	if err == nil {
		return nil
	}
	var failed manager.MultiUploadFailure
	if errors.As(err, &failed) {
		b.abort(ctx, k, failed.UploadID())
	}
	// Everything was sent, so the object may exist though the answer was
	// lost: if it holds what was sent, the Put has done its work.
	if src.complete() && ctx.Err() == nil && b.verify(ctx, key, k, src) {
		return nil
	}
	return fmt.Errorf("put %q: %w", key, err)
}
