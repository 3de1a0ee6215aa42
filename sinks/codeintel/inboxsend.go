package codeintel

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// InboxSender sends a dump to the upload inbox, for a CI job that has
// bucket credentials but no database: the dump is cut into gzipped parts
// like Uploader's, each stored with retries and its checksum noted, and
// the manifest is written last. process-uploads registers the entry as an
// upload.
type InboxSender struct {
	Bucket bucket.Bucket
	// ChunkSize, PartAttempts, RetryBackoff and TempDir are as in
	// Uploader.
	ChunkSize    int64
	PartAttempts int
	RetryBackoff time.Duration
	TempDir      string
	Logger       *slog.Logger
	// NowFunc is the clock of the manifest's created time and of the
	// entry's name; nil means time.Now.
	NowFunc func() time.Time
}

// InboxParams describe the dump being sent.
type InboxParams struct {
	Repository string
	Commit     string // 40 lower-case hex digits
	Root       string
	// Indexer names the tool that wrote the dump; "" reads it from the
	// dump's metaData.toolInfo.name.
	Indexer string
}

// InboxResult is what Send did.
type InboxResult struct {
	// Entry names the inbox entry; the manifest is at
	// InboxManifestKey(Entry).
	Entry    string
	Manifest InboxManifest
}

// Send reads a dump (plain or gzipped) from r and stores it as a new
// inbox entry. Should it fail midway, the parts stored so far have no
// manifest: they are never registered, and prune deletes them.
func (s *InboxSender) Send(ctx context.Context, r io.Reader, p InboxParams) (InboxResult, error) {
	br, format, indexer, err := openDump(r, p.Indexer)
	if err != nil {
		return InboxResult{}, err
	}
	defer br.Close()
	now := s.now()
	entry, err := newEntryName(now)
	if err != nil {
		return InboxResult{}, err
	}
	m := InboxManifest{Version: InboxManifestVersion, Repository: p.Repository, Commit: p.Commit, Root: p.Root,
		Indexer: indexer, Format: string(format), Created: now.UTC()}
	chunk := cmp.Or(s.ChunkSize, DefaultChunkSize)
	for i := 0; ; i++ {
		part, n, err := s.sendPart(ctx, entry, i, br, chunk)
		if err != nil {
			return InboxResult{Entry: entry}, fmt.Errorf("inbox entry %s: %w", entry, err)
		}
		if n == 0 && i > 0 {
			break
		}
		m.Parts = append(m.Parts, part)
		m.Uncompressed += n
		if n < chunk {
			break
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return InboxResult{Entry: entry}, err
	}
	if err := s.Bucket.Put(ctx, InboxManifestKey(entry), bytes.NewReader(data)); err != nil {
		return InboxResult{Entry: entry}, fmt.Errorf("inbox entry %s: store the manifest: %w", entry, err)
	}
	return InboxResult{Entry: entry, Manifest: m}, nil
}

// sendPart gzips up to chunk bytes of in into part i of entry and stores
// it. It returns the part's size and checksum and the uncompressed bytes
// in it; 0 (and no part) when in is at its end, unless i is 0.
func (s *InboxSender) sendPart(ctx context.Context, entry string, i int, in io.Reader, chunk int64) (InboxPart, int64, error) {
	h := sha256.New()
	f, n, err := spoolPart(s.TempDir, "sightline-inbox-part-*", i, in, chunk, h)
	if f == nil {
		return InboxPart{}, n, err
	}
	defer dropSpool(f)
	fi, err := f.Stat()
	if err != nil {
		return InboxPart{}, n, fmt.Errorf("spool part %d: %w", i, err)
	}
	up := &Uploader{Bucket: s.Bucket, PartAttempts: s.PartAttempts, RetryBackoff: s.RetryBackoff, Logger: s.Logger}
	if err := up.put(ctx, InboxPartKey(entry, i), f); err != nil {
		return InboxPart{}, n, fmt.Errorf("store part %d: %w", i, err)
	}
	return InboxPart{Size: fi.Size(), SHA256: hex.EncodeToString(h.Sum(nil))}, n, nil
}

// newEntryName names a new inbox entry: its creation time, so that
// entries list oldest first, and random bits, so that two CI jobs never
// collide.
func newEntryName(now time.Time) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("name an inbox entry: %w", err)
	}
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b), nil
}

func (s *InboxSender) now() time.Time {
	if s.NowFunc == nil {
		return time.Now()
	}
	return s.NowFunc()
}
