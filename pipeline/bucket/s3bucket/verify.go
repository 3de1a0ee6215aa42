package s3bucket

import (
	"bytes"
	"context"
	"crypto/md5"
	"hash"
	"io"
)

// sent is a Put's source, hashed as the upload reads it, so that after an
// ambiguous failure Put can tell whether the object S3 holds is the one it
// sent.
type sent struct {
	r    io.Reader
	hash hash.Hash
	n    int64
	err  error // the source's own error, or io.EOF once it is all read
}

func newSent(r io.Reader) *sent { return &sent{r: r, hash: md5.New()} }

func (s *sent) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.hash.Write(p[:n])
	s.n += int64(n)
	if err != nil {
		s.err = err
	}
	return n, err
}

// complete reports whether the whole source was read without error: only
// then can a failed upload have written the object.
func (s *sent) complete() bool { return s.err == io.EOF }

// verify reports whether key holds exactly the bytes s sent. A Put whose
// last response was lost (a reset or truncated CompleteMultipartUpload, or a
// retry of it that finds the upload already completed) may or may not have
// written the object; S3's ETag of a multipart object is not a digest of
// its bytes everywhere, so verify reads the object back.
func (b *Bucket) verify(ctx context.Context, key, k string, s *sent) bool {
	attrs, err := b.Stat(ctx, key)
	if err != nil || attrs.Size != s.n {
		return false
	}
	r, err := b.GetRange(ctx, key, 0, -1)
	if err != nil {
		return false
	}
	defer r.Close()
	h := md5.New()
	if n, err := io.Copy(h, r); err != nil || n != s.n {
		return false
	}
	return bytes.Equal(h.Sum(nil), s.hash.Sum(nil))
}
