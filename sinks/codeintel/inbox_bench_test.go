package codeintel_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"strconv"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

// BenchmarkUploadPaths compares the two ways a dump of $LSIF_BENCH_MB MB
// (default 50, generated) becomes a queued upload, on a file bucket and
// Postgres: "database" is `lsif upload` with DATABASE_URL (Uploader:
// parts, rows, compose, queue); "inbox" is `lsif upload` without one
// (InboxSender: parts with checksums, manifest) followed by
// process-uploads' registration (InboxRegister: row, every part read
// back and checked, compose, queue). Both run in one process on the same
// dump, so their ratio means more than either figure on a shared machine.
func BenchmarkUploadPaths(b *testing.B) {
	mb := 50
	if s := os.Getenv("LSIF_BENCH_MB"); s != "" {
		var err error
		if mb, err = strconv.Atoi(s); err != nil {
			b.Fatalf("LSIF_BENCH_MB: %v", err)
		}
	}
	var dump bytes.Buffer
	if _, err := io.Copy(&dump, lsiftest.NewGenerator(int64(mb)<<20)); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	db := pgtest.NewDB(b)
	if err := repos.Upsert(ctx, db, repos.Spec{Name: "bench", Path: b.TempDir()}); err != nil {
		b.Fatal(err)
	}
	repo, err := repos.Get(ctx, db, "bench")
	if err != nil {
		b.Fatal(err)
	}
	bkt := buckettest.NewFileBucket(b)
	const commit = "0123456789012345678901234567890123456789"
	b.Run("database", func(b *testing.B) {
		b.SetBytes(int64(dump.Len()))
		for b.Loop() {
			u := &codeintel.Uploader{DB: db, Bucket: bkt, ChunkSize: 8 << 20, TempDir: b.TempDir()}
			if _, err := u.Upload(ctx, bytes.NewReader(dump.Bytes()), codeintel.UploadParams{RepoID: repo.ID, Commit: commit}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inbox", func(b *testing.B) {
		b.SetBytes(int64(dump.Len()))
		for b.Loop() {
			s := &codeintel.InboxSender{Bucket: bkt, ChunkSize: 8 << 20, TempDir: b.TempDir()}
			res, err := s.Send(ctx, bytes.NewReader(dump.Bytes()), codeintel.InboxParams{Repository: "bench", Commit: commit})
			if err != nil {
				b.Fatal(err)
			}
			reg, err := codeintel.InboxRegister(ctx, db, bkt, codeintel.InboxRegisterParams{Entry: res.Entry, RepoID: repo.ID, Manifest: res.Manifest})
			if err != nil || reg.Upload.State != codeintel.StateQueued {
				b.Fatalf("register: %v, %+v", err, reg.Upload)
			}
		}
	})
}
