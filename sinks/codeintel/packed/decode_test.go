package packed_test

import (
	"encoding/binary"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
)

// decoders are both decoders, giving how many items they decoded.
var decoders = map[string]func([]byte) (int, error){
	"document": func(b []byte) (int, error) { r, err := packed.DecodeDocument(b); return len(r), err },
	"chunk":    func(b []byte) (int, error) { r, err := packed.DecodeChunk(b); return len(r), err },
}

// TestDecodeTruncated cuts valid encodings at every byte offset: each cut
// must be refused with an error wrapping ErrCorrupt (never a panic).
func TestDecodeTruncated(t *testing.T) {
	t.Parallel()
	var dw packed.DocumentWriter
	for name, want := range documents {
		data := encodeDocument(&dw, want)
		for n := range len(data) {
			// Counts and sizes come first: a cut encoding is never valid.
			got, err := packed.DecodeDocument(data[:n])
			if err == nil {
				t.Errorf("document %s cut at %d of %d bytes decodes to %d ranges without an error", name, n, len(data), len(got))
			} else if !errors.Is(err, packed.ErrCorrupt) || !strings.Contains(err.Error(), "document") {
				t.Errorf("document %s cut at %d: error %q does not wrap ErrCorrupt or name a document", name, n, err)
			}
		}
	}
	var cw packed.ChunkWriter
	for name, want := range chunks {
		data := encodeChunk(&cw, want)
		for n := range len(data) {
			got, err := packed.DecodeChunk(data[:n])
			if err == nil {
				t.Errorf("chunk %s cut at %d of %d bytes decodes to %d results without an error", name, n, len(data), len(got))
			} else if !errors.Is(err, packed.ErrCorrupt) || !strings.Contains(err.Error(), "result chunk") {
				t.Errorf("chunk %s cut at %d: error %q does not wrap ErrCorrupt or name a result chunk", name, n, err)
			}
		}
	}
}

// enc builds an encoding by hand: each argument an unsigned count or
// index (uint64), a signed number (int64), a byte or a string (its
// length and bytes).
func enc(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch p := p.(type) {
		case uint64:
			b = binary.AppendUvarint(b, p)
		case int64:
			b = binary.AppendVarint(b, p)
		case byte:
			b = append(b, p)
		case string:
			b = binary.AppendUvarint(b, uint64(len(p)))
			b = append(b, p...)
		}
	}
	return b
}

const v = byte(packed.Version)

var (
	doc0 = []any{v, uint64(1), uint64(0), "m", uint64(0), uint64(1), int64(1), int64(2), int64(0), int64(4), int64(5), int64(6), int64(7)}
	// loc0 is a location in path 0, lines 1-1.
	loc0 = []any{uint64(0), int64(1), int64(2), int64(0), int64(4)}
)

// chunkHead is a chunk with path table {"p"} and one result, id 3 of
// kind, up to the result's size.
func chunkHead(kind byte) []any {
	return []any{v, uint64(1), uint64(0), "p", uint64(0), uint64(1), int64(3), kind}
}

// sized is parts preceded by their encoded length, as a result's size.
func sized(parts ...any) []any {
	return append([]any{uint64(len(enc(parts...)))}, parts...)
}

// quadraticTable is a document whose moniker table has n strings, each
// sharing all of the one before and one byte more: n²/2 bytes decoded.
func quadraticTable(n int) []byte {
	parts := []any{v, uint64(n), uint64(0), "a"}
	for i := 1; i < n; i++ {
		parts = append(parts, uint64(i), "a")
	}
	for i := range n {
		parts = append(parts, uint64(i))
	}
	return enc(append(parts, uint64(0))...)
}

func cat(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// TestDecodeCorrupt checks that each kind of corruption is refused with
// an error wrapping ErrCorrupt that says what is wrong.
func TestDecodeCorrupt(t *testing.T) {
	t.Parallel()
	for _, tc := range corrupt {
		_, err := decoders[tc.decoder](tc.data)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want == "":
		case err == nil:
			t.Errorf("%s: decoded %x without an error, want %q", tc.name, tc.data, tc.want)
		case !errors.Is(err, packed.ErrCorrupt) || !strings.Contains(err.Error(), tc.want):
			t.Errorf("%s: error %q, want one wrapping ErrCorrupt and saying %q", tc.name, err, tc.want)
		}
	}
}

// corrupt are encodings built by hand, for a decoder, with what its error
// must say ("" for a valid one).
var corrupt = []struct {
	name, decoder string
	data          []byte
	want          string
}{
	{"valid document", "document", enc(cat(doc0, []any{uint64(1), uint64(0)})...), ""},
	{"empty document", "document", nil, "truncated"},
	{"document version", "document", enc(byte(2), uint64(0), uint64(0)), "version 2, want 1"},
	{"moniker index out of the table", "document", enc(cat(doc0, []any{uint64(1), uint64(1)})...),
		"moniker 1 of a table of 1"},
	{"moniker index with no table", "document", enc(v, uint64(0), uint64(1),
		int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), uint64(1), uint64(0)),
		"moniker 0 of a table of 0"},
	{"document trailing bytes", "document", append(enc(cat(doc0, []any{uint64(0)})...), 0, 0), "2 bytes after the end"},
	{"huge moniker count", "document", enc(v, uint64(1)<<62), "exceeds the remaining"},
	{"huge moniker length", "document", enc(v, uint64(1), uint64(0), uint64(1)<<62), "string suffix of"},
	{"moniker sharing more than the one before", "document", enc(v, uint64(1), uint64(1), "m", uint64(0), uint64(0)),
		"string shares 1 bytes with one of 0"},
	{"moniker table decoding to n² bytes", "document", quadraticTable(40000), "decodes to more than"},
	{"moniker table position out of range", "document", enc(v, uint64(1), uint64(0), "m", uint64(1), uint64(0)),
		"string 0 at position 1 of 1"},
	{"front-coded table", "document", enc(v, uint64(2), uint64(0), "ab", uint64(1), "c", uint64(1), uint64(0), uint64(1),
		int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), uint64(2), uint64(0), uint64(1)), ""},
	{"huge range count", "document", enc(v, uint64(0), uint64(1)<<40, int64(0)), "exceeds the remaining"},
	{"huge range moniker count", "document", enc(cat(doc0, []any{uint64(1) << 50})...), "exceeds the remaining"},
	{"number beyond int32", "document", enc(v, uint64(0), uint64(1),
		int64(0), int64(1)<<40, int64(0), int64(0), int64(0), int64(0), int64(0), uint64(0)), "number 1099511627776 out of int32 range"},
	{"start line beyond int32", "document", enc(v, uint64(0), uint64(2),
		int64(1<<31-1), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), uint64(0),
		int64(1), int64(0), int64(0), int64(0), int64(0), int64(0), int64(0), uint64(0)), "out of int32 range"},
	{"end line beyond int32", "document", enc(v, uint64(0), uint64(1),
		int64(-5), int64(0), int64(1)<<32, int64(0), int64(0), int64(0), int64(0), uint64(0)), "out of int32 range"},
	{"bad varint", "document", append([]byte{v}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), "bad or truncated count"},

	{"valid chunk", "chunk", enc(cat(chunkHead(byte(1)), sized(cat([]any{uint64(1)}, loc0)...))...), ""},
	{"empty chunk", "chunk", nil, "truncated"},
	{"chunk version", "chunk", enc(byte(0), uint64(0), uint64(0)), "version 0, want 1"},
	{"result kind", "chunk", enc(v, uint64(0), uint64(1), int64(3), byte(3), uint64(1), uint64(0)), "result kind 3"},
	{"path index out of the table", "chunk", enc(cat(chunkHead(byte(2)), sized(cat([]any{uint64(1), uint64(1)}, loc0[1:])...))...),
		"path 1 of a table of 1"},
	{"chunk trailing bytes", "chunk", append(enc(v, uint64(0), uint64(0)), 1), "1 bytes after the end"},
	{"huge path count", "chunk", enc(v, uint64(1)<<63), "exceeds the remaining"},
	{"huge result count", "chunk", enc(v, uint64(0), uint64(1)<<40, int64(0), byte(1), uint64(0)), "exceeds the remaining"},
	{"huge location count", "chunk", enc(cat(chunkHead(byte(1)), sized(uint64(1)<<40, uint64(0)))...), "exceeds the remaining"},
	{"result size beyond the data", "chunk", enc(cat(chunkHead(byte(1)), []any{uint64(100), uint64(0)})...),
		"result of 100 bytes exceeds the remaining"},
	{"result size short of its locations", "chunk", enc(cat(chunkHead(byte(1)), []any{uint64(2), uint64(1)}, loc0)...),
		"its size says"},
	{"result id beyond int32", "chunk", enc(v, uint64(0), uint64(1), int64(1)<<31, byte(1), uint64(0)),
		"number 2147483648 out of int32 range"},
	{"location end line beyond int32", "chunk", enc(cat(chunkHead(byte(1)),
		sized(uint64(1), uint64(0), int64(1<<31-1), int64(0), int64(1), int64(0)))...), "out of int32 range"},
}

// TestDecodeHugeCountsAllocateLittle checks that a count far beyond what
// the data can hold is refused before anything is allocated for it.
func TestDecodeHugeCountsAllocateLittle(t *testing.T) {
	for _, tc := range []struct {
		decoder string
		data    []byte
	}{
		{"document", enc(v, uint64(1)<<40)},
		{"document", enc(v, uint64(0), uint64(1)<<40, int64(0))},
		{"document", enc(cat(doc0, []any{uint64(1) << 40})...)},
		{"chunk", enc(v, uint64(1)<<40)},
		{"chunk", enc(v, uint64(0), uint64(1)<<40, int64(0), byte(1), uint64(0))},
		{"chunk", enc(cat(chunkHead(byte(1)), sized(uint64(1)<<40, uint64(0)))...)},
	} {
		var err error
		allocs := testing.AllocsPerRun(10, func() { _, err = decoders[tc.decoder](tc.data) })
		if err == nil || allocs > 10 {
			t.Errorf("%s %x: %v allocations, error %v; want an error and few allocations", tc.decoder, tc.data, allocs, err)
		}
	}
}

// FuzzDecode feeds both decoders arbitrary bytes: neither may panic, and
// whatever they accept must encode again to the same ranges or results.
func FuzzDecode(f *testing.F) {
	var dw packed.DocumentWriter
	for _, d := range documents {
		f.Add(encodeDocument(&dw, d))
	}
	var cw packed.ChunkWriter
	for _, c := range chunks {
		f.Add(encodeChunk(&cw, c))
	}
	for _, c := range corrupt {
		f.Add(c.data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if ranges, err := packed.DecodeDocument(data); err == nil {
			checkDocumentAt(t, data, ranges)
			again, err := packed.DecodeDocument(encodeDocument(&dw, ranges))
			if err != nil {
				t.Fatalf("accepted document %x does not decode once encoded again: %v", data, err)
			}
			if diff := cmp.Diff(ranges, again, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("accepted document %x encodes again to other ranges (-first +again):\n%s", data, diff)
			}
		} else if !errors.Is(err, packed.ErrCorrupt) {
			t.Fatalf("document error %v does not wrap ErrCorrupt", err)
		}
		if results, err := packed.DecodeChunk(data); err == nil {
			checkChunkResults(t, data, results)
			again, err := packed.DecodeChunk(encodeChunk(&cw, results))
			if err != nil {
				t.Fatalf("accepted chunk %x does not decode once encoded again: %v", data, err)
			}
			if diff := cmp.Diff(results, again, cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("accepted chunk %x encodes again to other results (-first +again):\n%s", data, diff)
			}
		} else if !errors.Is(err, packed.ErrCorrupt) {
			t.Fatalf("chunk error %v does not wrap ErrCorrupt", err)
		}
	})
}

// checkChunkResults checks that DecodeChunkResults finds, for each result
// of a chunk data decodes to, what DecodeChunk decoded.
func checkChunkResults(t *testing.T, data []byte, results []packed.Result) {
	t.Helper()
	for _, want := range results {
		ids := []int32{want.ID, -want.ID - 1}
		var all []packed.Result
		for _, r := range results {
			if slices.Contains(ids, r.ID) && r.Kind == want.Kind {
				all = append(all, r)
			}
		}
		got, err := packed.DecodeChunkResults(data, ids, want.Kind)
		if err != nil {
			t.Fatalf("DecodeChunkResults(%x, %d, %d): %v", data, want.ID, want.Kind, err)
		}
		if diff := cmp.Diff(all, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("DecodeChunkResults(%d, %d) (-DecodeChunk's +got):\n%s", want.ID, want.Kind, diff)
		}
	}
}

// TestDecodeChunkResults checks DecodeChunkResults against DecodeChunk on
// every test chunk, and that it refuses what DecodeChunk refuses.
func TestDecodeChunkResults(t *testing.T) {
	t.Parallel()
	var cw packed.ChunkWriter
	for name, want := range chunks {
		t.Run(name, func(t *testing.T) {
			data := encodeChunk(&cw, want)
			results, err := packed.DecodeChunk(data)
			if err != nil {
				t.Fatal(err)
			}
			checkChunkResults(t, data, results)
			if got, err := packed.DecodeChunkResults(data, []int32{1 << 30}, packed.References); err != nil || len(got) != 0 {
				t.Errorf("an id not in the chunk: %v, %v; want nothing", got, err)
			}
		})
	}
	for _, tc := range corrupt {
		if tc.decoder != "chunk" || tc.want == "" {
			continue
		}
		// A corruption inside a result skipped unread goes unseen; these
		// all lie in the table, the counts or result 3 (of one kind).
		_, errD := packed.DecodeChunkResults(tc.data, []int32{3}, packed.Definitions)
		_, errR := packed.DecodeChunkResults(tc.data, []int32{3}, packed.References)
		if !errors.Is(errD, packed.ErrCorrupt) && !errors.Is(errR, packed.ErrCorrupt) {
			t.Errorf("%s: DecodeChunkResults errors %v and %v, want one wrapping ErrCorrupt", tc.name, errD, errR)
		}
	}
}

// checkDocumentAt checks that DecodeDocumentAt finds, at positions around
// every range of a document data decodes to, the ranges of DecodeDocument
// that contain them.
func checkDocumentAt(t *testing.T, data []byte, ranges []packed.Range) {
	t.Helper()
	var positions [][2]int32
	for _, r := range ranges {
		positions = append(positions, [2]int32{r.StartLine, r.StartCharacter}, [2]int32{r.EndLine, r.EndCharacter},
			[2]int32{r.StartLine, r.StartCharacter - 1}, [2]int32{r.EndLine, r.EndCharacter + 1})
	}
	for _, p := range positions {
		var want []packed.Range
		for _, r := range ranges {
			if r.Contains(p[0], p[1]) {
				want = append(want, r)
			}
		}
		got, err := packed.DecodeDocumentAt(data, p[0], p[1])
		if err != nil {
			t.Fatalf("DecodeDocumentAt(%x, %d, %d): %v", data, p[0], p[1], err)
		}
		if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Fatalf("DecodeDocumentAt(%d, %d) (-DecodeDocument's ranges there +got):\n%s", p[0], p[1], diff)
		}
	}
}

// TestDecodeDocumentAt checks DecodeDocumentAt against DecodeDocument on
// every test document, and that it refuses what DecodeDocument refuses.
func TestDecodeDocumentAt(t *testing.T) {
	t.Parallel()
	var dw packed.DocumentWriter
	for name, want := range documents {
		t.Run(name, func(t *testing.T) {
			data := encodeDocument(&dw, want)
			ranges, err := packed.DecodeDocument(data)
			if err != nil {
				t.Fatal(err)
			}
			checkDocumentAt(t, data, ranges)
		})
	}
	for _, tc := range corrupt {
		if tc.decoder != "document" || tc.want == "" {
			continue
		}
		if _, err := packed.DecodeDocumentAt(tc.data, 0, 0); !errors.Is(err, packed.ErrCorrupt) {
			t.Errorf("%s: DecodeDocumentAt error %v, want one wrapping ErrCorrupt", tc.name, err)
		}
	}
}

// TestDecodeQuadraticTableAllocatesLittle checks that a table whose
// strings each share all of the one before is refused before it decodes
// to n²/2 bytes (1.6 GB for this one).
func TestDecodeQuadraticTableAllocatesLittle(t *testing.T) {
	data := quadraticTable(40000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := packed.DecodeDocument(data)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, packed.ErrCorrupt) {
		t.Fatalf("DecodeDocument: %v, want an error wrapping ErrCorrupt", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("refusing a %d-byte table allocated %d bytes, want under 64 MiB", len(data), got)
	}
}
