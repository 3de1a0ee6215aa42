package enginetest

import (
	"bytes"
	"testing"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// BenchmarkLiteralScan measures how fast cached blob contents are scanned:
// every blob of HEAD read into memory once, then Query.MatchContent over
// all of them per op. The target is at least 1000 MB/s for a literal with
// few matches.
func BenchmarkLiteralScan(b *testing.B) {
	var blobs [][]byte
	var size int64
	for _, query := range []string{
		"ErrShortWrite", // few matches, case-insensitive (the default)
		"case:yes ErrShortWrite",
		"TODO", // the series' literal: thousands of matches
	} {
		b.Run(query, func(b *testing.B) {
			if blobs == nil {
				blobs, size = headBlobs(b, openBenchRepo(b))
			}
			q, err := search.Parse(query)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			matches := 0
			for b.Loop() {
				matches = 0
				for _, blob := range blobs {
					matches += q.MatchContent(blob, search.MatchOpts{}).Matches
				}
			}
			if want := countFold(blobs, q); matches != want {
				b.Fatalf("%s: %d matches, want %d", query, matches, want)
			}
			b.ReportMetric(float64(matches), "matches")
			b.ReportMetric(float64(len(blobs)), "files")
		})
	}
}

// BenchmarkRegexpScan is BenchmarkLiteralScan for the series' regexp
// queries: their matching cost per byte, without git.
func BenchmarkRegexpScan(b *testing.B) {
	var blobs [][]byte
	var size int64
	for _, bq := range seriesQueries[1:] {
		b.Run(bq.name, func(b *testing.B) {
			if blobs == nil {
				blobs, size = headBlobs(b, openBenchRepo(b))
			}
			q, err := search.Parse(bq.query)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			matches := 0
			for b.Loop() {
				matches = 0
				for _, blob := range blobs {
					matches += q.MatchContent(blob, search.MatchOpts{}).Matches
				}
			}
			b.ReportMetric(float64(matches), "matches")
		})
	}
}

// countFold counts a literal the slow way, as a check on the scan.
func countFold(blobs [][]byte, q *search.Query) int {
	pattern, _ := q.Pattern()
	n := 0
	for _, blob := range blobs {
		if len(blob) > search.DefaultMaxFileSize || bytes.IndexByte(blob[:min(len(blob), 8000)], 0) >= 0 {
			continue
		}
		if q.CaseSensitive() {
			n += bytes.Count(blob, []byte(pattern))
		} else {
			n += bytes.Count(bytes.ToLower(blob), bytes.ToLower([]byte(pattern)))
		}
	}
	return n
}

// headBlobs reads every blob of HEAD.
func headBlobs(b *testing.B, r *benchRepo) (blobs [][]byte, size int64) {
	b.Helper()
	repo, err := gitsource.Open(b.Context(), r.dir)
	if err != nil {
		b.Fatal(err)
	}
	defer repo.Close()
	tree, err := repo.Tree(b.Context(), "")
	if err != nil {
		b.Fatal(err)
	}
	oids := make([]string, len(tree))
	for i, e := range tree {
		oids[i] = e.OID
	}
	err = repo.ReadBlobs(b.Context(), oids, search.DefaultMaxFileSize, func(_ int, data []byte, _ int64, err error) error {
		if err == nil && data != nil {
			blobs = append(blobs, bytes.Clone(data))
			size += int64(len(data))
		}
		return skipMissing(err)
	})
	if err != nil {
		b.Fatal(err)
	}
	return blobs, size
}
