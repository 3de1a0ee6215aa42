package apidocs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/apidocs"
)

// TestPage checks a page's files and nesting (class → method, namespace →
// function, by search key), --path as a directory or a file, and that a
// private repository's page is not found without a grant.
func TestPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	s := f.repo("secret", true, commit('1'))
	f.upload(s, commit('1'),
		entry("src/mux/router.ts", 2, "class", "mux.Router"),
		entry("src/mux/router.ts", 4, "method", "mux.Router.serve"),
		entry("src/mux/router.ts", 9, "property", "mux.Router.routes"),
		entry("src/mux/router.ts", 20, "function", "mux.newRouter"),
		entry("src/util.ts", 0, "namespace", "util"),
		entry("src/util.ts", 1, "function", "util.clamp"),
		entry("srcx/other.ts", 0, "function", "other"))

	page, err := apidocs.PageGet(ctx, f.db, apidocs.PageParams{Repo: "secret", Path: "src/", Granted: []int64{s}})
	if err != nil {
		t.Fatal(err)
	}
	type node struct {
		Key      string
		Line     int
		Children []node
	}
	var tree func([]apidocs.Symbol) []node
	tree = func(syms []apidocs.Symbol) []node {
		out := []node{}
		for _, s := range syms {
			out = append(out, node{s.SearchKey, s.Line, tree(s.Children)})
		}
		return out
	}
	got := map[string][]node{}
	for _, file := range page.Files {
		got[file.Path] = tree(file.Symbols)
		if file.Commit != commit('1') {
			t.Errorf("%s: commit %s", file.Path, file.Commit)
		}
	}
	want := map[string][]node{
		"src/mux/router.ts": {
			{"mux.Router", 3, []node{{"mux.Router.serve", 5, []node{}}, {"mux.Router.routes", 10, []node{}}}},
			{"mux.newRouter", 21, []node{}},
		},
		"src/util.ts": {{"util", 1, []node{{"util.clamp", 2, []node{}}}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("page of src/ (-want +got):\n%s", diff)
	}
	if page.Files[0].Symbols[0].Detail != "Docs of mux.Router.\n\nMore." || page.Files[0].Symbols[0].Signature != "class mux.Router" {
		t.Errorf("first symbol: %+v", page.Files[0].Symbols[0])
	}

	file, err := apidocs.PageGet(ctx, f.db, apidocs.PageParams{Repo: "secret", Path: "src/util.ts", Admin: true})
	if err != nil || len(file.Files) != 1 || file.Files[0].Path != "src/util.ts" {
		t.Errorf("page of a file: %+v, %v", file, err)
	}
	for _, p := range []apidocs.PageParams{
		{Repo: "secret"},                       // no grant
		{Repo: "secret", Granted: []int64{99}}, // another grant
		{Repo: "nope", Admin: true},
		{Repo: "secret", Path: "docs", Admin: true},
	} {
		if _, err := apidocs.PageGet(ctx, f.db, p); !errors.Is(err, apidocs.ErrNotFound) {
			t.Errorf("PageGet(%+v) error = %v, want ErrNotFound", p, err)
		}
	}
}
