package codeintel

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/scip"
)

// Uploader defaults.
const (
	DefaultChunkSize    = 32 << 20
	DefaultPartAttempts = 3
	DefaultRetryBackoff = time.Second
)

// MinChunkSize and MaxChunkSize bound the chunk size a user may choose
// (sightline lsif upload --chunk-size): below, a dump makes an absurd
// number of parts (a 3 GiB dump in 1-byte chunks would be 3 billion
// objects and rows); above, a failed part costs too much to send again.
// The Uploader itself takes any positive size, so that tests can cut a
// small dump into many parts.
const (
	MinChunkSize = 1 << 20
	MaxChunkSize = 1 << 30
)

// Uploader sends an LSIF dump to the bucket as an upload: it cuts the
// uncompressed dump into chunks, gzips each into a part of its own (so the
// composed parts, concatenated gzip members, are one valid gzip stream),
// stores each part with retries, records each in lsif_uploads, then
// composes the parts and queues the upload for process-uploads.
//
// It streams: one part at a time is spooled to a temporary file (so that a
// failed part can be sent again alone), never the whole dump, and reading
// the next chunk waits for the part before it to be stored.
type Uploader struct {
	DB     DB
	Bucket bucket.Bucket
	// ChunkSize is the uncompressed size of a part; 0 means
	// DefaultChunkSize.
	ChunkSize int64
	// PartAttempts is how many times a part is sent before the upload
	// gives up; 0 means DefaultPartAttempts. RetryBackoff is the wait
	// before the second attempt, doubled after each; 0 means
	// DefaultRetryBackoff.
	PartAttempts int
	RetryBackoff time.Duration
	// TempDir holds the spooled part; "" means os.TempDir.
	TempDir string
	Logger  *slog.Logger
}

// UploadParams describe the dump being uploaded.
type UploadParams struct {
	RepoID int64
	Commit string // 40 lower-case hex digits
	Root   string
	// Indexer names the tool that wrote the dump; "" reads it from the
	// dump's metaData.toolInfo.name.
	Indexer string
	// SizeHint is the uncompressed size when known in advance (a plain
	// file), so that num_parts is right from the start; 0 means unknown.
	SizeHint int64
}

// UploadResult is what Upload did.
type UploadResult struct {
	Upload Upload
	Parts  int
	// Bytes is the uncompressed size of the dump, Size the composed
	// object's.
	Bytes int64
	Size  int64
}

// Upload reads a dump (plain or gzipped) from r and uploads it. The format,
// an LSIF dump or a SCIP index, is told from the content (scip.Sniff) and
// recorded on the upload; anything else is refused before any row or part
// is written. The upload
// row is inserted before the first part is sent, so an interrupted upload
// stays visible in state uploading with the parts it received; its
// num_parts is the count known so far and is fixed once the dump ends.
func (u *Uploader) Upload(ctx context.Context, r io.Reader, p UploadParams) (UploadResult, error) {
	br, format, indexer, err := openDump(r, p.Indexer)
	if err != nil {
		return UploadResult{}, err
	}
	defer br.Close()
	chunk := cmp.Or(u.ChunkSize, DefaultChunkSize)
	parts := 1
	if p.SizeHint > 0 {
		parts = int((p.SizeHint + chunk - 1) / chunk)
	}
	up, err := UploadsInsert(ctx, u.DB, UploadsInsertParams{RepoID: p.RepoID, Commit: p.Commit, Root: p.Root,
		Indexer: indexer, Format: string(format), NumParts: parts})
	if err != nil {
		return UploadResult{}, err
	}
	res := UploadResult{Upload: up}
	for i := 0; ; i++ {
		n, err := u.sendPart(ctx, up, i, br, chunk)
		if err != nil {
			return res, fmt.Errorf("upload %d: %w", up.ID, err)
		}
		res.Bytes += n
		if n == 0 && i > 0 {
			break
		}
		res.Parts++
		if n < chunk {
			break
		}
	}
	if err := UploadsSetNumParts(ctx, u.DB, up.ID, res.Parts); err != nil {
		return res, err
	}
	size, err := UploadsFinish(ctx, u.DB, u.Bucket, UploadsFinishParams{ID: up.ID, Uncompressed: res.Bytes, Logger: u.logger()})
	res.Size = size
	if err != nil {
		return res, err
	}
	res.Upload, err = UploadsGet(ctx, u.DB, up.ID)
	return res, err
}

// sendPart gzips up to chunk bytes of in into part i of up, stores it and
// records it. It returns the uncompressed bytes in the part; 0 (and no
// part) when in is at its end, unless i is 0.
func (u *Uploader) sendPart(ctx context.Context, up Upload, i int, in io.Reader, chunk int64) (int64, error) {
	f, n, err := spoolPart(u.TempDir, "sightline-lsif-part-*", i, in, chunk, nil)
	if f == nil {
		return n, err
	}
	defer dropSpool(f)
	// Part i exists: should it fail to arrive, the upload says it is
	// missing.
	if _, err := u.DB.Exec(ctx, `UPDATE lsif_uploads SET num_parts = greatest(num_parts, $2)
		WHERE id = $1 AND state = 'uploading'`, up.ID, i+1); err != nil {
		return n, fmt.Errorf("record part count of upload %d: %w", up.ID, err)
	}
	if err := u.put(ctx, PartKey(up.ObjectKey, i), f); err != nil {
		return n, fmt.Errorf("store part %d: %w", i, err)
	}
	return n, UploadsPartAdd(ctx, u.DB, up.ID, i)
}

// spoolPart gzips up to chunk bytes of in, part i of a dump, into a new
// temporary file in dir named by pattern, also writing the compressed
// bytes to tee unless it is nil. It returns the file and the uncompressed
// bytes in it; no file when err is set, or when in is at its end and i is
// not 0 (then n is 0). The caller drops the file with dropSpool.
func spoolPart(dir, pattern string, i int, in io.Reader, chunk int64, tee io.Writer) (*os.File, int64, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return nil, 0, fmt.Errorf("spool part %d: %w", i, err)
	}
	var w io.Writer = f
	if tee != nil {
		w = io.MultiWriter(f, tee)
	}
	zw, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
	n, err := io.CopyN(zw, in, chunk)
	if err != nil && !errors.Is(err, io.EOF) {
		dropSpool(f)
		return nil, n, fmt.Errorf("read dump for part %d: %w", i, err)
	}
	if n == 0 && i > 0 {
		dropSpool(f)
		return nil, 0, nil
	}
	if err := zw.Close(); err != nil {
		dropSpool(f)
		return nil, n, fmt.Errorf("spool part %d: %w", i, err)
	}
	return f, n, nil
}

// dropSpool closes and removes a file spoolPart made.
func dropSpool(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}

// put stores the spooled part at key, retrying the part alone.
func (u *Uploader) put(ctx context.Context, key string, f *os.File) error {
	attempts := cmp.Or(u.PartAttempts, DefaultPartAttempts)
	wait := cmp.Or(u.RetryBackoff, DefaultRetryBackoff)
	var err error
	for a := 1; a <= attempts; a++ {
		if _, err = f.Seek(0, io.SeekStart); err != nil {
			return err
		}
		if err = u.Bucket.Put(ctx, key, f); err == nil || ctx.Err() != nil {
			return err
		}
		if a < attempts {
			u.logger().Warn("storing upload part failed; retrying", "key", key, "attempt", a, "err", err)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return ctx.Err()
			}
			wait *= 2
		}
	}
	return fmt.Errorf("%w (after %d attempts)", err, attempts)
}

// UploadsFinishParams name the upload UploadsFinish completes.
type UploadsFinishParams struct {
	// ID is the upload.
	ID int64
	// Uncompressed is the dump's uncompressed size in bytes.
	Uncompressed int64
	// Logger, which may be nil, receives parts that could not be deleted.
	Logger *slog.Logger
}

// UploadsFinish completes upload p.ID once its parts are stored: it checks
// that every part below num_parts was received (else the upload stays
// uploading, and the error says which parts are missing), composes them
// into the upload's object, queues the upload with the object's size and
// deletes the parts. It returns the object's size.
func UploadsFinish(ctx context.Context, db DB, b bucket.Bucket, p UploadsFinishParams) (int64, error) {
	id, uncompressed, log := p.ID, p.Uncompressed, p.Logger
	up, err := UploadsGet(ctx, db, id)
	if err != nil {
		return 0, err
	}
	if up.State != StateUploading {
		return 0, fmt.Errorf("finish upload %d: it is %s, not uploading", id, up.State)
	}
	if missing := up.MissingParts(); len(missing) > 0 {
		return 0, fmt.Errorf("upload %d is missing %d of %d parts (%v); it stays uploading: upload the dump again",
			id, len(missing), up.NumParts, missing)
	}
	keys := make([]string, up.NumParts)
	for i := range keys {
		keys[i] = PartKey(up.ObjectKey, i)
	}
	if err := b.Compose(ctx, up.ObjectKey, keys); err != nil {
		return 0, fmt.Errorf("compose the %d parts of upload %d: %w", len(keys), id, err)
	}
	attrs, err := b.Stat(ctx, up.ObjectKey)
	if err != nil {
		return 0, fmt.Errorf("upload %d: %w", id, err)
	}
	if err := UploadsQueue(ctx, db, id, attrs.Size, uncompressed); err != nil {
		return attrs.Size, err
	}
	for _, k := range keys {
		if err := b.Delete(ctx, k); err != nil && log != nil {
			log.Warn("delete composed upload part", "key", k, "err", err)
		}
	}
	return attrs.Size, nil
}

// toolName reads metaData.toolInfo.name from the first lines of a dump,
// or returns "".
func toolName(head []byte) string {
	for range 16 {
		line, rest, _ := bytes.Cut(head, []byte("\n"))
		head = rest
		var v struct {
			Label    string `json:"label"`
			ToolInfo struct {
				Name string `json:"name"`
			} `json:"toolInfo"`
		}
		if json.Unmarshal(line, &v) == nil && v.Label == "metaData" {
			return v.ToolInfo.Name
		}
		if len(rest) == 0 {
			break
		}
	}
	return ""
}

func (u *Uploader) logger() *slog.Logger {
	if u.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return u.Logger
}

// dumpReader is a dump's uncompressed content, buffered.
type dumpReader struct {
	*bufio.Reader
	io.Closer
}

// openDump opens the dump (plain or gzipped) read from r for sending and
// tells its format and its indexer's name: given, else the one the dump
// or index names. An empty dump, or one neither LSIF nor SCIP, is refused.
func openDump(r io.Reader, given string) (*dumpReader, scip.Format, string, error) {
	in, err := lsif.NewReader(r)
	if err != nil {
		return nil, "", "", err
	}
	br := bufio.NewReaderSize(in, 64<<10)
	head, err := br.Peek(64 << 10)
	if len(head) == 0 {
		in.Close()
		if err == nil || errors.Is(err, io.EOF) {
			return nil, "", "", errors.New("the dump is empty: check that the indexer wrote it")
		}
		return nil, "", "", fmt.Errorf("read dump: %w", err)
	}
	format, indexer, err := sniff(head, given)
	if err != nil {
		in.Close()
		return nil, "", "", err
	}
	return &dumpReader{Reader: br, Closer: in}, format, indexer, nil
}

// sniff tells an upload's format from the head of its uncompressed
// content, and the indexer's name: the one given, else the one the dump
// or index names.
func sniff(head []byte, given string) (scip.Format, string, error) {
	format, err := scip.Sniff(head)
	if err != nil {
		return "", "", err
	}
	if format == scip.FormatSCIP {
		return format, cmp.Or(given, scip.ToolName(head)), nil
	}
	return format, cmp.Or(given, toolName(head)), nil
}
