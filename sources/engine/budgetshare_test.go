package engine_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/search"
)

// TestPassChargesSharedTextToNone checks that what a pass prepares once
// for all the queries reading a blob (the lower-cased copy, and the one
// search.Group pass that finds every query's case-insensitive literals) is
// charged to none of them: the first query reading each blob used to pay
// for all the others' literals, and could run out of time for them.
// Eight queries doing the same work must be charged about the same: the
// first no more than the others by half the time that preparation takes,
// measured here on the same contents (the least of three tries).
func TestPassChargesSharedTextToNone(t *testing.T) {
	// Not parallel: it compares times.
	const nFiles, size = 4, 4 << 20
	r := rand.New(rand.NewPCG(3, 4))
	const letters = "abcdefghilmnoprtuvwyABCDEFGHILMNOPRTUVWY \n" // none of the literals' letters
	contents := map[string]string{}
	for i := range nFiles {
		b := make([]byte, size)
		for j := range b {
			b[j] = letters[r.IntN(len(letters))]
		}
		contents[fmt.Sprintf("f%d.txt", i)] = string(b)
	}
	g := gittest.New(t)
	commit := g.Commit(day(1), "large files", contents)
	repo := openRepo(t, g.Dir)
	var opts engine.Opts
	opts.Match.MaxFileSize = 2 * size
	var queries []engine.PassQuery
	for k := range 8 {
		queries = append(queries, engine.PassQuery{Query: parse(t, fmt.Sprintf("zqxj%d", k)), Opts: opts, Budget: time.Hour})
	}
	prep := preparationTime(queries, contents, opts.Match)
	// The least of two passes' differences: a preemption while the first
	// query matches would add to its charge.
	extra := time.Duration(-1)
	for range 2 {
		d := firstChargedExtra(t, repo, queries, commit)
		if extra < 0 || d < extra {
			extra = d
		}
	}
	t.Logf("the first query charged %s more than the others; preparing the contents takes %s", extra, prep)
	if extra > prep/2 {
		t.Errorf("the first query was charged %s more than the others, who do the same work: the preparation for all (%s)", extra, prep)
	}
}

// firstChargedExtra runs the queries in a pass at commit and returns how
// much more the first was charged than the most charged of the others.
func firstChargedExtra(t *testing.T, repo *gitsource.Repo, queries []engine.PassQuery, commit string) time.Duration {
	t.Helper()
	res, err := (&engine.Engine{}).Pass(context.Background(), repo, queries, []string{commit})
	if err != nil {
		t.Fatal(err)
	}
	var others time.Duration
	for k, r := range res {
		if r.Err != nil || r.Points[0].Matches != 0 {
			t.Fatalf("query %d: %v, %+v; want no matches", k, r.Err, r.Points)
		}
		if k > 0 {
			others = max(others, r.Spent)
		}
	}
	return res[0].Spent - others
}

// preparationTime is the least time, of three tries, that preparing the
// contents for the queries' group and matching the first query takes.
func preparationTime(queries []engine.PassQuery, contents map[string]string, opts search.MatchOpts) time.Duration {
	var qs []*search.Query
	for _, q := range queries {
		qs = append(qs, q.Query)
	}
	group := search.NewGroup(qs)
	data := map[string][]byte{}
	for path, c := range contents {
		data[path] = []byte(c)
	}
	best := time.Duration(-1)
	for range 3 {
		start := time.Now()
		for path, c := range data {
			text := group.Text(c)
			qs[0].MatchText(path, text, opts)
			text.Release()
		}
		if d := time.Since(start); best < 0 || d < best {
			best = d
		}
	}
	return best
}
