package enginetest

import (
	"context"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// BenchmarkReadTree reads every blob at HEAD, discarding the contents,
// three ways, each op running all three in turn (the first one rotating)
// with a new Repo each, so that the cat-file processes start cold as in a
// cold point: one process (ReadBlobs), two processes on fixed halves of the
// list (the engine's split before ReadBlobsParallel), and
// ReadBlobsParallel over two processes. It reports each way's median time
// and the other two's ratios to ReadBlobsParallel's.
func BenchmarkReadTree(b *testing.B) {
	r := openBenchRepo(b)
	ctx := context.Background()
	repo, err := gitsource.Open(ctx, r.dir)
	if err != nil {
		b.Fatal(err)
	}
	tree, err := repo.Tree(ctx, repo.Head())
	repo.Close()
	if err != nil {
		b.Fatal(err)
	}
	oids := make([]string, len(tree))
	for i, e := range tree {
		oids[i] = e.OID
	}
	noop := func(_ int, _ []byte, _ int64, err error) error { return skipMissing(err) }
	ways := []func(*gitsource.Repo) error{
		func(repo *gitsource.Repo) error { return repo.ReadBlobs(ctx, oids, search.DefaultMaxFileSize, noop) },
		func(repo *gitsource.Repo) error { return readSplit(ctx, repo, oids, 2) },
		func(repo *gitsource.Repo) error {
			return repo.ReadBlobsParallel(ctx, oids, search.DefaultMaxFileSize, noop)
		},
	}
	times := make([][]time.Duration, len(ways))
	for op := 0; b.Loop(); op++ {
		for k := range ways {
			w := (op + k) % len(ways)
			repo, err := gitsource.OpenWith(ctx, r.dir, gitsource.OpenOpts{Readers: 2})
			if err != nil {
				b.Fatal(err)
			}
			start := time.Now()
			err = ways[w](repo)
			times[w] = append(times[w], time.Since(start))
			repo.Close()
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	one, halves, parallel := median(times[0]), median(times[1]), median(times[2])
	b.ReportMetric(one.Seconds(), "one-process-s/op")
	b.ReportMetric(halves.Seconds(), "halves-s/op")
	b.ReportMetric(parallel.Seconds(), "parallel-s/op")
	b.ReportMetric(one.Seconds()/parallel.Seconds(), "one/parallel-x")
	b.ReportMetric(halves.Seconds()/parallel.Seconds(), "halves/parallel-x")
}
