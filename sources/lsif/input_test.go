package lsif_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

func TestIgnored(t *testing.T) {
	t.Parallel()
	dump := readFile(t, "testdata/handwritten.lsif") + lines(
		`{"id":100,"type":"vertex","label":"$event","kind":"begin","scope":"document","data":2}`,
		`{"id":101,"type":"vertex","label":"project","kind":"typescript"}`,
		`{"id":102,"type":"edge","label":"contains","outV":101,"inVs":[2]}`,
		`{"id":103,"type":"vertex","label":"sourcegraph:documentationResult","result":{"identifier":"x"}}`,
		`{"id":104,"type":"edge","label":"item","outV":103,"inVs":[2]}`,
		`{"id":105,"type":"vertex","label":"someFutureVertex","payload":[1,{"a":null}]}`,
		`{"id":106,"type":"edge","label":"someFutureEdge","outV":999,"inV":998}`,
		`{"id":107,"type":"edge","label":"belongsTo","outV":101,"inV":105}`,
		`{"id":108,"type":"vertex","label":"diagnosticResult","result":[]}`,
		`{"id":109,"type":"edge","label":"textDocument/diagnostic","outV":101,"inV":108}`,
	)
	rec, _ := mustConvert(t, dump, lsif.Opts{})
	if diff := cmp.Diff(handwrittenWant(), rec); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	doc := `{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`
	rangeV := `{"id":3,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`
	tests := []struct {
		name string
		last string // line 4, after meta, doc and range
		want string
	}{
		{"truncated line", `{"id":4,"type":"vertex","label":"resu`, "line 4: invalid JSON: unterminated string at column 33"},
		{"not an object", `[1,2]`, "line 4: invalid JSON: unexpected '[', want '{' starting an element at column 1"},
		{"trailing garbage", `{"id":4,"type":"vertex","label":"resultSet"} x`, "line 4: invalid JSON: unexpected 'x' after the element (one element per line) at column 46"},
		{"bad escape", `{"id":4,"type":"vertex","label":"a\qb"}`, `line 4: invalid JSON: invalid escape 'q' in string at column 35`},
		{"bad type", `{"id":4,"type":"vortex","label":"range"}`, `line 4: element "type" is "vortex", want "vertex" or "edge"`},
		{"no label", `{"id":4,"type":"vertex"}`, `line 4: element has no "label"`},
		{"float id", `{"id":4.5,"type":"vertex","label":"resultSet"}`, "line 4: resultSet vertex: id 4.5 is not an integer or a string"},
		{"duplicate id", `{"id":3,"type":"vertex","label":"resultSet"}`, "line 4: duplicate vertex id 3 (already a range)"},
		{"range without end", `{"id":4,"type":"vertex","label":"range","start":{"line":0,"character":0}}`, "line 4: range end: want an object {line, character}, got "},
		{"negative position", `{"id":4,"type":"vertex","label":"range","start":{"line":-1,"character":0},"end":{"line":0,"character":0}}`, "line 4: range start: line -1 is not a non-negative integer"},
		{"unknown vertex", `{"id":4,"type":"edge","label":"contains","outV":2,"inVs":[3,77]}`, "line 4: contains edge: inVs element 77 names no vertex before it (an edge must come after the vertices it joins)"},
		{"wrong kind", `{"id":4,"type":"edge","label":"next","outV":3,"inV":2}`, "line 4: next edge: inV 2 is a document, want a resultSet"},
		{"no outV", `{"id":4,"type":"edge","label":"next","inV":3}`, `line 4: next edge has no "outV"`},
		{"no inV", `{"id":4,"type":"edge","label":"next","outV":3}`, `line 4: next edge has neither "inV" nor "inVs"`},
		{"contains a document", `{"id":4,"type":"edge","label":"contains","outV":2,"inVs":[2]}`, "line 4: contains edge: inV 2 is a document, want a range"},
		{"document without uri", `{"id":4,"type":"vertex","label":"document"}`, `line 4: document vertex has no "uri"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, stats, err := convert(t, lines(meta, doc, rangeV, tt.last, rangeV), lsif.Opts{})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to start with %q", err, tt.want)
			}
			var le *lsif.LineError
			if !errors.Is(err, lsif.ErrMalformed) || !errors.As(err, &le) || le.Line != 4 {
				t.Errorf("err = %#v, want a *LineError for line 4 wrapping ErrMalformed", err)
			}
			if stats.Lines != 4 {
				t.Errorf("Lines = %d, want 4 (stop at the bad line)", stats.Lines)
			}
		})
	}
}

func TestLineTooLong(t *testing.T) {
	t.Parallel()
	long := `{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts","contents":"` + strings.Repeat("A", 3<<20) + `"}`
	_, _, err := convert(t, lines(meta, long), lsif.Opts{MaxLineSize: 2 << 20})
	if err == nil || !strings.Contains(err.Error(), "line 2: line longer than 2097152 bytes") {
		t.Errorf("err = %v, want line 2 too long", err)
	}
	// The default accepts it (and a line longer than the read buffer). A
	// document without ranges is still delivered: it was indexed.
	rec, _ := mustConvert(t, lines(meta, long, `{"id":3,"type":"vertex","label":"resultSet"}`), lsif.Opts{})
	if diff := cmp.Diff([]string{"a.ts"}, rec.Paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

func gzipMembers(t *testing.T, data string, parts int) []byte {
	t.Helper()
	var buf bytes.Buffer
	size := len(data)/parts + 1
	for off := 0; off < len(data); off += size {
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write([]byte(data[off:min(off+size, len(data))])); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestGzip(t *testing.T) {
	t.Parallel()
	dump := readFile(t, "testdata/handwritten.lsif")
	gz := gzipMembers(t, dump, 5) // members split mid-line, as upload chunks are

	rec := lsiftest.NewRecorder()
	if _, err := lsif.Convert(context.Background(), bytes.NewReader(gz), lsif.Opts{}, rec); err != nil {
		t.Fatalf("concatenated members: %v", err)
	}
	if diff := cmp.Diff(handwrittenWant(), rec); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}

	for _, cut := range []int{len(gz) - 4, len(gz) / 2, 12} {
		_, err := lsif.Convert(context.Background(), bytes.NewReader(gz[:cut]), lsif.Opts{}, lsiftest.NewRecorder())
		if !errors.Is(err, lsif.ErrMalformed) || !strings.Contains(err.Error(), "gzip stream truncated") {
			t.Errorf("cut at %d of %d: err = %v, want a truncated gzip stream", cut, len(gz), err)
		}
	}
	corrupt := bytes.Clone(gz)
	corrupt[len(corrupt)/3] ^= 0xff
	if _, err := lsif.Convert(context.Background(), bytes.NewReader(corrupt), lsif.Opts{}, lsiftest.NewRecorder()); !errors.Is(err, lsif.ErrMalformed) {
		t.Errorf("corrupt: err = %v, want ErrMalformed", err)
	}
}

type failingSink struct {
	*lsiftest.Recorder
	err error
}

func (s failingSink) Document(lsif.Document) error { return s.err }

func TestSinkError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := lsif.Convert(context.Background(), strings.NewReader(readFile(t, "testdata/handwritten.lsif")), lsif.Opts{}, failingSink{lsiftest.NewRecorder(), boom})
	if !errors.Is(err, boom) || errors.Is(err, lsif.ErrMalformed) || err.Error() != "document a.ts: boom" {
		t.Errorf("err = %v, want the sink's error, not a malformed dump", err)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dump := lines(meta) + strings.Repeat(`{"id":2,"type":"edge","label":"unknown"}`+"\n", 10000)
	if _, err := lsif.Convert(ctx, strings.NewReader(dump), lsif.Opts{}, lsiftest.NewRecorder()); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
