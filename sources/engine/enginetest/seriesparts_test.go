package enginetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// BenchmarkSeriesParts times the git work of one series on its own, to show
// where BenchmarkSeries spends its time: reading the whole history and, as
// the series does, the history back to the earliest sample time, listing
// the first commit's tree, diffing consecutive commits (one `git diff-tree`
// process per pair with Diff, and one `--stdin` process for all with
// DiffChain, as the engine does), reading the blobs the engine searches
// (with one cat-file process, and split over two), and matching them in
// memory.
func BenchmarkSeriesParts(b *testing.B) {
	var plan *seriesPlan
	open := func(b *testing.B) (*gitsource.Repo, *seriesPlan) {
		r := openBenchRepo(b)
		repo, err := gitsource.Open(b.Context(), r.dir)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { repo.Close() })
		if plan == nil {
			if plan, err = planSeries(b.Context(), repo, r); err != nil {
				b.Fatal(err)
			}
		}
		return repo, plan
	}
	b.Run("history", func(b *testing.B) {
		repo, _ := open(b)
		for b.Loop() {
			if _, err := repo.FirstParentHistory(b.Context(), ""); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("history-until", func(b *testing.B) {
		repo, _ := open(b)
		earliest := slices.MinFunc(openBenchRepo(b).times, time.Time.Compare)
		for b.Loop() {
			if _, err := repo.FirstParentHistoryUntil(b.Context(), "", earliest); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("tree", func(b *testing.B) {
		repo, p := open(b)
		for b.Loop() {
			if _, err := repo.Tree(b.Context(), p.commits[0]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("diffs/per-pair", func(b *testing.B) {
		repo, p := open(b)
		for b.Loop() {
			for i := 1; i < len(p.commits); i++ {
				if _, err := repo.Diff(b.Context(), p.commits[i-1], p.commits[i]); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(len(p.commits)-1), "diffs")
	})
	b.Run("diffs/chain", func(b *testing.B) {
		repo, p := open(b)
		for b.Loop() {
			if _, err := repo.DiffChain(b.Context(), p.commits); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, readers := range []int{1, 2} {
		b.Run(fmt.Sprintf("read/readers=%d", readers), func(b *testing.B) {
			repo, p := open(b)
			b.SetBytes(p.bytes)
			for b.Loop() {
				if err := readSplit(b.Context(), repo, p.oids, readers); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(p.oids)), "blobs")
		})
	}
	b.Run("match", func(b *testing.B) {
		repo, p := open(b)
		q, err := search.Parse(seriesQueries[0].query)
		if err != nil {
			b.Fatal(err)
		}
		var blobs [][]byte
		err = repo.ReadBlobs(b.Context(), p.oids, search.DefaultMaxFileSize, func(_ int, data []byte, _ int64, err error) error {
			blobs = append(blobs, bytes.Clone(data))
			return skipMissing(err)
		})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(p.bytes)
		for b.Loop() {
			for _, blob := range blobs {
				q.MatchContent(blob, search.MatchOpts{})
			}
		}
	})
}

// seriesPlan is what the engine reads for one series: the distinct commits
// of the sample times, and the blobs it searches (the first commit's, then
// those each diff adds or modifies).
type seriesPlan struct {
	commits []string
	oids    []string
	bytes   int64
}

func planSeries(ctx context.Context, repo *gitsource.Repo, r *benchRepo) (*seriesPlan, error) {
	history, err := repo.FirstParentHistory(ctx, "")
	if err != nil {
		return nil, err
	}
	p := &seriesPlan{}
	for _, t := range r.times {
		if c, ok := gitsource.CommitAt(history, t); ok && (len(p.commits) == 0 || p.commits[len(p.commits)-1] != c.OID) {
			p.commits = append(p.commits, c.OID)
		}
	}
	if len(p.commits) == 0 {
		return nil, fmt.Errorf("no commit at any sample time")
	}
	tree, err := repo.Tree(ctx, p.commits[0])
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	add := func(oid string) {
		if !seen[oid] {
			seen[oid] = true
			p.oids = append(p.oids, oid)
		}
	}
	for _, e := range tree {
		add(e.OID)
	}
	for i := 1; i < len(p.commits); i++ {
		changes, err := repo.Diff(ctx, p.commits[i-1], p.commits[i])
		if err != nil {
			return nil, err
		}
		for _, c := range changes {
			if c.Status != gitsource.Deleted {
				add(c.NewOID)
			}
		}
	}
	err = repo.ReadBlobs(ctx, p.oids, search.DefaultMaxFileSize, func(_ int, data []byte, _ int64, err error) error {
		p.bytes += int64(len(data))
		return skipMissing(err)
	})
	return p, err
}

// skipMissing ignores a blob missing from the object store (a partial
// mirror), as the engine does.
func skipMissing(err error) error {
	if errors.Is(err, gitsource.ErrMissingObject) {
		return nil
	}
	return err
}

// readSplit reads oids through n concurrent ReadBlobs calls (n cat-file
// processes), discarding the contents.
func readSplit(ctx context.Context, repo *gitsource.Repo, oids []string, n int) error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		part := oids[i*len(oids)/n : (i+1)*len(oids)/n]
		wg.Go(func() {
			errs[i] = repo.ReadBlobs(ctx, part, search.DefaultMaxFileSize, func(_ int, _ []byte, _ int64, err error) error { return skipMissing(err) })
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
