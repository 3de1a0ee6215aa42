package scip_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
	"github.com/sightline-dev/sightline/sources/scip"
	"github.com/sightline-dev/sightline/sources/scip/sciptest"
)

func convert(t *testing.T, index []byte, opts lsif.Opts) (*lsiftest.Recorder, lsif.Stats) {
	t.Helper()
	rec := lsiftest.NewRecorder()
	stats, err := scip.Convert(context.Background(), bytes.NewReader(index), opts, rec)
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	return rec, stats
}

func loc(path string, sl, sc, el, ec int32) lsif.Location {
	return lsif.Location{Path: path, Range: lsif.Range{StartLine: sl, StartCharacter: sc, EndLine: el, EndCharacter: ec}}
}

const (
	pkgSym   = "scip-go gomod example.com/m v1.0.0 "
	ifaceSym = pkgSym + "`m`/Reader#"
	readSym  = pkgSym + "`m`/Reader#Read()."
	fileSym  = pkgSym + "`m`/File#Read()."
	implSym  = pkgSym + "`m`/impl#Read()."
	extSym   = "scip-go gomod std v1.22.0 `io`/EOF."
)

// handwritten is an index whose documents both use "local 0" for
// different variables, with relationships, diagnostics, an external symbol
// and an occurrence with its own documentation.
func handwritten() []byte {
	var b []byte
	b = sciptest.AppendMetadata(b, "scip-go", "0.1.0", "file:///src/m")
	b = sciptest.AppendDocument(b, sciptest.Document{
		RelativePath: "a.go", Language: "go",
		Occurrences: []sciptest.Occurrence{
			{Range: []int32{0, 5, 11}, Symbol: ifaceSym, Roles: sciptest.RoleDefinition},
			{Range: []int32{1, 1, 5}, Symbol: readSym, Roles: sciptest.RoleDefinition},
			{Range: []int32{3, 1, 2}, Symbol: "local 0", Roles: sciptest.RoleDefinition},
			{Range: []int32{4, 1, 2}, Symbol: "local 0", OverrideDocumentation: []string{"x, here an int"}},
			{Range: []int32{5, 1, 4}, Symbol: extSym, Diagnostics: []sciptest.Diagnostic{{Severity: 2, Code: "SA1", Message: "odd", Source: "vet"}}},
		},
		Symbols: []sciptest.SymbolInformation{
			{Symbol: ifaceSym, Documentation: []string{"```go\ntype Reader interface\n```", "Reader reads."}},
			{Symbol: readSym},
			{Symbol: "local 0", Documentation: []string{"x in a"}},
		},
	})
	b = sciptest.AppendDocument(b, sciptest.Document{
		RelativePath: "b.go", Language: "go",
		Occurrences: []sciptest.Occurrence{
			{Range: []int32{0, 1, 2}, Symbol: "local 0", Roles: sciptest.RoleDefinition},
			{Range: []int32{1, 1, 2}, Symbol: "local 0"},
			{Range: []int32{2, 10, 14}, Symbol: fileSym, Roles: sciptest.RoleDefinition},
			{Range: []int32{3, 10, 14}, Symbol: implSym, Roles: sciptest.RoleDefinition},
			{Range: []int32{4, 0, 5, 4}, Symbol: readSym},
			{Range: []int32{6, 0, 3}, Symbol: ""}, // syntax only
		},
		Symbols: []sciptest.SymbolInformation{
			// File.Read is a reference of Reader.Read: their references are shared.
			{Symbol: fileSym, Relationships: []sciptest.Relationship{{Symbol: readSym, IsReference: true, IsImplementation: true}}},
			// impl.Read is a definition of Reader.Read: going to its
			// definition also finds Reader.Read's.
			{Symbol: implSym, Relationships: []sciptest.Relationship{{Symbol: readSym, IsDefinition: true}}},
		},
	})
	b = sciptest.AppendExternalSymbol(b, sciptest.SymbolInformation{Symbol: extSym, Documentation: []string{"EOF is the end."}})
	return b
}

func TestHandwritten(t *testing.T) {
	t.Parallel()
	rec, stats := convert(t, handwritten(), lsif.Opts{Root: "go/m"})
	if stats.ToolName != "scip-go" || stats.ToolVersion != "0.1.0" || stats.Documents != 2 || stats.Ranges != 10 {
		t.Errorf("stats = %+v", stats)
	}
	if diff := cmp.Diff([]string{"go/m/a.go", "go/m/b.go"}, rec.Paths); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	tests := []struct {
		name       string
		path       string
		line, char int32
		defs, refs []lsif.Location
		hover      string
	}{
		{name: "local in a.go stays in a.go", path: "go/m/a.go", line: 4, char: 1,
			defs:  []lsif.Location{loc("go/m/a.go", 3, 1, 3, 2)},
			refs:  []lsif.Location{loc("go/m/a.go", 3, 1, 3, 2), loc("go/m/a.go", 4, 1, 4, 2)},
			hover: "x, here an int"},
		{name: "local in b.go stays in b.go", path: "go/m/b.go", line: 1, char: 1,
			defs: []lsif.Location{loc("go/m/b.go", 0, 1, 0, 2)},
			refs: []lsif.Location{loc("go/m/b.go", 0, 1, 0, 2), loc("go/m/b.go", 1, 1, 1, 2)}},
		{name: "hover from documentation", path: "go/m/a.go", line: 0, char: 6,
			defs: []lsif.Location{loc("go/m/a.go", 0, 5, 0, 11)}, refs: []lsif.Location{loc("go/m/a.go", 0, 5, 0, 11)},
			hover: "```go\ntype Reader interface\n```\n\n---\n\nReader reads."},
		{name: "is_reference shares references both ways", path: "go/m/b.go", line: 4, char: 2,
			defs: []lsif.Location{loc("go/m/a.go", 1, 1, 1, 5)},
			refs: []lsif.Location{loc("go/m/a.go", 1, 1, 1, 5), loc("go/m/b.go", 2, 10, 2, 14), loc("go/m/b.go", 4, 0, 5, 4)}},
		{name: "is_reference from the implementation's side", path: "go/m/b.go", line: 2, char: 11,
			defs: []lsif.Location{loc("go/m/b.go", 2, 10, 2, 14)},
			refs: []lsif.Location{loc("go/m/a.go", 1, 1, 1, 5), loc("go/m/b.go", 2, 10, 2, 14), loc("go/m/b.go", 4, 0, 5, 4)}},
		{name: "is_definition adds the target's definitions", path: "go/m/b.go", line: 3, char: 11,
			defs: []lsif.Location{loc("go/m/a.go", 1, 1, 1, 5), loc("go/m/b.go", 3, 10, 3, 14)},
			refs: []lsif.Location{loc("go/m/b.go", 3, 10, 3, 14)}},
		{name: "external symbol: no definition, hover from external_symbols", path: "go/m/a.go", line: 5, char: 2,
			refs: []lsif.Location{loc("go/m/a.go", 5, 1, 5, 4)}, hover: "EOF is the end."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.defs, rec.Definitions(tt.path, tt.line, tt.char)); diff != "" {
				t.Errorf("definitions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.refs, rec.References(tt.path, tt.line, tt.char)); diff != "" {
				t.Errorf("references (-want +got):\n%s", diff)
			}
			if got := rec.HoverAt(tt.path, tt.line, tt.char); got != tt.hover {
				t.Errorf("hover = %q, want %q", got, tt.hover)
			}
		})
	}
	wantDiag := []lsif.Diagnostic{{Severity: 2, Code: "SA1", Message: "odd", Source: "vet", Range: lsif.Range{StartLine: 5, StartCharacter: 1, EndLine: 5, EndCharacter: 4}}}
	if diff := cmp.Diff(wantDiag, rec.Documents["go/m/a.go"].Diagnostics); diff != "" {
		t.Errorf("diagnostics (-want +got):\n%s", diff)
	}
}

func TestHandwrittenMonikers(t *testing.T) {
	t.Parallel()
	rec, _ := convert(t, handwritten(), lsif.Opts{})
	dr, _ := rec.RangeAt("a.go", 0, 6)
	want := []lsif.Moniker{{Kind: lsif.Export, Scheme: "scip-go", Identifier: ifaceSym,
		Package: lsif.PackageInfo{Manager: "gomod", Name: "example.com/m", Version: "v1.0.0"}}}
	if diff := cmp.Diff(want, dr.Monikers); diff != "" {
		t.Errorf("export moniker (-want +got):\n%s", diff)
	}
	if dr, _ := rec.RangeAt("a.go", 3, 1); len(dr.Monikers) != 0 {
		t.Errorf("local symbol has monikers %v", dr.Monikers)
	}
	if got := rec.Locations(lsif.References, "scip-go", extSym); len(got) != 1 {
		t.Errorf("moniker references of the external symbol = %v, want its one occurrence", got)
	}
	wantPkgs := []lsif.Package{{Scheme: "scip-go", PackageInfo: lsif.PackageInfo{Manager: "gomod", Name: "example.com/m", Version: "v1.0.0"}}}
	if diff := cmp.Diff(wantPkgs, rec.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	wantRefs := []lsif.PackageRef{{Package: lsif.Package{Scheme: "scip-go", PackageInfo: lsif.PackageInfo{Manager: "gomod", Name: "std", Version: "v1.22.0"}},
		Identifiers: []string{extSym}}}
	if diff := cmp.Diff(wantRefs, rec.PackageRefs); diff != "" {
		t.Errorf("package references (-want +got):\n%s", diff)
	}
}

func TestPrune(t *testing.T) {
	t.Parallel()
	rec, stats := convert(t, handwritten(), lsif.Opts{Exists: func(p string) bool { return p == "b.go" }})
	if stats.Pruned != 1 || len(rec.Paths) != 1 {
		t.Fatalf("pruned %d, documents %v: want a.go pruned", stats.Pruned, rec.Paths)
	}
	// Reader.Read's definition was in a.go: the range in b.go keeps its
	// references there, and no definition.
	if got := rec.Definitions("b.go", 4, 2); got != nil {
		t.Errorf("definitions = %v, want none (a.go is pruned)", got)
	}
	for _, l := range rec.References("b.go", 4, 2) {
		if l.Path != "b.go" {
			t.Errorf("reference %v in a pruned document", l)
		}
	}
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	good := handwritten()
	badRange := sciptest.AppendDocument(nil, sciptest.Document{RelativePath: "x.go",
		Occurrences: []sciptest.Occurrence{{Range: []int32{1, 2}, Symbol: "local 1"}}})
	tests := []struct {
		name, input, want string
	}{
		{"empty", "", "the index is empty"},
		{"truncated", string(good[:len(good)-7]), "truncated"},
		{"cut in a tag", string(append(append([]byte{}, good...), 0x80)), "truncated in the field tag"},
		{"bad range", string(badRange), `range [1 2]`},
		{"not protobuf", "\x0f\x0f\x0f", "unsupported wire type"},
		{"corrupt document", "\x12\x03\xff\xff\xff", "document 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scip.Convert(context.Background(), strings.NewReader(tt.input), lsif.Opts{}, lsiftest.NewRecorder())
			if !errors.Is(err, lsif.ErrMalformed) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrMalformed mentioning %q", err, tt.want)
			}
		})
	}
}

// failingReader fails after its content, like a broken download.
type failingReader struct{ r *bytes.Reader }

var errNetwork = errors.New("connection reset")

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err != nil {
		return n, errNetwork
	}
	return n, nil
}

func TestReadErrorIsNotMalformed(t *testing.T) {
	t.Parallel()
	good := handwritten()
	_, err := scip.Convert(context.Background(), failingReader{bytes.NewReader(good[:len(good)/2])}, lsif.Opts{}, lsiftest.NewRecorder())
	if !errors.Is(err, errNetwork) || errors.Is(err, lsif.ErrMalformed) {
		t.Errorf("err = %v, want the reader's error, not ErrMalformed", err)
	}
}
