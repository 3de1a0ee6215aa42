// Package lsiftest helps test code that uses sources/lsif: a Sink that
// records everything Convert delivers and answers definition, reference and
// hover questions from it, as code navigation would from the tables.
package lsiftest

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// Recorder is an lsif.Sink that keeps copies of every row.
type Recorder struct {
	Hovers    map[int32]string
	Results   map[int32]lsif.Result
	Documents map[string]lsif.Document
	Paths     []string // documents in delivery order
	// MonikerRows are the MonikerResults rows, in delivery order;
	// Monikers expands them into locations.
	MonikerRows []lsif.MonikerResults
	Packages    []lsif.Package
	PackageRefs []lsif.PackageRef
	DocEntries  []lsif.DocEntry
}

var _ lsif.Sink = (*Recorder)(nil)

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder {
	return &Recorder{
		Hovers:    make(map[int32]string),
		Results:   make(map[int32]lsif.Result),
		Documents: make(map[string]lsif.Document),
	}
}

// Hover implements lsif.Sink.
func (r *Recorder) Hover(h lsif.Hover) error {
	r.Hovers[h.ID] = h.Text
	return nil
}

// Result implements lsif.Sink.
func (r *Recorder) Result(res lsif.Result) error {
	res.Locations = slices.Clone(res.Locations)
	r.Results[res.ID] = res
	return nil
}

// Document implements lsif.Sink.
func (r *Recorder) Document(d lsif.Document) error {
	d.Ranges = slices.Clone(d.Ranges)
	for i := range d.Ranges {
		d.Ranges[i].Monikers = slices.Clone(d.Ranges[i].Monikers)
	}
	d.Diagnostics = slices.Clone(d.Diagnostics)
	r.Documents[d.Path] = d
	r.Paths = append(r.Paths, d.Path)
	return nil
}

// MonikerResults implements lsif.Sink. It fails, as a store would not,
// when a result id is not one of a delivered result of the same kind, or
// the ids are not sorted and distinct: the contract code navigation
// relies on.
func (r *Recorder) MonikerResults(m lsif.MonikerResults) error {
	for i, id := range m.ResultIDs {
		if res, ok := r.Results[id]; !ok || res.Kind != m.Kind {
			return fmt.Errorf("moniker %s %s %s names result %d, not a delivered %s result", m.Kind, m.Scheme, m.Identifier, id, m.Kind)
		}
		if i > 0 && m.ResultIDs[i-1] >= id {
			return fmt.Errorf("moniker %s %s %s: result ids %v not sorted and distinct", m.Kind, m.Scheme, m.Identifier, m.ResultIDs)
		}
	}
	m.ResultIDs = slices.Clone(m.ResultIDs)
	r.MonikerRows = append(r.MonikerRows, m)
	return nil
}

// MonikerLocations are the definition or reference locations of one
// moniker key, sorted by path and range, without duplicates: what code
// navigation reads through the moniker's results.
type MonikerLocations struct {
	Kind       lsif.ResultKind
	Scheme     string
	Identifier string
	Locations  []lsif.Location
}

// Monikers returns every MonikerResults row with its results' locations,
// in delivery order.
func (r *Recorder) Monikers() []MonikerLocations {
	out := make([]MonikerLocations, 0, len(r.MonikerRows))
	for _, m := range r.MonikerRows {
		var locs []lsif.Location
		for _, id := range m.ResultIDs {
			locs = append(locs, r.Results[id].Locations...)
		}
		slices.SortFunc(locs, compareLocations)
		out = append(out, MonikerLocations{Kind: m.Kind, Scheme: m.Scheme, Identifier: m.Identifier, Locations: slices.Compact(locs)})
	}
	return out
}

func compareLocations(a, b lsif.Location) int {
	return cmp.Or(strings.Compare(a.Path, b.Path), cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(a.StartCharacter, b.StartCharacter),
		cmp.Compare(a.EndLine, b.EndLine), cmp.Compare(a.EndCharacter, b.EndCharacter))
}

// Package implements lsif.Sink.
func (r *Recorder) Package(p lsif.Package) error {
	r.Packages = append(r.Packages, p)
	return nil
}

// PackageRef implements lsif.Sink.
func (r *Recorder) PackageRef(p lsif.PackageRef) error {
	p.Identifiers = slices.Clone(p.Identifiers)
	r.PackageRefs = append(r.PackageRefs, p)
	return nil
}

// DocEntry implements lsif.Sink.
func (r *Recorder) DocEntry(e lsif.DocEntry) error {
	e.Tags = slices.Clone(e.Tags)
	r.DocEntries = append(r.DocEntries, e)
	return nil
}

// RangeAt returns the smallest range of path that contains the position.
func (r *Recorder) RangeAt(path string, line, character int32) (lsif.DocumentRange, bool) {
	var best lsif.DocumentRange
	found := false
	for _, dr := range r.Documents[path].Ranges {
		if !dr.Contains(line, character) {
			continue
		}
		if !found || inside(dr.Range, best.Range) {
			best, found = dr, true
		}
	}
	return best, found
}

func inside(a, b lsif.Range) bool {
	startsAfter := a.StartLine > b.StartLine || a.StartLine == b.StartLine && a.StartCharacter >= b.StartCharacter
	endsBefore := a.EndLine < b.EndLine || a.EndLine == b.EndLine && a.EndCharacter <= b.EndCharacter
	return startsAfter && endsBefore
}

// Definitions returns the definition locations of the range at a position.
func (r *Recorder) Definitions(path string, line, character int32) []lsif.Location {
	dr, ok := r.RangeAt(path, line, character)
	if !ok || dr.DefinitionResultID == 0 {
		return nil
	}
	return r.Results[dr.DefinitionResultID].Locations
}

// References returns the reference locations of the range at a position.
func (r *Recorder) References(path string, line, character int32) []lsif.Location {
	dr, ok := r.RangeAt(path, line, character)
	if !ok || dr.ReferenceResultID == 0 {
		return nil
	}
	return r.Results[dr.ReferenceResultID].Locations
}

// HoverAt returns the hover text of the range at a position.
func (r *Recorder) HoverAt(path string, line, character int32) string {
	dr, ok := r.RangeAt(path, line, character)
	if !ok || dr.HoverID == 0 {
		return ""
	}
	return r.Hovers[dr.HoverID]
}

// Locations returns the moniker-keyed locations of one kind.
func (r *Recorder) Locations(kind lsif.ResultKind, scheme, identifier string) []lsif.Location {
	for _, m := range r.Monikers() {
		if m.Kind == kind && m.Scheme == scheme && m.Identifier == identifier {
			return m.Locations
		}
	}
	return nil
}

// Text renders everything recorded, one row per line, in a stable order:
// for golden files and for reading a conversion's output.
func (r *Recorder) Text() string {
	var b strings.Builder
	for _, p := range slices.Sorted(maps.Keys(r.Documents)) {
		d := r.Documents[p]
		fmt.Fprintf(&b, "document %s\n", p)
		for _, dr := range d.Ranges {
			fmt.Fprintf(&b, "  range %s def=%d ref=%d hover=%d\n", rangeText(dr.Range), dr.DefinitionResultID, dr.ReferenceResultID, dr.HoverID)
			for _, m := range dr.Monikers {
				fmt.Fprintf(&b, "    moniker %s %s %s%s\n", m.Kind, m.Scheme, m.Identifier, pkgText(m.Package))
			}
		}
		for _, dg := range d.Diagnostics {
			fmt.Fprintf(&b, "  diagnostic %s severity=%d code=%q source=%q %q\n", rangeText(dg.Range), dg.Severity, dg.Code, dg.Source, dg.Message)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(r.Results)) {
		res := r.Results[id]
		fmt.Fprintf(&b, "result %d %s\n", id, res.Kind)
		locationsText(&b, res.Locations)
	}
	for _, id := range slices.Sorted(maps.Keys(r.Hovers)) {
		fmt.Fprintf(&b, "hover %d %q\n", id, r.Hovers[id])
	}
	for _, m := range r.Monikers() {
		fmt.Fprintf(&b, "moniker %s %s %s\n", m.Kind, m.Scheme, m.Identifier)
		locationsText(&b, m.Locations)
	}
	for _, p := range r.Packages {
		fmt.Fprintf(&b, "package %s%s\n", p.Scheme, pkgText(p.PackageInfo))
	}
	for _, p := range r.PackageRefs {
		fmt.Fprintf(&b, "packageref %s%s %s\n", p.Scheme, pkgText(p.PackageInfo), strings.Join(p.Identifiers, " "))
	}
	return b.String()
}

func rangeText(r lsif.Range) string {
	return fmt.Sprintf("%d:%d-%d:%d", r.StartLine, r.StartCharacter, r.EndLine, r.EndCharacter)
}

func pkgText(p lsif.PackageInfo) string {
	if p == (lsif.PackageInfo{}) {
		return ""
	}
	return fmt.Sprintf(" (%s %s@%s)", p.Manager, p.Name, p.Version)
}

func locationsText(b *strings.Builder, locs []lsif.Location) {
	for _, l := range locs {
		fmt.Fprintf(b, "  %s %s\n", l.Path, rangeText(l.Range))
	}
}
