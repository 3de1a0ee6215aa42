package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// blobUse is one query's use of a blob read in a pass: query k's pending
// file i.
type blobUse struct{ k, i int }

// passBlobs are the distinct blobs one move of a pass reads, each with the
// queries' files that need it.
type passBlobs struct {
	oids  []string
	uses  [][]blobUse
	limit int64 // the largest size limit of the queries reading
}

// collect indexes the pending files of every query by blob.
func (p *pass) collect(todo [][]pending) passBlobs {
	n := 0
	for _, files := range todo {
		n = max(n, len(files)) // at least that many distinct blobs
	}
	b := passBlobs{oids: make([]string, 0, n), uses: make([][]blobUse, 0, n)}
	index := make(map[string]int, n)
	for k, files := range todo {
		if len(files) == 0 {
			continue
		}
		b.limit = max(b.limit, p.evs[k].sizeLimit())
		for i, f := range files {
			j, ok := index[f.oid]
			if !ok {
				j = len(b.oids)
				index[f.oid] = j
				b.oids = append(b.oids, f.oid)
				b.uses = append(b.uses, nil)
			}
			b.uses[j] = append(b.uses[j], blobUse{k, i})
		}
	}
	return b
}

// computeAll reads the blobs the queries' pending files need, each once,
// computes every query's values from them, caches each blob's values
// together and returns them, by query and file. It splits the blobs over the
// repository's cat-file processes, each a pipelined pass whose blobs are
// matched as they arrive, on its own goroutine.
func (p *pass) computeAll(ctx context.Context, todo [][]pending) ([][]fileValue, error) {
	values := make([][]fileValue, len(todo))
	for k, files := range todo {
		values[k] = make([]fileValue, len(files))
	}
	b := p.collect(todo)
	if len(b.oids) == 0 {
		return values, nil
	}
	if err := p.read(ctx, b, todo, values); err != nil {
		return nil, err
	}
	return values, nil
}

// read reads b's blobs over the repository's cat-file processes, which
// take runs of them as they finish the previous ones
// (gitsource.Repo.ReadBlobsParallel), and computes the values of every file
// using each as it arrives, on its process's goroutine: the callback runs
// concurrently for different blobs.
func (p *pass) read(ctx context.Context, b passBlobs, todo [][]pending, values [][]fileValue) error {
	return p.repo.ReadBlobsParallel(ctx, b.oids, b.limit, func(j int, data []byte, size int64, err error) error {
		uses := b.uses[j]
		if err == nil {
			p.bytesRead.Add(size) // what git sent, read or discarded
		}
		if err != nil && !errors.Is(err, gitsource.ErrMissingObject) {
			f := todo[uses[0].k][uses[0].i]
			return fmt.Errorf("read %s (%s): %w", f.path, f.oid, err)
		}
		text := p.newText(data, uses)
		defer text.Release()
		kvs := make([]keyedValue, 0, len(uses))
		for _, u := range uses {
			if p.budgets.over(u.k) {
				continue // it fails after this move (failOut)
			}
			ev, f := p.evs[u.k], todo[u.k][u.i]
			began, shared := p.budgets.begin(), text.SharedTime()
			switch {
			case err != nil:
				// As git grep does: skip it and say which, rather than fail.
				values[u.k][u.i] = fileValue{missing: true}
			case data == nil || size > ev.sizeLimit():
				values[u.k][u.i] = fileValue{res: search.FileResult{Skipped: search.SkipTooLarge}}
			default:
				values[u.k][u.i] = ev.compute(f.path, text)
			}
			// What the text prepared for all the queries is the walk's
			// time, not this query's.
			p.budgets.computed(u.k, began, text.SharedTime()-shared)
			if err == nil {
				kvs = append(kvs, keyedValue{key: f.key, v: values[u.k][u.i]})
			}
		}
		p.cache.putAll(b.oids[j], kvs)
		return nil
	})
}

// minGroupLiterals is how many case-insensitive literals the queries
// reading a blob must have in all for their group to find them in one pass
// over it (search.Group) rather than each on its own: one pass of the
// automaton costs about as much as that many scans for one literal.
const minGroupLiterals = 6

// groupQueries builds the group of the live queries' literals, when they
// have enough of them.
func (p *pass) groupQueries() {
	var qs []*search.Query
	for k, ev := range p.evs {
		if ev != nil && !ev.opts.Langs {
			qs = append(qs, p.queries[k].Query)
		}
	}
	g := search.NewGroup(qs)
	p.literals = make([]int, len(p.evs))
	total := 0
	for k, ev := range p.evs {
		if ev != nil && !ev.opts.Langs {
			p.literals[k] = g.Literals(p.queries[k].Query)
			total += p.literals[k]
		}
	}
	if total >= minGroupLiterals {
		p.group = g
	}
}

// newText prepares a blob's content for the queries that use it: found
// together by the pass's group when they have enough literals, shared
// between them when there are several (search.NewSharedText), otherwise
// as it is.
func (p *pass) newText(data []byte, uses []blobUse) *search.Text {
	if len(uses) < 2 {
		return search.NewText(data)
	}
	if p.group != nil {
		n := 0
		for _, u := range uses {
			n += p.literals[u.k]
		}
		if n >= minGroupLiterals {
			return p.group.Text(data)
		}
	}
	return search.NewSharedText(data)
}
