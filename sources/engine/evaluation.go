package engine

import (
	"path"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// evaluation is one query's side of a pass over a repository's commits:
// the value of every in-scope file of the pass's current commit and their
// running totals.
type evaluation struct {
	repo  *gitsource.Repo
	q     *search.Query
	opts  Opts
	cache *Cache
	fp    string
	// files are the in-scope files of the current commit that count in the
	// totals (see fileValue.counts), by path; a partial evaluation keeps
	// every file it has seen, whose absence means an old side not read yet.
	files  map[string]trackedFile
	totals *totals
	// partial: files holds only the files moves have touched, and the
	// totals came from a stored point at start (see PassQuery.Base).
	partial bool
	start   string // the commit of the stored point; "" when not partial
	joined  bool   // it has made its first move

	langFilters string // identifies the query's lang: filters (see cacheKey)
}

func newEvaluation(repo *gitsource.Repo, q *search.Query, opts Opts, cache *Cache) *evaluation {
	return &evaluation{repo: repo, q: q, opts: opts, cache: cache, fp: fingerprint(q, opts),
		langFilters: langFilters(q), files: map[string]trackedFile{}, totals: newTotals()}
}

type trackedFile struct {
	value fileValue
	group string
}

// pending is a file whose value must be computed from its content, with
// the cache key its value goes under.
type pending struct {
	path, oid, key string
}

// apply takes a move's changes into the evaluation: it removes the changed
// files' old values, settles the new ones it can from their paths and the
// cache, and returns the files whose content must be read.
func (ev *evaluation) apply(changes []gitsource.Change) []pending {
	todo := make([]pending, 0, len(changes))
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
	return todo
}

// resolve settles a changed file from its path and the cache when it can
// and adds it to the totals; otherwise it returns the file as pending.
func (ev *evaluation) resolve(p, oid string) (pending, bool) {
	v, st, pend := ev.lookup(p, oid)
	switch st {
	case outOfScope:
		return pending{}, false
	case known:
		ev.track(p, v)
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

func (ev *evaluation) sizeLimit() int64 {
	if ev.opts.Langs {
		// Language usage counts large files too; keep a sanity bound.
		return 64 << 20
	}
	return ev.opts.Match.MaxSize()
}

// compute is a file's value from its content.
func (ev *evaluation) compute(p string, text *search.Text) fileValue {
	data := text.Bytes()
	if ev.opts.Langs {
		if !ev.q.InScope(p, data) {
			return fileValue{}
		}
		if st, ok := search.FileLangStat(p, data, ev.opts.LangOpts); ok {
			return fileValue{stat: &st, lang: st.Lang}
		}
		return fileValue{}
	}
	v := fileValue{res: ev.q.MatchText(p, text, ev.opts.Match)}
	if ev.opts.GroupBy == GroupLang {
		v.lang = search.Language(p, data)
	}
	return v
}

// track records a file of the current commit and adds it to the totals.
// A complete evaluation does not keep a file that adds nothing: most files
// match few of a dashboard's queries, and each kept file costs every move
// that changes it a map write and a delete.
func (ev *evaluation) track(p string, v fileValue) {
	if !ev.partial && !v.counts() {
		return
	}
	f := trackedFile{value: v, group: ev.group(p, v)}
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
