package engine

import (
	"context"
	"errors"
	"fmt"
	"path"
	"regexp"
	"sync/atomic"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// evaluation walks one query over one repository's commits, keeping the
// value of every in-scope file of the current commit and their running
// totals.
type evaluation struct {
	repo   *gitsource.Repo
	q      *search.Query
	opts   Opts
	cache  *Cache
	fp     string
	commit string
	files  map[string]trackedFile // in-scope files of commit, by path
	// diffs are prefetched changes for the next moves, in order, once
	// diffsDone is closed (see prefetchDiffs).
	diffs     [][]gitsource.Change
	diffsErr  error
	diffsDone chan struct{}
	totals    *totals
	// partial: files holds only the files moves have touched, and the
	// totals came from a stored point (see Engine.Incremental).
	partial   bool
	bytesRead *atomic.Int64 // bytes of the blobs git sent; nil: not counted

	langFilters string // identifies the query's lang: filters (see cacheKey)
}

type trackedFile struct {
	oid   string
	value fileValue
	group string
}

// pending is a file whose value must be computed from its content, with
// the cache key its value goes under.
type pending struct {
	path, oid, key string
}

// moveTo brings the evaluation from its current commit to commit.
func (ev *evaluation) moveTo(ctx context.Context, commit string) error {
	changes, err := ev.changes(ctx, commit)
	if err != nil {
		return err
	}
	if ev.partial {
		if err := ev.loadOld(ctx, changes); err != nil {
			return err
		}
	}
	var todo []pending
	for _, c := range changes {
		if old, ok := ev.files[c.Path]; ok {
			ev.totals.add(c.Path, old.value, old.group, -1)
			delete(ev.files, c.Path)
		}
		if c.Status == gitsource.Deleted || c.NewMode.IsSymlink() {
			continue
		}
		if p, ok := ev.resolve(c.Path, c.NewOID); ok {
			todo = append(todo, p)
		}
	}
	if err := ev.readAndCompute(ctx, todo); err != nil {
		return err
	}
	ev.commit = commit
	return nil
}

// prefetchDiffs starts computing, with one git process, the diffs between
// the consecutive distinct commits moveTo will visit, when they are all
// object ids (diff-tree --stdin takes no revision names); otherwise each
// move diffs on its own. The diffs are computed while the first commit's
// tree is read; the returned function waits for them to be done.
func (ev *evaluation) prefetchDiffs(ctx context.Context, commits []string) (wait func()) {
	var seq []string
	for i, c := range commits {
		if !objectID.MatchString(c) {
			return func() {}
		}
		if i == 0 || c != commits[i-1] {
			seq = append(seq, c)
		}
	}
	done := make(chan struct{})
	ev.diffsDone = done
	go func() {
		defer close(done)
		ev.diffs, ev.diffsErr = ev.repo.DiffChain(ctx, seq)
	}()
	return func() { <-done }
}

var objectID = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// changes lists what differs between the current commit and commit: the
// whole tree, as additions, for the first.
func (ev *evaluation) changes(ctx context.Context, commit string) ([]gitsource.Change, error) {
	if ev.commit != "" && ev.diffsDone != nil {
		<-ev.diffsDone
		if ev.diffsErr != nil {
			return nil, ev.diffsErr
		}
	}
	if ev.commit != "" && len(ev.diffs) > 0 {
		d := ev.diffs[0]
		ev.diffs = ev.diffs[1:]
		return d, nil
	}
	if ev.commit != "" {
		return ev.repo.Diff(ctx, ev.commit, commit)
	}
	entries, err := ev.repo.Tree(ctx, commit)
	if err != nil {
		return nil, err
	}
	changes := make([]gitsource.Change, len(entries))
	for i, e := range entries {
		changes[i] = gitsource.Change{Status: gitsource.Added, Path: e.Path, NewOID: e.OID, NewMode: e.Mode}
	}
	return changes, nil
}

// resolve settles a changed file from its path and the cache when it can
// and adds it to the totals; otherwise it returns the file as pending.
func (ev *evaluation) resolve(p, oid string) (pending, bool) {
	v, st, pend := ev.lookup(p, oid)
	switch st {
	case outOfScope:
		return pending{}, false
	case known:
		ev.track(p, oid, v)
		return pending{}, false
	}
	return pend, true
}

// lookupState is what lookup knows of a file.
type lookupState int

const (
	outOfScope lookupState = iota // the file contributes nothing
	known                         // its value is known without reading it
	unread                        // its blob must be read
)

// lookup settles a file's value from its path and the cache when it can;
// otherwise it returns the file as pending.
func (ev *evaluation) lookup(p, oid string) (fileValue, lookupState, pending) {
	scope := ev.q.PathScope(p)
	switch {
	case scope == search.ScopeOut, ev.opts.Langs && ev.opts.LangOpts.ExcludesPath(p):
		return fileValue{}, outOfScope, pending{}
	case scope == search.ScopeIn && !ev.opts.Langs && !ev.q.NeedsContent() && !ev.needsLang(p):
		return fileValue{res: ev.q.MatchPath(p)}, known, pending{}
	}
	key := ev.cacheKey(p, scope)
	if v, ok := ev.cache.get(oid, key); ok {
		return v, known, pending{}
	}
	return fileValue{}, unread, pending{path: p, oid: oid, key: key}
}

// needsLang reports whether group-by lang needs the content to name p's
// language.
func (ev *evaluation) needsLang(p string) bool {
	if ev.opts.GroupBy != GroupLang {
		return false
	}
	_, _, ok := search.LanguageByPath(p)
	return !ok
}

// cacheKey is the cache key of a file's value, given the file's PathScope
// (in or content). A value that depends on the
// file's name (its language, or its scope when only the content can tell
// the language) includes the name. One that depends on the scope also
// includes the lang: filters, which decide it and which ev.fp leaves out so
// that queries differing only in filters share the values of the files in
// scope of both.
func (ev *evaluation) cacheKey(p string, scope search.Scope) string {
	key := ev.fp
	if ev.opts.Langs || ev.opts.GroupBy == GroupLang || scope == search.ScopeContent {
		key += "\x00" + path.Base(p)
	}
	if scope == search.ScopeContent {
		key += ev.langFilters
	}
	return key
}

// readAndCompute reads the pending files' blobs and computes, caches and
// tracks their values.
func (ev *evaluation) readAndCompute(ctx context.Context, todo []pending) error {
	values, err := ev.computeAll(ctx, todo)
	if err != nil {
		return err
	}
	for i, p := range todo {
		ev.track(p.path, p.oid, values[i])
	}
	return nil
}

// computeAll reads the pending files' blobs and computes and caches their
// values. The blobs are read over the repository's cat-file processes,
// which take runs of them as they finish the previous ones, and each is
// matched as it arrives on its process's goroutine.
func (ev *evaluation) computeAll(ctx context.Context, todo []pending) ([]fileValue, error) {
	if len(todo) == 0 {
		return nil, nil
	}
	values := make([]fileValue, len(todo))
	oids := make([]string, len(todo))
	for i, p := range todo {
		oids[i] = p.oid
	}
	err := ev.repo.ReadBlobsParallel(ctx, oids, ev.sizeLimit(), func(i int, data []byte, size int64, err error) error {
		p := todo[i]
		if err == nil && ev.bytesRead != nil {
			ev.bytesRead.Add(size) // what git sent, read or discarded
		}
		switch {
		case errors.Is(err, gitsource.ErrMissingObject):
			// As git grep does: skip it and say which, rather than fail.
			values[i] = fileValue{missing: true}
		case err != nil:
			return fmt.Errorf("read %s (%s): %w", p.path, p.oid, err)
		case data == nil:
			values[i] = fileValue{res: search.FileResult{Skipped: search.SkipTooLarge}}
		default:
			values[i] = ev.compute(p.path, data)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, p := range todo {
		if !values[i].missing {
			ev.cache.put(p.oid, p.key, values[i])
		}
	}
	return values, nil
}

func (ev *evaluation) sizeLimit() int64 {
	if ev.opts.Langs {
		// Language usage counts large files too; keep a sanity bound.
		return 64 << 20
	}
	return ev.opts.Match.MaxSize()
}

// compute is a file's value from its content.
func (ev *evaluation) compute(p string, data []byte) fileValue {
	if ev.opts.Langs {
		if !ev.q.InScope(p, data) {
			return fileValue{}
		}
		if st, ok := search.FileLangStat(p, data, ev.opts.LangOpts); ok {
			return fileValue{stat: &st, lang: st.Lang}
		}
		return fileValue{}
	}
	v := fileValue{res: ev.q.Match(p, data, ev.opts.Match)}
	if ev.opts.GroupBy == GroupLang {
		v.lang = search.Language(p, data)
	}
	return v
}

// track records a file of the current commit and adds it to the totals.
func (ev *evaluation) track(p, oid string, v fileValue) {
	f := trackedFile{oid: oid, value: v, group: ev.group(p, v)}
	ev.files[p] = f
	ev.totals.add(p, v, f.group, 1)
}

func (ev *evaluation) group(p string, v fileValue) string {
	switch ev.opts.GroupBy {
	case GroupRepo:
		return ev.opts.RepoName
	case GroupPath:
		return p
	case GroupLang:
		if v.lang != "" {
			return v.lang
		}
		if lang, _, ok := search.LanguageByPath(p); ok {
			return lang
		}
		return "Unknown"
	}
	return ""
}
