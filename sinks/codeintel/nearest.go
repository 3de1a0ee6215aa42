package codeintel

import (
	"cmp"
	"slices"

	"github.com/sightline-dev/sightline/sources/gitsource"
)

// GraphUpload is a completed upload as the commit-graph computation sees
// it: its id, commit and the (root, indexer) it covers.
type GraphUpload struct {
	ID      int64
	Commit  string
	Root    string
	Indexer string
}

// Visible is one row of lsif_nearest_uploads: the upload visible at a
// commit for the upload's (root, indexer).
type Visible struct {
	Commit   string
	UploadID int64
	// Distance is the number of commit-graph edges between the commit and
	// the upload's commit (0 at the upload's own commit).
	Distance int
	// Ancestor is true when the upload's commit is the commit or one of its
	// ancestors, false when it is a descendant.
	Ancestor bool
}

// NearestCompute returns, for each commit of graph and each (root, indexer)
// of uploads, the visible upload: the nearest by graph distance among the
// uploads at the commit's ancestors (following every parent, not only the
// first) and at its descendants. Ties go to the newer upload (the higher
// id); an ancestor and a descendant upload at the same distance are a tie
// like any other. Commits that see no upload get no row.
//
// Uploads whose commit is not in the graph (not fetched yet, or no longer
// reachable from any ref) are visible nowhere and returned as unplaced.
//
// Memory is O(commits + edges) for the graph plus O(commits) per (root,
// indexer) being computed; the result holds at most commits × (root,
// indexer) rows.
func NearestCompute(graph []gitsource.GraphCommit, uploads []GraphUpload) (visible []Visible, unplaced []GraphUpload) {
	g := newDAG(graph)
	byKey := map[graphKey]map[int32]int64{} // commit index → newest upload there
	for _, u := range uploads {
		i, ok := g.index[u.Commit]
		if !ok {
			unplaced = append(unplaced, u)
			continue
		}
		k := graphKey{u.Root, u.Indexer}
		if byKey[k] == nil {
			byKey[k] = map[int32]int64{}
		}
		byKey[k][i] = max(byKey[k][i], u.ID)
	}
	keys := make([]graphKey, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b graphKey) int {
		return cmp.Or(cmp.Compare(a.root, b.root), cmp.Compare(a.indexer, b.indexer))
	})
	for _, k := range keys {
		anc := g.bfs(g.children, byKey[k]) // uploads at ancestors: walk down to descendants
		desc := g.bfs(g.parents, byKey[k]) // uploads at descendants: walk up to ancestors
		for i, oid := range g.oids {
			a, d := anc[i], desc[i]
			switch {
			case a.dist < 0 && d.dist < 0:
				continue
			case d.dist < 0 || a.dist >= 0 && (a.dist < d.dist || a.dist == d.dist && a.upload >= d.upload):
				visible = append(visible, Visible{Commit: oid, UploadID: a.upload, Distance: int(a.dist), Ancestor: true})
			default:
				visible = append(visible, Visible{Commit: oid, UploadID: d.upload, Distance: int(d.dist)})
			}
		}
	}
	return visible, unplaced
}

type graphKey struct{ root, indexer string }

// dag is a commit graph with commits numbered in graph order and edges in
// both directions.
type dag struct {
	oids     []string
	index    map[string]int32
	parents  [][]int32
	children [][]int32
}

func newDAG(graph []gitsource.GraphCommit) *dag {
	g := &dag{
		oids:     make([]string, len(graph)),
		index:    make(map[string]int32, len(graph)),
		parents:  make([][]int32, len(graph)),
		children: make([][]int32, len(graph)),
	}
	for i, c := range graph {
		g.oids[i] = c.OID
		g.index[c.OID] = int32(i)
	}
	for i, c := range graph {
		for _, p := range c.Parents {
			// A parent outside the graph (a shallow clone's boundary) is
			// no edge.
			if j, ok := g.index[p]; ok {
				g.parents[i] = append(g.parents[i], j)
				g.children[j] = append(g.children[j], int32(i))
			}
		}
	}
	return g
}

// reach is what a breadth-first search found at a commit: the nearest
// source's upload and its distance, -1 if no source reaches it.
type reach struct {
	dist   int32
	upload int64
}

// bfs walks the edges adj from every source commit at once, level by level,
// and returns for each commit the nearest source (ties to the higher upload
// id). A commit's value is final once its level is done, before it is
// expanded, so ties propagate correctly.
func (g *dag) bfs(adj [][]int32, sources map[int32]int64) []reach {
	out := make([]reach, len(g.oids))
	for i := range out {
		out[i].dist = -1
	}
	frontier := make([]int32, 0, len(sources))
	for i, id := range sources {
		out[i] = reach{0, id}
		frontier = append(frontier, i)
	}
	for d := int32(1); len(frontier) > 0; d++ {
		var next []int32
		for _, c := range frontier {
			for _, n := range adj[c] {
				switch {
				case out[n].dist < 0:
					out[n] = reach{d, out[c].upload}
					next = append(next, n)
				case out[n].dist == d && out[c].upload > out[n].upload:
					out[n].upload = out[c].upload
				}
			}
		}
		frontier = next
	}
	return out
}
