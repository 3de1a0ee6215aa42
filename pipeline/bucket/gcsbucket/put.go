package gcsbucket

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"sync"
	"time"

	"cloud.google.com/go/storage"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"google.golang.org/api/googleapi"
)

// chunkSize is the size of the chunks the Writer buffers and uploads, its
// default made explicit: an object smaller than this goes in one request,
// which the library cannot retry, so Put keeps a copy to put again.
const chunkSize = 16 << 20

// Put streams r to key with a storage Writer. GCS creates the object only
// when the Writer closes successfully, so on any failure Put cancels the
// Writer's context, which abandons the upload.
//
// The Writer's retries are bounded by Put's own policy (see upload). When
// the upload fails after the whole of r was read, its answer may have been
// lost (a reset, a truncated response): Put checks the object's size and
// CRC32C against what it sent, and a match is success. Otherwise an object
// smaller than chunkSize, of which Put keeps a copy, is put again.
func (b *Bucket) Put(ctx context.Context, key string, r io.Reader) error {
	name, err := b.object(key)
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	up := &upload{retry: b.retry, progress: time.Now()}
	src := &source{up: up, r: r, crc: crc32.New(crc32.MakeTable(crc32.Castagnoli)), kept: []byte{}}
	err = b.put(ctx, name, up, src)
	for err != nil && src.eof && ctx.Err() == nil {
		if b.holds(ctx, name, src) {
			return nil
		}
		if src.kept == nil || !up.shouldRetry(err) {
			break
		}
		err = b.put(ctx, name, up, bytes.NewReader(src.kept))
	}
	if err != nil {
		return fmt.Errorf("put %q: %w", key, err)
	}
	return nil
}

// put uploads r to the object name in one Writer.
func (b *Bucket) put(ctx context.Context, name string, up *upload, r io.Reader) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := b.handle.Object(name).Retryer(storage.WithErrorFunc(up.shouldRetry)).NewWriter(ctx)
	w.ChunkSize = chunkSize
	w.ChunkRetryDeadline = b.retry.MaxTime
	w.ProgressFunc = func(int64) { up.moved() }
	_, err := io.Copy(w, r)
	if err == nil {
		err = ctx.Err() // never commit a cancelled Put, whatever the Writer does
	}
	if err != nil {
		cancel()
		w.Close()
		return err
	}
	return w.Close()
}

// holds reports whether the object name holds exactly what src read.
func (b *Bucket) holds(ctx context.Context, name string, src *source) bool {
	ctx, cancel := context.WithTimeout(ctx, b.retry.OpTimeout())
	defer cancel()
	attrs, err := b.handle.Object(name).Attrs(ctx)
	return err == nil && attrs.Size == src.n && attrs.CRC32C == src.crc.Sum32()
}

// upload is one Put's retry policy: retry what storage.ShouldRetry would,
// until MaxAttempts failures in a row or MaxTime since the upload last
// moved. Without it, the library retries the request that starts an upload
// for as long as the context lasts, however dead the endpoint.
type upload struct {
	retry bucket.RetryOpts

	mu       sync.Mutex
	progress time.Time // when bytes last moved
	failures int       // since then
}

// moved records progress.
func (u *upload) moved() {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.progress, u.failures = time.Now(), 0
}

// shouldRetry counts a failure and reports whether to retry it.
func (u *upload) shouldRetry(err error) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.failures++
	if u.failures >= u.retry.MaxAttempts || time.Since(u.progress) >= u.retry.MaxTime {
		return false
	}
	var apiErr *googleapi.Error
	if errors.As(err, &apiErr) && apiErr.Code == 429 {
		return true
	}
	return storage.ShouldRetry(err)
}

// source is a Put's reader: it counts and checksums the bytes, and keeps a
// copy of them while there are fewer than chunkSize.
type source struct {
	up   *upload
	r    io.Reader
	crc  hash.Hash32
	n    int64
	kept []byte // nil once there are too many bytes to keep
	eof  bool
}

func (s *source) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	s.crc.Write(p[:n])
	s.n += int64(n)
	if s.kept != nil && s.n < chunkSize {
		s.kept = append(s.kept, p[:n]...)
	} else {
		s.kept = nil
	}
	s.eof = err == io.EOF
	if n > 0 {
		s.up.moved()
	}
	return n, err
}
