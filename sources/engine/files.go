package engine

import (
	"fmt"
	"maps"
	"slices"
)

// Files are the values of the files behind a Point: each file that counts
// in it (matches, captures, a skipped file, language usage), by path. A
// file absent from Files contributes nothing. A pass continuing a Point
// with its Files (PassQuery.BaseFiles) takes a changed file's old value
// from them instead of reading its old blob, so it reads only the new
// sides of the changed files. Store them beside the point with
// MarshalBinary; a Files value is not safe for concurrent use.
type Files struct {
	m map[string]fileValue
}

// Len returns the number of files that count.
func (f *Files) Len() int { return len(f.m) }

// counts reports whether v contributes to a point (see totals.add).
func (v fileValue) counts() bool {
	return v.missing || v.res.Skipped != 0 || v.res.Matches != 0 || len(v.res.Captures) > 0 || v.stat != nil
}

// filesOf returns the values of ev's files that count, when ev holds every
// file of its current commit (it is not partial), else nil.
func (ev *evaluation) filesOf() *Files {
	if ev.partial {
		return nil
	}
	f := &Files{m: make(map[string]fileValue)}
	for p, t := range ev.files {
		if t.value.counts() {
			f.m[p] = t.value
		}
	}
	return f
}

// continueWith makes ev stand at base, continuing it with its files when
// there are some, else as a partial evaluation (see continueFrom).
func (ev *evaluation) continueWith(base *Point, files *Files) error {
	if files == nil {
		return ev.continueFrom(base)
	}
	return ev.continueWithFiles(base, files)
}

// continueWithFiles makes ev a complete evaluation standing at base, whose
// files are files: it never needs an old side. The totals are summed from
// the files and must equal base's; otherwise the files are not base's and
// base cannot be continued with them.
func (ev *evaluation) continueWithFiles(base *Point, files *Files) error {
	if err := ev.continueFrom(base); err != nil {
		return err
	}
	stored := ev.totals
	ev.partial, ev.totals = false, newTotals()
	for _, p := range slices.Sorted(maps.Keys(files.m)) {
		ev.track(p, files.m[p])
	}
	if !sameTotals(stored, ev.totals) {
		return errFilesMismatch(base.Commit)
	}
	return nil
}

// sameTotals reports whether two totals give the same point.
func sameTotals(a, b *totals) bool {
	pa, pb := a.point(""), b.point("")
	return pa.Matches == pb.Matches && pa.Files == pb.Files && maps.Equal(pa.Skipped, pb.Skipped) &&
		maps.Equal(pa.Captures, pb.Captures) && maps.Equal(pa.Langs, pb.Langs) && maps.Equal(pa.Groups, pb.Groups)
}

func errFilesMismatch(commit string) error {
	return fmt.Errorf("base at %s: its file values do not sum to the point: %w", commit, ErrBaseUnusable)
}
