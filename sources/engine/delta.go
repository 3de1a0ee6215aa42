package engine

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// ErrBaseUnusable is returned by Incremental when its base point cannot be
// continued: the point counts blobs that were missing, or the old side of a
// changed file is missing now. Evaluate in full with Series instead.
var ErrBaseUnusable = errors.New("stored point cannot be continued")

// stateVersion is part of every StateKey: raise it when a point's value
// for the same query, options and commit may change (a matcher or language
// table change), so that stored points are not continued across it.
const stateVersion = 1

// StateKey identifies what a Point of q with opts depends on besides its
// commit. A stored point may be continued by Incremental only under the
// key it was computed with.
func StateKey(q *search.Query, opts Opts) string {
	h := sha256.New()
	fmt.Fprintf(h, "engine-state-v%d\x00%s\x00%s\x00%s\x00%t", stateVersion, q.String(), fingerprint(q, opts),
		langFilters(q), opts.Langs)
	if opts.GroupBy == GroupRepo {
		fmt.Fprintf(h, "\x00repo:%s", opts.RepoName)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// Incremental evaluates q at commits, as Series does, starting from base:
// q's point, with the same opts, at base.Commit (an object id). It never
// reads a tree. Each move — from base.Commit to the first commit, then on
// from commit to commit — diffs the two commits and, for each changed
// file, takes the old blob's value out of the totals and adds the new
// blob's: only the changed files' blobs are read, both sides, less what the
// cache holds. A rename is a deletion and an addition, so group-by path and
// language usage move with the file. The commits may come before base's as
// well as after it; which commits share a line of history is the caller's
// check (gitsource.Repo.OnOneLine): the arithmetic holds between any two
// commits whose objects the repository has. It is a Pass of one query
// with a Base.
//
// A base that counted missing blobs gives ErrBaseUnusable (their paths are
// not kept), as does a changed file whose old blob is missing now.
func (e *Engine) Incremental(ctx context.Context, repo *gitsource.Repo, q *search.Query, base Point, commits []string, opts Opts) ([]Point, error) {
	res, err := e.Pass(ctx, repo, []PassQuery{{Query: q, Opts: opts, Base: &base}}, commits)
	if err != nil {
		return nil, err
	}
	return res[0].Points, res[0].Err
}

// continueFrom makes ev a partial evaluation standing at base, or says
// why base cannot be continued.
func (ev *evaluation) continueFrom(base *Point) error {
	if !objectID.MatchString(base.Commit) || base.Skipped["missing"] > 0 {
		return fmt.Errorf("base at %q: %w", base.Commit, ErrBaseUnusable)
	}
	ev.partial, ev.start, ev.totals = true, base.Commit, totalsFrom(*base)
	return nil
}

// totalsFrom are the totals a point was made of, less the missing paths
// (Incremental refuses a point with any).
func totalsFrom(p Point) *totals {
	t := newTotals()
	t.matches, t.files = p.Matches, p.Files
	maps.Copy(t.skipped, p.Skipped)
	maps.Copy(t.captures, p.Captures)
	maps.Copy(t.langs, p.Langs)
	maps.Copy(t.groups, p.Groups)
	return t
}

// oldSide tracks the old side of each changed file that the partial
// evaluation has not seen yet, without adding it to the totals (the stored
// point already counts it), so that apply takes it out as it does a file
// it tracked itself. It returns the old sides whose blobs must be read
// first; trackOld tracks them once read.
func (ev *evaluation) oldSide(changes []gitsource.Change) []pending {
	var todo []pending
	for _, c := range changes {
		if _, ok := ev.files[c.Path]; ok || c.OldOID == "" || c.OldMode.IsSymlink() {
			continue
		}
		switch v, st, p := ev.lookup(c.Path, c.OldOID); st {
		case known:
			ev.files[c.Path] = trackedFile{value: v, group: ev.group(c.Path, v)}
		case unread:
			todo = append(todo, p)
		}
	}
	return todo
}

// trackOld tracks the old sides oldSide returned, read into values, on a
// move to commit. A missing blob makes the stored point unusable.
func (ev *evaluation) trackOld(todo []pending, values []fileValue, commit string) error {
	for i, p := range todo {
		if values[i].missing {
			return fmt.Errorf("%s (%s), changed on the way to %s: old blob missing: %w", p.path, p.oid, commit, ErrBaseUnusable)
		}
		ev.files[p.path] = trackedFile{value: values[i], group: ev.group(p.path, values[i])}
	}
	return nil
}
