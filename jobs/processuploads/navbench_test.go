package processuploads_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/scip/sciptest"
)

// navPositions is how many positions BenchmarkCodenavQueries asks about.
const navPositions = 300

// navPos is a position of the generated index and what the answers there
// must hold.
type navPos struct {
	q codeintel.CodenavQuery
	// defPath and defLine are where the symbol at q is defined.
	defPath string
	defLine int
	// hover is part of the symbol's hover text.
	hover string
}

// navKind is one code navigation query and the check of its answer.
type navKind struct {
	name  string
	fn    func(context.Context, codeintel.DB, codeintel.CodenavQuery) (codeintel.CodenavResult, error)
	check func(navPos, codeintel.CodenavResult) error
}

var navKinds = []navKind{
	{"def", codeintel.CodenavDefinitions, checkDefinitions},
	{"refs", codeintel.CodenavReferences, checkReferences},
	{"hover", codeintel.CodenavHover, checkHover},
}

// BenchmarkCodenavQueries uploads and processes a generated SCIP index of
// $NAV_BENCH_MB MiB (default 20; sciptest.Generator) once, makes its
// upload visible at its commit (the commit graph computed as
// update-commit-graph does), then asks definitions, references and hover
// text at navPositions positions of the index spread over its documents
// (definitions, references to other documents' symbols and local
// variables, placed from the generator's layout): once to warm up and
// then $NAV_BENCH_ROUNDS times (default 3), the three kinds interleaved
// so that they share the machine's load. Every answer is checked (the
// definition's file and line, the query's own location among the
// references, the symbol's hover text), so a broken answer fails the
// benchmark. It reports mean and median ns per query of each kind.
func BenchmarkCodenavQueries(b *testing.B) {
	ctx := context.Background()
	limit := int64(envInt(b, "NAV_BENCH_MB", 20)) << 20
	rounds := envInt(b, "NAV_BENCH_ROUNDS", 3)
	g := sciptest.NewGenerator(limit)
	e := newBenchEnv(b, generatedPaths(b, g))
	e.process(b, sciptest.NewGenerator(limit), "scip-nav")
	makeVisible(ctx, b, e)
	positions := navSample(g.Documents(), e.commit)
	askAll(ctx, b, e, positions) // warm up
	times := make([][]time.Duration, len(navKinds))
	for b.Loop() {
		for range rounds {
			for i, ts := range askAll(ctx, b, e, positions) {
				times[i] = append(times[i], ts...)
			}
		}
	}
	b.ReportMetric(float64(g.Documents()), "documents")
	for i, k := range navKinds {
		ts := times[i]
		var sum time.Duration
		for _, t := range ts {
			sum += t
		}
		slices.Sort(ts)
		b.ReportMetric(float64(sum.Nanoseconds())/float64(len(ts)), k.name+"-ns/query")
		b.ReportMetric(float64(ts[len(ts)/2].Nanoseconds()), k.name+"-p50-ns/query")
	}
}

// generatedPaths reads g to its end and returns its documents' paths.
func generatedPaths(b *testing.B, g *sciptest.Generator) []string {
	if _, err := io.Copy(io.Discard, g); err != nil {
		b.Fatal(err)
	}
	paths := make([]string, 0, g.Documents())
	for i := 1; i <= g.Documents(); i++ {
		paths = append(paths, sciptest.DocumentPath(i))
	}
	return paths
}

// makeVisible computes the repository's commit graph visibility (its one
// commit) from its completed uploads and stores it, as update-commit-graph
// does.
func makeVisible(ctx context.Context, b *testing.B, e *benchEnv) {
	dirty, err := codeintel.DirtyReposList(ctx, e.r.DB)
	if err != nil {
		b.Fatal(err)
	}
	uploads, err := codeintel.GraphUploadsList(ctx, e.r.DB, e.repoID)
	if err != nil {
		b.Fatal(err)
	}
	visible, _ := codeintel.NearestCompute([]gitsource.GraphCommit{{OID: e.commit}}, uploads)
	if len(visible) != 1 {
		b.Fatalf("commit graph of %s: %d visible uploads, want 1 (uploads %v)", e.commit, len(visible), uploads)
	}
	p := codeintel.NearestReplaceParams{RepoID: e.repoID, Visible: visible, Now: time.Now()}
	for _, d := range dirty {
		if d.RepoID == e.repoID {
			p.Token = d.Token
		}
	}
	if err := codeintel.NearestReplace(ctx, e.r.DB, p); err != nil {
		b.Fatal(err)
	}
}

// askAll asks every kind at every position, checks the answers and returns
// each kind's query times.
func askAll(ctx context.Context, b *testing.B, e *benchEnv, positions []navPos) [][]time.Duration {
	times := make([][]time.Duration, len(navKinds))
	for _, p := range positions {
		for i, k := range navKinds {
			start := time.Now()
			res, err := k.fn(ctx, e.r.DB, p.q)
			times[i] = append(times[i], time.Since(start))
			if err == nil {
				err = k.check(p, res)
			}
			if err != nil {
				b.Fatalf("%s at %s:%d:%d: %v", k.name, p.q.Path, p.q.Position.Line, p.q.Position.Character, err)
			}
		}
	}
	return times
}

// navSample returns navPositions positions of the generated index of docs
// documents, deterministically spread over the documents, cycling through
// a global symbol's definition, a reference to an earlier document's
// symbol and a local variable's use, placed as sciptest.Generator lays
// documents out: 12 definitions three lines apart from line 0 (columns
// 2-9), then 90 references a line each, then 8 lines of a local variable
// defined and used twice (columns 6, 14, 22; 5 wide).
func navSample(docs int, commit string) []navPos {
	const defs, refs = 12, 90
	out := make([]navPos, 0, navPositions)
	for s := range navPositions {
		d := 1 + s*7919%docs
		var p navPos
		switch s % 3 {
		case 0:
			k := s % defs
			p = navPos{defPath: sciptest.DocumentPath(d), defLine: 3 * k, hover: fmt.Sprintf("Widget%d.render%d(", k%3, k)}
			p.q.Position = codeintel.Position{Line: 3 * k, Character: 5}
		case 1:
			k := s % refs
			j := 1 + (d*31+k*17)%max(d-1, 1)
			p = navPos{defPath: sciptest.DocumentPath(j), defLine: 3 * (k % defs),
				hover: fmt.Sprintf("Widget%d.render%d(", k%defs%3, k%defs)}
			p.q.Position = codeintel.Position{Line: 3*defs + k, Character: 4 + k%40 + 3}
		default:
			k, u := s%8, 1+s%2
			line := 3*defs + refs + k
			p = navPos{defPath: sciptest.DocumentPath(d), defLine: line, hover: "var v: number"}
			p.q.Position = codeintel.Position{Line: line, Character: 6 + u*8 + 2}
		}
		p.q.Repo, p.q.Commit, p.q.Path = "bench", commit, sciptest.DocumentPath(d)
		out = append(out, p)
	}
	return out
}

func checkDefinitions(p navPos, res codeintel.CodenavResult) error {
	for _, l := range res.Locations {
		if l.Path == p.defPath && l.Range.Start.Line == p.defLine {
			return nil
		}
	}
	return fmt.Errorf("want the definition at %s:%d, got %v (%s)", p.defPath, p.defLine, res.Locations, res.Reason)
}

func checkReferences(p navPos, res codeintel.CodenavResult) error {
	for _, l := range res.Locations {
		if l.Path == p.q.Path && l.Range.Start.Line == p.q.Position.Line &&
			l.Range.Start.Character <= p.q.Position.Character && p.q.Position.Character < l.Range.End.Character {
			return nil
		}
	}
	return fmt.Errorf("want the query's own location among %d references (%s)", len(res.Locations), res.Reason)
}

func checkHover(p navPos, res codeintel.CodenavResult) error {
	if !strings.Contains(res.Hover, p.hover) {
		return fmt.Errorf("want hover text holding %q, got %q (%s)", p.hover, res.Hover, res.Reason)
	}
	return nil
}

// envInt returns the environment variable name as an int, def when unset.
func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive whole number", name, s)
	}
	return n
}
