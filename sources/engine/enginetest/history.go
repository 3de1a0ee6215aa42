package enginetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// file is one file of the simulated work tree.
type file struct {
	path  string
	lang  string   // "go", "ts", "md" or "bin"
	lines []string // text content
	data  []byte   // binary content
	heat  float64  // relative chance of being changed by a commit
}

// text returns a text file's bytes, in buf's storage.
func (f *file) text(buf []byte) []byte {
	buf = buf[:0]
	for _, l := range f.lines {
		buf = append(buf, l...)
		buf = append(buf, '\n')
	}
	return buf
}

// change is one file change of a commit: content nil deletes path.
type change struct {
	path    string
	content []byte
}

// commit is one simulated commit.
type commit struct {
	at      time.Time
	message string
	changes []change
}

// history simulates a repository's development: an initial import, then
// commits that each edit a few files (rarely adding, deleting or renaming
// one). Which files change is skewed, as in real projects: a file's heat is
// Pareto-distributed, so a fifth of the files take most of the edits.
type history struct {
	p     Params
	r     *rand.Rand
	w     *writer
	live  []*file
	paths map[string]bool
	times []time.Time
	buf   []byte
	next  int // commits produced
}

func newHistory(p Params) *history {
	r := rand.New(rand.NewPCG(p.Seed, 0x5147_6874_6c69_6e65))
	h := &history{p: p, r: r, w: &writer{r: r}, paths: map[string]bool{}}
	h.times = commitTimes(r, p)
	return h
}

// commitTimes spreads p.Commits committer times over p.Span ending at
// p.End, oldest first, one second apart at least; the last is p.End.
func commitTimes(r *rand.Rand, p Params) []time.Time {
	start := p.End.Add(-p.Span)
	secs := make([]int64, p.Commits)
	for i := range secs {
		secs[i] = start.Unix() + r.Int64N(int64(p.Span/time.Second))
	}
	slices.Sort(secs)
	secs[len(secs)-1] = p.End.Unix()
	times := make([]time.Time, len(secs))
	for i := range secs {
		if i > 0 && secs[i] <= secs[i-1] {
			secs[i] = secs[i-1] + 1
		}
		times[i] = time.Unix(secs[i], 0).UTC()
	}
	return times
}

// nextCommit returns the next commit, or false after p.Commits of them.
func (h *history) nextCommit() (commit, bool) {
	if h.next >= h.p.Commits {
		return commit{}, false
	}
	c := commit{at: h.times[h.next]}
	if h.next == 0 {
		c.message = "Initial import"
		for range h.p.Files {
			c.changes = append(c.changes, h.store(h.add()))
		}
	} else {
		c = h.edit(c)
	}
	h.next++
	return c, true
}

// edit makes a commit that changes 1–5 files.
func (h *history) edit(c commit) commit {
	touched := map[*file]bool{}
	switch x := h.r.IntN(1000); {
	case x < 150:
		f := h.add()
		touched[f] = true
		c.message = "Add " + f.path
		c.changes = append(c.changes, h.store(f))
	case x < 170 && len(h.live) > 100:
		f := h.live[h.r.IntN(len(h.live))]
		c.message = "Remove " + f.path
		c.changes = append(c.changes, h.remove(f))
	case x < 180 && len(h.live) > 100:
		f := h.live[h.r.IntN(len(h.live))]
		touched[f] = true
		c.message = "Move " + f.path
		delete(h.paths, f.path)
		c.changes = append(c.changes, change{path: f.path})
		f.path = h.newPath(f.lang)
		c.changes = append(c.changes, h.store(f))
	default:
		c.message = title(h.w.phrase(3 + h.r.IntN(5)))
	}
	for range max(1+h.r.IntN(5)-len(touched), 0) {
		f := h.hotFile()
		if touched[f] || f.lang == "bin" {
			continue
		}
		touched[f] = true
		h.modify(f)
		c.changes = append(c.changes, h.store(f))
	}
	return c
}

// hotFile picks a live file with probability proportional to its heat.
func (h *history) hotFile() *file {
	total := 0.0
	for _, f := range h.live {
		total += f.heat
	}
	x := h.r.Float64() * total
	for _, f := range h.live {
		if x -= f.heat; x < 0 {
			return f
		}
	}
	return h.live[len(h.live)-1]
}

// modify applies 1–3 edits: insert a block, delete or replace lines.
func (h *history) modify(f *file) {
	for range 1 + h.r.IntN(3) {
		at := h.r.IntN(len(f.lines) + 1)
		switch x := h.r.IntN(10); {
		case x < 5 || len(f.lines) < 20:
			block := h.w.block(f.lang, nil)
			f.lines = slices.Insert(f.lines, at, block...)
		case x < 8:
			end := min(len(f.lines), at+1+h.r.IntN(8))
			f.lines = slices.Delete(f.lines, at, end)
		default:
			end := min(len(f.lines), at+1+h.r.IntN(4))
			f.lines = slices.Replace(f.lines, at, end, h.w.block(f.lang, nil)...)
		}
	}
	// Keep every file well under the 1 MiB search limit, which git grep
	// does not have.
	if len(f.lines) > maxLines {
		f.lines = f.lines[:maxLines]
	}
}

const maxLines = 12000

// add creates a new file.
func (h *history) add() *file {
	lang := "go"
	switch x := h.r.IntN(1000); {
	case x < 5:
		lang = "bin"
	case x < 50:
		lang = "md"
	case x < 350:
		lang = "ts"
	}
	f := &file{lang: lang, path: h.newPath(lang), heat: h.heat()}
	if lang == "bin" {
		f.data = h.w.binary(1000 + h.r.IntN(50000))
	} else {
		// Log-normal line counts: median 180, a long tail of big files.
		n := int(180 * math.Exp(0.9*h.r.NormFloat64()))
		f.lines = h.w.newFile(lang, h.w.word(), min(max(n, 10), maxLines))
	}
	h.live = append(h.live, f)
	h.paths[f.path] = true
	return f
}

// heat is a Pareto(1.2) weight, capped so no file takes every edit.
func (h *history) heat() float64 {
	return min(math.Pow(1-h.r.Float64(), -1/1.2), 200)
}

func (h *history) remove(f *file) change {
	i := slices.Index(h.live, f)
	h.live = slices.Delete(h.live, i, i+1)
	delete(h.paths, f.path)
	return change{path: f.path}
}

// store returns the change writing f's current content.
func (h *history) store(f *file) change {
	h.paths[f.path] = true
	if f.lang == "bin" {
		return change{path: f.path, content: f.data}
	}
	h.buf = f.text(h.buf)
	return change{path: f.path, content: slices.Clone(h.buf)}
}

// newPath returns an unused path for a file of lang, in a tree two or
// three directories deep.
func (h *history) newPath(lang string) string {
	for {
		var p string
		switch lang {
		case "go":
			p = fmt.Sprintf("internal/%s/%s/%s.go", h.w.word(), h.w.word(), h.w.ident(false))
		case "ts":
			p = fmt.Sprintf("web/src/%s/%s.ts", h.w.word(), h.w.ident(true))
		case "md":
			p = fmt.Sprintf("docs/%s/%s.md", h.w.word(), h.w.word())
		default:
			p = fmt.Sprintf("assets/%s/%s.bin", h.w.word(), h.w.word())
		}
		if !h.paths[p] {
			return p
		}
	}
}
