package lsif

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"
)

// FuzzElement checks the scanner against encoding/json: a line parses iff
// it is one valid JSON object, and every string member decodes to what
// encoding/json decodes.
func FuzzElement(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"type":"vertex","label":"range","start":{"line":0,"character":9},"end":{"line":0,"character":12}}`,
		`{"id":"a\u00e9\ud83d\ude00","type":"edge","label":"item","outV":2,"inVs":[3,4],"document":5}`,
		`{"label":"hoverResult","result":{"contents":[{"language":"go","value":"x\n\ty"},"\"q\""]}}`,
		` { "a" : [ 1.5e3 , -0 , true , false , null , { } , [ ] ] } `,
		`{"a":"\ud800"}`, `{"a":1}x`, `{"a":01}`, `{"a":"\x"}`, `[1]`, `{`, `{"a":[}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		if bytes.Count(line, []byte("["))+bytes.Count(line, []byte("{")) > maxDepth {
			return // encoding/json nests deeper
		}
		var e element
		err := e.parse(line)
		trimmed := bytes.TrimLeft(line, " \t\r\n")
		want := json.Valid(line) && len(trimmed) > 0 && trimmed[0] == '{'
		if (err == nil) != want {
			t.Fatalf("parse(%q) = %v, json.Valid says %v", line, err, want)
		}
		if err != nil {
			return
		}
		for f := range numFields {
			raw := e.vals[f]
			if len(raw) == 0 || raw[0] != '"' {
				continue
			}
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatalf("member %d %q: encoding/json: %v", f, raw, err)
			}
			if got := e.string(f); got != s {
				t.Fatalf("member %d %q decodes to %q, encoding/json says %q", f, raw, got, s)
			}
		}
		// The iterators walk what parse validated.
		for f := range numFields {
			if it, ok := newObjIter(e.vals[f]); ok {
				for {
					if _, _, more := it.next(); !more {
						break
					}
				}
			}
			if it, ok := newArrIter(e.vals[f]); ok {
				for {
					if _, more := it.next(); !more {
						break
					}
				}
			}
		}
	})
}

// FuzzConvert feeds arbitrary dumps to Convert: it must fail with
// ErrMalformed or succeed, never panic.
func FuzzConvert(f *testing.F) {
	for _, name := range []string{"testdata/handwritten.lsif", "testdata/docs_extension.lsif"} {
		seed, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed)
		lines := bytes.Split(seed, []byte("\n"))
		for i := range lines {
			f.Add(bytes.Join(slices.Delete(slices.Clone(lines), i, i+1), []byte("\n")))
		}
	}
	f.Fuzz(func(t *testing.T, dump []byte) {
		_, err := Convert(context.Background(), bytes.NewReader(dump), Opts{}, discard{})
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("err = %v, want nil or ErrMalformed", err)
		}
	})
}

type discard struct{}

func (discard) Hover(Hover) error                   { return nil }
func (discard) Result(Result) error                 { return nil }
func (discard) Document(Document) error             { return nil }
func (discard) MonikerResults(MonikerResults) error { return nil }
func (discard) Package(Package) error               { return nil }
func (discard) PackageRef(PackageRef) error         { return nil }
func (discard) DocEntry(DocEntry) error             { return nil }
