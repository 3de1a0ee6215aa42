package s3bucket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// errNoPartCopy means the server does not implement UploadPartCopy.
var errNoPartCopy = errors.New("server does not support UploadPartCopy")

// Compose writes the concatenation of parts to dst. S3 has no compose call,
// so it builds a multipart upload, copying large parts server-side with
// UploadPartCopy and streaming small ones through; S3 makes the result
// visible only when the upload completes.
func (b *Bucket) Compose(ctx context.Context, dst string, parts []string) error {
	if err := b.compose(ctx, dst, parts); err != nil {
		return fmt.Errorf("compose %q: %w", dst, err)
	}
	return nil
}

func (b *Bucket) compose(ctx context.Context, dst string, parts []string) error {
	dstKey, err := b.key(dst)
	if err != nil {
		return err
	}
	if len(parts) == 0 {
		return errors.New("no parts")
	}
	srcs, err := b.statParts(ctx, parts)
	if err != nil {
		return err
	}
	if len(srcs) == 1 && srcs[0].size <= maxPartSize {
		return b.copyObject(ctx, dstKey, srcs[0])
	}
	if !b.noPartCopy.Load() {
		err = b.composeMultipart(ctx, dstKey, srcs, true)
		if !errors.Is(err, errNoPartCopy) {
			return err
		}
		b.noPartCopy.Store(true)
	}
	return b.composeMultipart(ctx, dstKey, srcs, false)
}

// statParts returns the sources of a Compose, with the sizes and versions
// that its copies and reads will insist on.
func (b *Bucket) statParts(ctx context.Context, parts []string) ([]piece, error) {
	srcs := make([]piece, len(parts))
	for i, name := range parts {
		k, err := b.key(name)
		if err != nil {
			return nil, fmt.Errorf("part %q: %w", name, err)
		}
		out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.name, Key: &k})
		if err != nil {
			return nil, fmt.Errorf("part %q: %w", name, translate(err))
		}
		srcs[i] = piece{name: name, key: k, etag: aws.ToString(out.ETag), size: aws.ToInt64(out.ContentLength)}
	}
	return srcs, nil
}

// copyObject copies a single source to dst. Copying an object onto itself
// changes nothing, and S3 refuses it.
func (b *Bucket) copyObject(ctx context.Context, dstKey string, src piece) error {
	if src.key == dstKey {
		return nil
	}
	_, err := b.client.CopyObject(ctx, &s3.CopyObjectInput{
		Bucket:            &b.name,
		Key:               &dstKey,
		CopySource:        aws.String(b.copySource(src)),
		CopySourceIfMatch: ifMatch(src.etag),
	})
	if err != nil {
		return fmt.Errorf("part %q: %w", src.name, translate(err))
	}
	return nil
}

// composeMultipart writes srcs to dst as a multipart upload, aborted if any
// step fails.
func (b *Bucket) composeMultipart(ctx context.Context, dstKey string, srcs []piece, canCopy bool) (err error) {
	plan := planParts(srcs, canCopy, b.partSize)
	switch {
	case len(plan) == 0:
		_, err := b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.name, Key: &dstKey, Body: strings.NewReader("")})
		return err
	case len(plan) > maxParts:
		return fmt.Errorf("%d parts are over S3's limit of %d", len(plan), maxParts)
	}
	up, err := b.client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &b.name, Key: &dstKey})
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			b.abort(ctx, dstKey, aws.ToString(up.UploadId))
		}
	}()
	upload := multipart{b: b, key: dstKey, id: up.UploadId}
	completed := make([]types.CompletedPart, len(plan))
	for i, p := range plan {
		num := int32(i + 1)
		etag, err := upload.part(ctx, num, p)
		if err != nil {
			return err
		}
		completed[i] = types.CompletedPart{ETag: etag, PartNumber: &num}
	}
	_, err = b.client.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket:          &b.name,
		Key:             &dstKey,
		UploadId:        up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed},
	})
	if errorCode(err) == "NoSuchUpload" && b.composed(ctx, dstKey, srcs) {
		return nil
	}
	return err
}

// composed reports whether dstKey holds an object of the sources' total
// size. It is asked when CompleteMultipartUpload says the upload does not
// exist: the upload id is this call's alone and is never aborted before
// Complete returns, so the upload is gone because an earlier attempt of
// Complete finished it and its answer was lost (a reset or truncated
// response the SDK retried). S3 completes an upload atomically, so the
// object is then the concatenation of the parts; the size check guards
// against anything else having happened to the key.
func (b *Bucket) composed(ctx context.Context, dstKey string, srcs []piece) bool {
	var want int64
	for _, s := range srcs {
		want += s.size
	}
	out, err := b.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &b.name, Key: &dstKey})
	return err == nil && aws.ToInt64(out.ContentLength) == want
}

// multipart is a multipart upload in progress.
type multipart struct {
	b   *Bucket
	key string
	id  *string
	buf []byte // for streamed parts, reused
}

// part uploads part number num and returns its ETag.
func (m *multipart) part(ctx context.Context, num int32, p part) (*string, error) {
	if p.copy {
		return m.copyPart(ctx, num, p.pieces[0])
	}
	return m.streamPart(ctx, num, p)
}

// copyPart uploads a part as a server-side copy of src.
func (m *multipart) copyPart(ctx context.Context, num int32, src piece) (*string, error) {
	out, err := m.b.client.UploadPartCopy(ctx, &s3.UploadPartCopyInput{
		Bucket:            &m.b.name,
		Key:               &m.key,
		UploadId:          m.id,
		PartNumber:        &num,
		CopySource:        aws.String(m.b.copySource(src)),
		CopySourceRange:   aws.String(fmt.Sprintf("bytes=%d-%d", src.offset, src.offset+src.size-1)),
		CopySourceIfMatch: ifMatch(src.etag),
	})
	switch {
	case noPartCopy(err):
		return nil, fmt.Errorf("%w: %w", errNoPartCopy, err)
	case err != nil:
		return nil, fmt.Errorf("part %q: %w", src.name, translate(err))
	case out.CopyPartResult == nil:
		return nil, fmt.Errorf("part %q: UploadPartCopy returned no ETag", src.name)
	}
	return out.CopyPartResult.ETag, nil
}

// noPartCopy reports whether err means the server does not implement
// UploadPartCopy. gofakes3 takes the request for an UploadPart without a
// body, and answers MissingContentLength.
func noPartCopy(err error) bool {
	switch errorCode(err) {
	case "NotImplemented", "MissingContentLength":
		return true
	}
	return false
}

// streamPart reads p's pieces into memory and uploads them as one part.
// Streamed parts are small (see planParts), and a buffered part can be
// signed and retried, which a part piped from a download could not.
func (m *multipart) streamPart(ctx context.Context, num int32, p part) (*string, error) {
	m.buf = m.buf[:0]
	for _, pc := range p.pieces {
		var err error
		if m.buf, err = m.b.readPiece(ctx, m.buf, pc); err != nil {
			return nil, fmt.Errorf("part %q: %w", pc.name, err)
		}
	}
	out, err := m.b.client.UploadPart(ctx, &s3.UploadPartInput{
		Bucket:        &m.b.name,
		Key:           &m.key,
		UploadId:      m.id,
		PartNumber:    &num,
		Body:          bytes.NewReader(m.buf),
		ContentLength: aws.Int64(int64(len(m.buf))),
	})
	if err != nil {
		return nil, err
	}
	return out.ETag, nil
}

// readPiece appends the bytes of pc to buf, resuming a read that fails
// midway.
func (b *Bucket) readPiece(ctx context.Context, buf []byte, pc piece) ([]byte, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{
		Bucket:  &b.name,
		Key:     &pc.key,
		Range:   aws.String(httpRange(pc.offset, pc.size)),
		IfMatch: ifMatch(pc.etag),
	})
	if err != nil {
		return buf, translate(err)
	}
	body := &reader{
		ctx: ctx, b: b, key: pc.name, k: pc.key, etag: pc.etag,
		offset: pc.offset, remaining: pc.size, body: out.Body, progress: time.Now(),
	}
	defer body.Close()
	w := bytes.NewBuffer(buf)
	n, err := io.Copy(w, body)
	if err == nil && n != pc.size {
		err = fmt.Errorf("read %d bytes of %d", n, pc.size)
	}
	return w.Bytes(), err
}

// copySource is the x-amz-copy-source of src: bucket and key, URL-encoded.
// '+' is encoded too, as some servers decode it to a space.
func (b *Bucket) copySource(src piece) string {
	escaped := (&url.URL{Path: src.key}).EscapedPath()
	return b.name + "/" + strings.ReplaceAll(escaped, "+", "%2B")
}
