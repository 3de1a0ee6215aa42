package codeintel_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/gitsource"
)

// graphOf builds a commit graph from "child: parent parent..." pairs.
func graphOf(edges map[string][]string) []gitsource.GraphCommit {
	var g []gitsource.GraphCommit
	for c, ps := range edges {
		g = append(g, gitsource.GraphCommit{OID: c, Parents: ps})
	}
	return g
}

// visibleAt maps commit → "upload distance a|d" for easy comparison.
func visibleAt(vs []codeintel.Visible) map[string][3]any {
	out := map[string][3]any{}
	for _, v := range vs {
		dir := "d"
		if v.Ancestor {
			dir = "a"
		}
		out[v.Commit] = [3]any{v.UploadID, v.Distance, dir}
	}
	return out
}

func TestNearestCompute(t *testing.T) {
	t.Parallel()
	linear := map[string][]string{"c1": nil, "c2": {"c1"}, "c3": {"c2"}, "c4": {"c3"}, "c5": {"c4"}}
	// a - b - c - m - e, with side s1 - s2 off b merged into m (second
	// parent), and x off c never merged.
	merged := map[string][]string{
		"a": nil, "b": {"a"}, "c": {"b"}, "s1": {"b"}, "s2": {"s1"},
		"m": {"c", "s2"}, "e": {"m"}, "x": {"c"},
	}
	// Two paths from a to m: a - m directly (second parent) and a - p - q - m.
	crisscross := map[string][]string{"a": nil, "p": {"a"}, "q": {"p"}, "m": {"q", "a"}, "z": {"m"}}
	up := func(id int64, commit string) codeintel.GraphUpload {
		return codeintel.GraphUpload{ID: id, Commit: commit, Root: "", Indexer: "lsif-tsc"}
	}
	for _, tc := range []struct {
		name    string
		graph   map[string][]string
		uploads []codeintel.GraphUpload
		want    map[string][3]any
	}{{
		name:    "linear, one upload in the middle",
		graph:   linear,
		uploads: []codeintel.GraphUpload{up(1, "c3")},
		want: map[string][3]any{
			"c1": {int64(1), 2, "d"}, "c2": {int64(1), 1, "d"}, "c3": {int64(1), 0, "a"},
			"c4": {int64(1), 1, "a"}, "c5": {int64(1), 2, "a"},
		},
	}, {
		name:    "between two uploads the nearer wins; a tie goes to the newer (descendant here)",
		graph:   linear,
		uploads: []codeintel.GraphUpload{up(1, "c1"), up(2, "c5")},
		want: map[string][3]any{
			"c1": {int64(1), 0, "a"}, "c2": {int64(1), 1, "a"}, "c3": {int64(2), 2, "d"},
			"c4": {int64(2), 1, "d"}, "c5": {int64(2), 0, "a"},
		},
	}, {
		name:    "a tie goes to the newer (ancestor here)",
		graph:   linear,
		uploads: []codeintel.GraphUpload{up(7, "c1"), up(3, "c5")},
		want: map[string][3]any{
			"c1": {int64(7), 0, "a"}, "c2": {int64(7), 1, "a"}, "c3": {int64(7), 2, "a"},
			"c4": {int64(3), 1, "d"}, "c5": {int64(3), 0, "a"},
		},
	}, {
		name:    "merge: visible through the second parent; siblings see nothing",
		graph:   merged,
		uploads: []codeintel.GraphUpload{up(1, "s2")},
		want: map[string][3]any{
			"a": {int64(1), 3, "d"}, "b": {int64(1), 2, "d"}, "s1": {int64(1), 1, "d"}, "s2": {int64(1), 0, "a"},
			"m": {int64(1), 1, "a"}, "e": {int64(1), 2, "a"},
			// c and x: s2 is neither an ancestor nor a descendant.
		},
	}, {
		name:    "merge: two ancestor uploads, the nearer through either parent",
		graph:   merged,
		uploads: []codeintel.GraphUpload{up(1, "a"), up(2, "s1")},
		want: map[string][3]any{
			"a": {int64(1), 0, "a"}, "b": {int64(2), 1, "d"}, "c": {int64(1), 2, "a"}, "x": {int64(1), 3, "a"},
			"s1": {int64(2), 0, "a"}, "s2": {int64(2), 1, "a"}, "m": {int64(2), 2, "a"}, "e": {int64(2), 3, "a"},
		},
	}, {
		name:    "shortest of several paths",
		graph:   crisscross,
		uploads: []codeintel.GraphUpload{up(1, "a")},
		want: map[string][3]any{
			"a": {int64(1), 0, "a"}, "p": {int64(1), 1, "a"}, "q": {int64(1), 2, "a"},
			"m": {int64(1), 1, "a"}, "z": {int64(1), 2, "a"},
		},
	}, {
		name:    "several uploads at one commit: the newest",
		graph:   linear,
		uploads: []codeintel.GraphUpload{up(4, "c2"), up(9, "c2"), up(5, "c2")},
		want: map[string][3]any{
			"c1": {int64(9), 1, "d"}, "c2": {int64(9), 0, "a"}, "c3": {int64(9), 1, "a"},
			"c4": {int64(9), 2, "a"}, "c5": {int64(9), 3, "a"},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got, unplaced := codeintel.NearestCompute(graphOf(tc.graph), tc.uploads)
			if len(unplaced) != 0 {
				t.Errorf("unplaced = %v", unplaced)
			}
			if d := cmp.Diff(tc.want, visibleAt(got)); d != "" {
				t.Errorf("visible (-want +got):\n%s", d)
			}
		})
	}
}

// TestNearestComputeKeys checks that each (root, indexer) is computed on its
// own and that uploads at unknown commits are reported, not placed.
func TestNearestComputeKeys(t *testing.T) {
	t.Parallel()
	graph := graphOf(map[string][]string{"c1": nil, "c2": {"c1"}, "c3": {"c2"}})
	uploads := []codeintel.GraphUpload{
		{ID: 1, Commit: "c1", Root: "", Indexer: "lsif-tsc"},
		{ID: 2, Commit: "c3", Root: "lib/", Indexer: "lsif-tsc"},
		{ID: 3, Commit: "c3", Root: "", Indexer: "lsif-go"},
		{ID: 4, Commit: "gone", Root: "", Indexer: "lsif-tsc"},
	}
	got, unplaced := codeintel.NearestCompute(graph, uploads)
	perCommit := map[string][]int64{}
	for _, v := range got {
		perCommit[v.Commit] = append(perCommit[v.Commit], v.UploadID)
	}
	// Keys sort by root then indexer: ("", lsif-go), ("", lsif-tsc), (lib/, lsif-tsc).
	want := map[string][]int64{"c1": {3, 1, 2}, "c2": {3, 1, 2}, "c3": {3, 1, 2}}
	if d := cmp.Diff(want, perCommit); d != "" {
		t.Errorf("uploads per commit (-want +got):\n%s", d)
	}
	if len(unplaced) != 1 || unplaced[0].ID != 4 {
		t.Errorf("unplaced = %v, want upload 4", unplaced)
	}
}
