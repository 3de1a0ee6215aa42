package gitsource

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// Chunks of ReadBlobsParallel: each is a run of consecutive ids, at least
// minChunk long (a shorter list is read by one process), at most maxChunk,
// and about chunksPerReader of them per process, so that the last chunks
// to finish are short.
const (
	minChunk        = 16
	maxChunk        = 64
	chunksPerReader = 16
)

// ReadBlobsParallel reads the blobs oids as ReadBlobs does, over up to
// Readers() cat-file processes at once, and calls fn once for each blob
// from as many goroutines: fn must be safe for concurrent use, and the
// blobs come in no particular order (i says which one each is). The
// processes take runs of consecutive ids one after the other as they finish
// the previous ones, so one that draws large or deeply deltified blobs does
// not hold the others up (a fixed split of a tree in halves by path read
// 10 MB on one side and 5 MB on the other), and blobs close in the list,
// which often share delta bases, go to the same process. The first error
// stops every process; it is returned.
func (r *Repo) ReadBlobsParallel(ctx context.Context, oids []string, limit int64, fn BlobFunc) error {
	workers := min(r.Readers(), len(oids)/minChunk)
	if workers <= 1 {
		return r.ReadBlobs(ctx, oids, limit, fn)
	}
	for _, oid := range oids {
		if err := r.checkName(oid); err != nil {
			return err
		}
	}
	size := min(max(len(oids)/(workers*chunksPerReader), minChunk), maxChunk)
	q := &chunkQueue{n: len(oids), size: size}
	g, gctx := errgroup.WithContext(ctx)
	for range workers {
		g.Go(func() error { return r.readChunks(gctx, oids, limit, q, fn) })
	}
	return g.Wait()
}

// chunkQueue hands out the runs of ids [lo, hi) of a list of n, in order.
type chunkQueue struct {
	next atomic.Int64
	n    int
	size int
}

type chunk struct{ lo, hi int }

// claim returns the next chunk; ok is false when none is left.
func (q *chunkQueue) claim() (c chunk, ok bool) {
	lo := int(q.next.Add(int64(q.size))) - q.size
	if lo >= q.n {
		return chunk{}, false
	}
	return chunk{lo, min(lo+q.size, q.n)}, true
}

// readChunks is one process's share of ReadBlobsParallel: chunks until
// none is left.
func (r *Repo) readChunks(ctx context.Context, oids []string, limit int64, q *chunkQueue, fn BlobFunc) error {
	first, ok := q.claim()
	if !ok {
		return nil
	}
	for attempt := 0; ; attempt++ {
		c, err := r.readers.get(ctx)
		if err != nil {
			return fmt.Errorf("read blobs in %s: %w", r.Dir(), err)
		}
		answered, broken, err := r.chunksOn(ctx, c, oids, limit, q, first, fn)
		// A process that sat idle may have died meanwhile: start another.
		// Nothing but first was claimed before its first answer.
		if broken && answered == 0 && c.reused && ctx.Err() == nil && attempt < cap(r.readers.slots) {
			continue
		}
		return err
	}
}

// chunksOn reads first, then the chunks it claims from q, on c. It returns
// how many blobs were answered, and whether c failed (rather than fn).
func (r *Repo) chunksOn(ctx context.Context, c *catFile, oids []string, limit int64, q *chunkQueue, first chunk, fn BlobFunc) (answered int, broken bool, err error) {
	stop := context.AfterFunc(ctx, c.kill) // cancellation kills the process
	// Buffered for every chunk there is: claiming never waits on the sender.
	toSend := make(chan chunk, q.n/q.size+1)
	sent := make(chan error, 1)
	go func() { sent <- sendChunks(c.stdin, oids, toSend) }()
	toSend <- first
	answered, broken, err = r.answerChunks(c, oids, limit, q, first, toSend, fn)
	close(toSend)
	return r.endRead(ctx, c, stop, sent, answered, broken, err)
}

// sendChunks writes the ids of each chunk it receives, until toSend is
// closed. After a failed write it only drains toSend.
func sendChunks(w io.Writer, oids []string, toSend <-chan chunk) error {
	bw := bufio.NewWriter(w)
	var err error
	for ch := range toSend {
		if err != nil {
			continue
		}
		for _, oid := range oids[ch.lo:ch.hi] {
			bw.WriteString(oid)
			bw.WriteByte('\n')
		}
		err = bw.Flush()
	}
	return err
}

// answerChunks reads the answers to the ids of first and of the chunks
// it claims and hands them to fn. As soon as the first answer of a chunk
// is in, it claims the next chunk and sends its ids, so that the process
// has more to do before it runs out: at most two chunks are claimed and
// unanswered at a time, and only first before the first answer.
func (r *Repo) answerChunks(c *catFile, oids []string, limit int64, q *chunkQueue, first chunk, toSend chan<- chunk, fn BlobFunc) (answered int, broken bool, err error) {
	defer c.trimBuffer()
	for pending := []chunk{first}; len(pending) > 0; {
		cur := pending[0]
		pending = pending[1:]
		for i := cur.lo; i < cur.hi; i++ {
			if broken, err := r.answerOne(c, oids[i], i, limit, fn); err != nil {
				return answered, broken, err
			}
			answered++
			if i > cur.lo {
				continue
			}
			if next, ok := q.claim(); ok {
				toSend <- next
				pending = append(pending, next)
			}
		}
	}
	return answered, false, nil
}
