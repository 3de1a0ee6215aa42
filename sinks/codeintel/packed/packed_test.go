package packed_test

import (
	"bytes"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
)

// encodeDocument writes ranges through w (Reset first) and returns a copy
// of the encoding.
func encodeDocument(w *packed.DocumentWriter, ranges []packed.Range) []byte {
	w.Reset()
	for _, r := range ranges {
		monikers := make([][]byte, len(r.Monikers))
		for i, m := range r.Monikers {
			monikers[i] = []byte(m)
		}
		w.AddRange([4]int32{r.StartLine, r.StartCharacter, r.EndLine, r.EndCharacter},
			r.DefinitionResult, r.ReferenceResult, r.HoverID, monikers)
	}
	return bytes.Clone(w.Bytes())
}

// encodeChunk writes results through w (Reset first) and returns a copy of
// the encoding.
func encodeChunk(w *packed.ChunkWriter, results []packed.Result) []byte {
	w.Reset()
	for _, r := range results {
		w.AddResult(r.ID, r.Kind, len(r.Locations))
		for _, l := range r.Locations {
			w.AddLocation(l.Path, [4]int32{l.StartLine, l.StartCharacter, l.EndLine, l.EndCharacter})
		}
	}
	return bytes.Clone(w.Bytes())
}

const (
	minInt = math.MinInt32
	maxInt = math.MaxInt32
)

// documents are encoded one after another through one writer: monikers
// shared between ranges, a range with a moniker twice, positions at the
// ends of int32 (deltas from the previous range that overflow it), ranges
// out of position order, and an empty document between full ones.
var documents = map[string][]packed.Range{
	"shared monikers": {
		{StartLine: 0, StartCharacter: 9, EndLine: 0, EndCharacter: 12, DefinitionResult: 1, ReferenceResult: 2,
			Monikers: []string{"export:npm:app::foo", "export:tsc:a:foo"}},
		{StartLine: 2, StartCharacter: 0, EndLine: 2, EndCharacter: 3, DefinitionResult: 1, ReferenceResult: 2,
			HoverID: 7, Monikers: []string{"export:tsc:a:foo", "export:npm:app::foo"}},
		{StartLine: 2, StartCharacter: 5, EndLine: 4, EndCharacter: 1},
		{StartLine: 9, StartCharacter: 0, EndLine: 9, EndCharacter: 1, ReferenceResult: 300,
			Monikers: []string{"import:scip:x y `z`.", "import:scip:x y `z`.", ""}},
	},
	"empty": nil,
	"extremes": {
		{StartLine: maxInt, StartCharacter: maxInt, EndLine: maxInt, EndCharacter: maxInt,
			DefinitionResult: maxInt, ReferenceResult: maxInt, HoverID: maxInt},
		{StartLine: minInt, StartCharacter: minInt, EndLine: maxInt, EndCharacter: minInt,
			DefinitionResult: minInt, ReferenceResult: minInt, HoverID: minInt, Monikers: []string{"m"}},
		{StartLine: maxInt, StartCharacter: -1, EndLine: minInt, EndCharacter: 0},
		{StartLine: -5, StartCharacter: -6, EndLine: -7, EndCharacter: -8, DefinitionResult: -1},
		{StartLine: 1 << 30, StartCharacter: 1 << 29, EndLine: 1<<30 + 1, EndCharacter: 3},
	},
	"one range": {{StartLine: 3, StartCharacter: 4, EndLine: 3, EndCharacter: 5}},
}

// TestDocumentRoundTrip encodes each document through one reused writer,
// in an order that puts the empty document between others, and decodes
// every encoding after all were written.
func TestDocumentRoundTrip(t *testing.T) {
	t.Parallel()
	var w packed.DocumentWriter
	order := []string{"shared monikers", "empty", "extremes", "one range", "shared monikers", "empty"}
	encoded := make([][]byte, len(order))
	for i, name := range order {
		encoded[i] = encodeDocument(&w, documents[name])
		if w.Ranges() != len(documents[name]) {
			t.Errorf("%s: Ranges() = %d, want %d", name, w.Ranges(), len(documents[name]))
		}
	}
	for i, name := range order {
		got, err := packed.DecodeDocument(encoded[i])
		if err != nil {
			t.Errorf("%s (#%d): %v", name, i, err)
			continue
		}
		if diff := cmp.Diff(documents[name], got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (#%d) decoded (-added +decoded):\n%s", name, i, diff)
		}
	}
	if !bytes.Equal(encoded[0], encoded[4]) {
		t.Errorf("the same document encoded twice differs:\n%x\n%x", encoded[0], encoded[4])
	}
}

// TestDocumentMonikerTable checks that a moniker shared by many ranges is
// stored once: the encoding of a document whose ranges all carry one long
// moniker grows by far less than the moniker per range.
func TestDocumentMonikerTable(t *testing.T) {
	t.Parallel()
	moniker := "export:scip-go:gomod example.com/a v1.0.0 `example.com/a/pkg`/LongName#Method()."
	var ranges []packed.Range
	for i := range 100 {
		ranges = append(ranges, packed.Range{StartLine: int32(i), EndLine: int32(i), EndCharacter: 4,
			Monikers: []string{moniker}})
	}
	var w packed.DocumentWriter
	data := encodeDocument(&w, ranges)
	if len(data) > len(moniker)+100*10 {
		t.Errorf("100 ranges sharing a %d-byte moniker take %d bytes: the moniker is not shared",
			len(moniker), len(data))
	}
}

// chunks are encoded one after another through one writer: paths shared
// between results, a result with locations in several paths, a result
// without locations, both kinds, and extreme numbers.
var chunks = map[string][]packed.Result{
	"paths": {
		{ID: 256, Kind: packed.Definitions, Locations: []packed.Location{
			{Path: "a.go", StartLine: 1, StartCharacter: 2, EndLine: 1, EndCharacter: 5}}},
		{ID: 257, Kind: packed.References, Locations: []packed.Location{
			{Path: "b/c.go", StartLine: 10, StartCharacter: 0, EndLine: 12, EndCharacter: 1},
			{Path: "a.go", StartLine: 1, StartCharacter: 2, EndLine: 1, EndCharacter: 5},
			{Path: "", StartLine: 0, StartCharacter: 0, EndLine: 0, EndCharacter: 0},
			{Path: "b/c.go", StartLine: 3, StartCharacter: 3, EndLine: 3, EndCharacter: 9}}},
		{ID: 257, Kind: packed.Definitions},
	},
	"empty": nil,
	"extremes": {
		{ID: maxInt, Kind: packed.References, Locations: []packed.Location{
			{Path: "x", StartLine: minInt, StartCharacter: minInt, EndLine: maxInt, EndCharacter: maxInt},
			{Path: "x", StartLine: maxInt, StartCharacter: maxInt, EndLine: minInt, EndCharacter: minInt}}},
		{ID: minInt, Kind: packed.Definitions, Locations: []packed.Location{
			{Path: "y", StartLine: -1, StartCharacter: -2, EndLine: -3, EndCharacter: -4}}},
	},
}

// TestChunkRoundTrip encodes each chunk through one reused writer and
// decodes every encoding after all were written.
func TestChunkRoundTrip(t *testing.T) {
	t.Parallel()
	var w packed.ChunkWriter
	order := []string{"paths", "empty", "extremes", "paths", "empty"}
	encoded := make([][]byte, len(order))
	for i, name := range order {
		encoded[i] = encodeChunk(&w, chunks[name])
		if w.Results() != len(chunks[name]) {
			t.Errorf("%s: Results() = %d, want %d", name, w.Results(), len(chunks[name]))
		}
	}
	for i, name := range order {
		got, err := packed.DecodeChunk(encoded[i])
		if err != nil {
			t.Errorf("%s (#%d): %v", name, i, err)
			continue
		}
		if diff := cmp.Diff(chunks[name], got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("%s (#%d) decoded (-added +decoded):\n%s", name, i, diff)
		}
	}
	if !bytes.Equal(encoded[0], encoded[3]) {
		t.Errorf("the same chunk encoded twice differs:\n%x\n%x", encoded[0], encoded[3])
	}
}

// TestZeroWriters checks that writers that were never Reset encode an
// empty document or chunk, and take ranges and locations.
func TestZeroWriters(t *testing.T) {
	t.Parallel()
	var d packed.DocumentWriter
	if got, err := packed.DecodeDocument(d.Bytes()); err != nil || len(got) != 0 {
		t.Errorf("a zero DocumentWriter's Bytes decode to %v, %v; want no ranges", got, err)
	}
	d.AddRange([4]int32{1, 2, 3, 4}, 0, 0, 0, [][]byte{[]byte("m")})
	want := []packed.Range{{StartLine: 1, StartCharacter: 2, EndLine: 3, EndCharacter: 4, Monikers: []string{"m"}}}
	if got, err := packed.DecodeDocument(d.Bytes()); err != nil || !cmp.Equal(got, want) {
		t.Errorf("a zero DocumentWriter given a range decodes to %v, %v; want %v", got, err, want)
	}
	var c packed.ChunkWriter
	if got, err := packed.DecodeChunk(c.Bytes()); err != nil || len(got) != 0 {
		t.Errorf("a zero ChunkWriter's Bytes decode to %v, %v; want no results", got, err)
	}
	c.AddResult(3, packed.References, 1)
	c.AddLocation("p", [4]int32{1, 2, 3, 4})
	wantRes := []packed.Result{{ID: 3, Kind: packed.References, Locations: []packed.Location{
		{Path: "p", StartLine: 1, StartCharacter: 2, EndLine: 3, EndCharacter: 4}}}}
	if got, err := packed.DecodeChunk(c.Bytes()); err != nil || !cmp.Equal(got, wantRes) {
		t.Errorf("a zero ChunkWriter given a location decodes to %v, %v; want %v", got, err, wantRes)
	}
}

func TestChunk(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ id, want int32 }{
		{0, 0}, {5, 0}, {63, 0}, {64, 1}, {100, 1}, {127, 1}, {128, 2}, {300, 4}, {maxInt, maxInt >> 6}, {-1, -1},
	} {
		if got := packed.Chunk(tc.id); got != tc.want {
			t.Errorf("Chunk(%d) = %d, want %d", tc.id, got, tc.want)
		}
	}
	if packed.ResultsPerChunk != 64 {
		t.Errorf("ResultsPerChunk = %d, want 64", packed.ResultsPerChunk)
	}
}

func TestRangeContains(t *testing.T) {
	t.Parallel()
	oneLine := packed.Range{StartLine: 3, StartCharacter: 4, EndLine: 3, EndCharacter: 8}
	lines := packed.Range{StartLine: 3, StartCharacter: 4, EndLine: 5, EndCharacter: 2}
	empty := packed.Range{StartLine: 3, StartCharacter: 4, EndLine: 3, EndCharacter: 4}
	for _, tc := range []struct {
		name            string
		r               packed.Range
		line, character int32
		want            bool
	}{
		{"before the start", oneLine, 3, 3, false},
		{"at the start", oneLine, 3, 4, true},
		{"inside", oneLine, 3, 6, true},
		{"at the end (just after the name)", oneLine, 3, 8, true},
		{"after the end", oneLine, 3, 9, false},
		{"line before", oneLine, 2, 6, false},
		{"line after", oneLine, 4, 6, false},
		{"first line, before the start", lines, 3, 0, false},
		{"first line, far right", lines, 3, 1000, true},
		{"middle line, column 0", lines, 4, 0, true},
		{"middle line, far right", lines, 4, maxInt, true},
		{"last line, at the end", lines, 5, 2, true},
		{"last line, after the end", lines, 5, 3, false},
		{"last line, column 0", lines, 5, 0, true},
		{"empty range, at it", empty, 3, 4, true},
		{"empty range, after it", empty, 3, 5, false},
		{"empty range, before it", empty, 3, 3, false},
		{"end before start", packed.Range{StartLine: 5, EndLine: 4}, 4, 0, false},
		{"int32 ends", packed.Range{StartLine: minInt, StartCharacter: minInt, EndLine: maxInt, EndCharacter: maxInt},
			0, 0, true},
	} {
		if got := tc.r.Contains(tc.line, tc.character); got != tc.want {
			t.Errorf("%s: %+v.Contains(%d, %d) = %v, want %v", tc.name, tc.r, tc.line, tc.character, got, tc.want)
		}
	}
}

// TestWritersAllocateNothingPerItem checks that once warmed up, a writer
// allocates nothing for a range or location whose monikers or path it has
// seen: a document allocates at most once per distinct moniker (the table
// keeps a copy of its bytes) and a chunk not at all, however many ranges
// and locations they have.
func TestWritersAllocateNothingPerItem(t *testing.T) {
	monikers := [][][]byte{{[]byte("export:npm:a::f")}, {[]byte("export:npm:a::f"), []byte("import:npm:b::g")}, nil}
	var dw packed.DocumentWriter
	document := func() {
		dw.Reset()
		for i := range 1000 {
			dw.AddRange([4]int32{int32(i), 1, int32(i), 4}, 1, 2, 3, monikers[i%3])
		}
		dw.Bytes()
	}
	document()
	if allocs := testing.AllocsPerRun(20, document); allocs > 2 {
		t.Errorf("a document of 1000 ranges with 2 distinct monikers allocates %v times, want at most 2", allocs)
	}
	paths := []string{"a.go", "b/c.go", "d.go"}
	var cw packed.ChunkWriter
	chunk := func() {
		cw.Reset()
		for i := range 256 {
			cw.AddResult(int32(i), packed.References, 4)
			for j := range 4 {
				cw.AddLocation(paths[(i+j)%3], [4]int32{int32(i), int32(j), int32(i), 9})
			}
		}
		cw.Bytes()
	}
	chunk()
	if allocs := testing.AllocsPerRun(20, chunk); allocs != 0 {
		t.Errorf("a chunk of 256 results and 1024 locations in 3 paths allocates %v times, want 0", allocs)
	}
}
