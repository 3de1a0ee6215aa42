package apidocs_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/apidocs"
)

// TestSearchRanking checks the tiers (exact name, prefix, key suffix,
// similarity), private before public among equal matches, ties by
// repository and path, the filters, and what a result carries.
func TestSearchRanking(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	b := f.repo("b/pub", false, commit('b'))
	a := f.repo("a/pub", false, commit('a'))
	s := f.repo("secret", true, commit('c'))
	f.upload(b, commit('b'),
		entry("mux/router.go", 9, "class", "mux.Router"),
		entry("mux/router.go", 20, "method", "mux.Router.ServeHTTP"),
		entry("mux/group.go", 3, "class", "mux.RouterGroup"),
		entry("mux/new.go", 1, "function", "mux.NewRouter"))
	f.upload(a, commit('a'),
		entry("http/router.go", 4, "interface", "http.Router"),
		entry("http/route.go", 4, "function", "http.Route"))
	f.upload(s, commit('c'), entry("core/router.go", 1, "class", "core.Router"))
	granted := apidocs.SearchParams{Granted: []int64{s}}

	for _, tc := range []struct {
		name, query string
		p           apidocs.SearchParams
		want        []string
	}{
		// Similar names come by similarity: route shares 5 of router's
		// trigrams, newrouter more but is longer.
		{"exact, private first, then prefix, then similar", "router", granted, []string{
			"secret core.Router", "a/pub http.Router", "b/pub mux.Router", "b/pub mux.RouterGroup",
			"a/pub http.Route", "b/pub mux.NewRouter"}},
		{"no grant: no private result", "router", apidocs.SearchParams{}, []string{
			"a/pub http.Router", "b/pub mux.Router", "b/pub mux.RouterGroup",
			"a/pub http.Route", "b/pub mux.NewRouter"}},
		// After the exact, prefix and suffix tiers come similar names,
		// private ones first, by similarity, repository and path.
		{"suffix of the key", "Router.ServeHTTP", admin, []string{"b/pub mux.Router.ServeHTTP",
			"secret core.Router", "a/pub http.Router", "b/pub mux.Router"}},
		{"whole key", "mux.Router", admin, []string{"b/pub mux.Router",
			"secret core.Router", "a/pub http.Router", "a/pub http.Route", "b/pub mux.RouterGroup", "b/pub mux.NewRouter"}},
		{"misspelling", "Routr", admin, []string{"secret core.Router",
			"a/pub http.Route", "a/pub http.Router", "b/pub mux.Router", "b/pub mux.RouterGroup"}},
		{"nothing alike", "Zebra", admin, []string{}},
		{"kind filter", "router kind:class", granted, []string{"secret core.Router", "b/pub mux.Router", "b/pub mux.RouterGroup"}},
		{"repo filter", "router repo:^b/", granted, []string{"b/pub mux.Router", "b/pub mux.RouterGroup",
			"b/pub mux.NewRouter"}},
		{"repo filter naming a private repo without grant", "router repo:secret", apidocs.SearchParams{}, []string{}},
		// Grants of other repositories: the private table is searched,
		// restricted to them.
		{"grants of other repos only", "router", apidocs.SearchParams{Granted: []int64{a, b}}, []string{
			"a/pub http.Router", "b/pub mux.Router", "b/pub mux.RouterGroup",
			"a/pub http.Route", "b/pub mux.NewRouter"}},
		{"exact key of a private repo, grants of other repos only", "core.Router repo:secret",
			apidocs.SearchParams{Granted: []int64{a}}, []string{}},
		{"lang filter", "router lang:go", admin, []string{}},
		{"limit", "router", apidocs.SearchParams{Admin: true, Limit: 2}, []string{"secret core.Router", "a/pub http.Router"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := f.search(tc.query, tc.p)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("search %q (-want +got):\n%s", tc.query, diff)
			}
		})
	}

	// LIKE's wildcards in a query are literal: rout_r matches no name as
	// a prefix (only by similarity).
	for _, r := range f.results("rout_r", admin) {
		if r.Tier != apidocs.TierFuzzy {
			t.Errorf("rout_r: %s matched in tier %d, want only similar names (tier %d)", r.SearchKey, r.Tier, apidocs.TierFuzzy)
		}
	}

	q, _ := apidocs.ParseQuery("ServeHTTP")
	res, err := apidocs.Search(context.Background(), f.db, apidocs.SearchParams{Query: q, Admin: true})
	if err != nil {
		t.Fatal(err)
	}
	want := []apidocs.Result{{Repo: "b/pub", Commit: commit('b'), Path: "mux/router.go", Line: 21, Name: "ServeHTTP",
		SearchKey: "mux.Router.ServeHTTP", Kind: "method", Language: "typescript", Signature: "method mux.Router.ServeHTTP",
		Summary: "Docs of mux.Router.ServeHTTP.", Tier: apidocs.TierExact}}
	// ... and a private one says so.
	q, _ = apidocs.ParseQuery("core.Router")
	if res, err := apidocs.Search(context.Background(), f.db, apidocs.SearchParams{Query: q, Granted: []int64{s}}); err != nil ||
		len(res) == 0 || !res[0].Private || res[0].Tier != apidocs.TierSuffix || res[0].SearchKey != "core.Router" {
		t.Errorf("search core.Router as a granted user: %+v, %v", res, err)
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

// TestDetailsOfVanishedHit: a hit whose entry went between the search and
// the reading of its details (its upload retired) is left out, and the
// results after it keep their own tier and visibility.
func TestDetailsOfVanishedHit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.repo("secret", true, commit('c'))
	id := f.upload(s, commit('c'), entry("core/router.go", 1, "class", "core.Router"))
	res, err := apidocs.Details(context.Background(), f.db, []apidocs.Hit{
		{Upload: id + 1000, Ordinal: 1, Private: false, Tier: apidocs.TierExact}, // gone
		{Upload: id, Ordinal: 1, Private: true, Tier: apidocs.TierSuffix},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].SearchKey != "core.Router" || !res[0].Private || res[0].Tier != apidocs.TierSuffix {
		t.Errorf("details: %+v, want core.Router alone, private, in the suffix tier", res)
	}
}
