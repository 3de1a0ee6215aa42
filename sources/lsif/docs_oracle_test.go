package lsif_test

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
)

// dumpDocs is an independent reading of an lsif-tsc dump, with
// encoding/json and none of the converter's code: the exported definitions
// of the project's documents as the dump states them, each with its tag
// name, the first code part of its hover, the hover's other parts, and the
// qualified name of its tsc export moniker.
type dumpDoc struct {
	Path, Name, Signature, Detail, Qualified string
	Line                                     int
}

type dumpElement struct {
	ID, OutV, InV int
	InVs          []int
	Type, Label   string
	URI           string
	RootURI       string `json:"rootUri"`
	Kind          string
	Scheme        string
	Identifier    string
	Start         struct{ Line int }
	Tag           *struct {
		Type, Text string
	}
	Result json.RawMessage
}

func readDumpDocs(t *testing.T, name string) []dumpDoc {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(name, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			t.Fatal(err)
		}
	}
	els := map[int]*dumpElement{}
	var order []*dumpElement
	next, hover, doc := map[int]int{}, map[int]int{}, map[int]int{}
	monikers := map[int][]int{}
	root := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var e dumpElement
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		els[e.ID] = &e
		order = append(order, &e)
		ins := append(e.InVs, e.InV)
		switch e.Label {
		case "group":
			root = e.RootURI + "/"
		case "next":
			next[e.OutV] = e.InV
		case "textDocument/hover":
			hover[e.OutV] = e.InV
		case "moniker":
			monikers[e.OutV] = append(monikers[e.OutV], ins...)
		case "contains":
			for _, in := range ins {
				doc[in] = e.OutV
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	var out []dumpDoc
	for _, e := range order {
		if e.Label != "range" || e.Tag == nil || e.Tag.Type != "definition" || e.Tag.Text == "" {
			continue
		}
		d := els[doc[e.ID]]
		if d == nil || !strings.HasPrefix(d.URI, root) || strings.Contains(d.URI, "node_modules/") {
			continue
		}
		qualified := ""
		for _, m := range append(monikers[e.ID], monikers[next[e.ID]]...) {
			if mk := els[m]; mk != nil && mk.Kind == "export" && mk.Scheme == "tsc" {
				qualified = mk.Identifier[strings.LastIndex(mk.Identifier, ":")+1:]
			}
		}
		if qualified == "" {
			continue // not exported
		}
		dd := dumpDoc{Path: strings.TrimPrefix(d.URI, root), Name: e.Tag.Text, Line: e.Start.Line, Qualified: qualified}
		h := els[hover[next[e.ID]]]
		if h == nil {
			h = els[hover[e.ID]]
		}
		var hv struct{ Contents []json.RawMessage }
		if err := json.Unmarshal(h.Result, &hv); err != nil {
			t.Fatalf("hover %d: %v", h.ID, err)
		}
		var rest []string
		for _, c := range hv.Contents {
			var code struct{ Language, Value string }
			var text string
			switch {
			case json.Unmarshal(c, &text) == nil:
				rest = append(rest, strings.TrimSpace(text))
			case json.Unmarshal(c, &code) == nil && dd.Signature == "":
				dd.Signature = code.Value
			}
		}
		dd.Detail = strings.Join(rest, "\n\n---\n\n")
		// Imports and re-exports ("(alias) ...") are documented where they
		// are defined; type parameters are not API.
		if strings.HasPrefix(dd.Signature, "(alias) ") || strings.HasPrefix(dd.Signature, "(type parameter) ") {
			continue
		}
		out = append(out, dd)
	}
	return out
}
