package gitsource_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// BenchmarkReadBlob reads 2,000 small blobs (0.5–4.5 KB of source-like
// text) through cat-file --batch, loose and packed, one by one (ReadBlob) and
// pipelined (ReadBlobs); one op reads them all.
func BenchmarkReadBlob(b *testing.B) {
	src := gittest.New(b)
	var total int64
	for i := range 2000 {
		content := randomText(500 + i*2)
		total += int64(len(content))
		path := filepath.Join(src.Dir, fmt.Sprintf("d%02d", i%40), fmt.Sprintf("f%04d.go", i))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	src.Git(time.Time{}, "add", "--all")
	src.Commit(t0, "files", nil)
	ctx := context.Background()
	tree, err := open(b, src.Dir).Tree(ctx, "")
	if err != nil {
		b.Fatal(err)
	}
	readAll := func(b *testing.B, r *gitsource.Repo) {
		b.SetBytes(total)
		ops := 0
		for b.Loop() {
			ops++
			for _, e := range tree {
				if _, err := r.ReadBlob(ctx, e.OID); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(ops*len(tree))/b.Elapsed().Seconds(), "blobs/s")
	}
	oids := make([]string, len(tree))
	for i, e := range tree {
		oids[i] = e.OID
	}
	batch := func(b *testing.B, r *gitsource.Repo) {
		b.SetBytes(total)
		ops := 0
		for b.Loop() {
			ops++
			err := r.ReadBlobs(ctx, oids, 1<<20, func(_ int, _ []byte, _ int64, err error) error { return err })
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(ops*len(tree))/b.Elapsed().Seconds(), "blobs/s")
	}
	b.Run("loose/one-by-one", func(b *testing.B) { readAll(b, open(b, src.Dir)) })
	b.Run("loose/batch", func(b *testing.B) { batch(b, open(b, src.Dir)) })
	src.Git(time.Time{}, "gc", "--quiet")
	b.Run("packed/one-by-one", func(b *testing.B) { readAll(b, open(b, src.Dir)) })
	b.Run("packed/batch", func(b *testing.B) { batch(b, open(b, src.Dir)) })
}
