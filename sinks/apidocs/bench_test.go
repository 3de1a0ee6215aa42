package apidocs_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/apidocs/apidocstest"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// The benchmark corpus: benchRepos repositories (a fifth private) of
// benchPerRepo entries each, named from a small vocabulary as Go and
// TypeScript APIs are (NewServer, Router.ServeHTTP, parseConfig), so that
// names repeat across repositories as they do in practice.
const (
	benchRepos   = 10_000
	benchPerRepo = 100
)

var (
	benchVerbs = []string{"New", "Get", "Set", "Parse", "Read", "Write", "Open", "Close", "Handle", "Serve", "Load",
		"Store", "Find", "Make", "Build", "Run", "Start", "Stop", "Encode", "Decode", "Validate", "Register"}
	benchNouns = []string{"Router", "Server", "Client", "Config", "Handler", "Request", "Response", "Buffer", "Stream",
		"Context", "Cache", "Token", "Logger", "Error", "Session", "Query", "Schema", "Record", "Batch", "Writer",
		"Reader", "Pool", "Queue", "Worker", "Event", "Message", "Channel", "Option", "Store", "Index"}
	benchPkgs  = []string{"mux", "http", "core", "util", "api", "db", "auth", "cache", "log", "rpc", "net", "io", "sync", "store", "queue"}
	benchKinds = []string{"function", "class", "method", "interface", "variable"}
	benchLangs = []string{"go", "typescript"}
)

// benchEntry returns entry i of repository r.
func benchEntry(rng *rand.Rand, i int) lsif.DocEntry {
	pkg := benchPkgs[rng.IntN(len(benchPkgs))]
	noun := benchNouns[rng.IntN(len(benchNouns))]
	kind := benchKinds[rng.IntN(len(benchKinds))]
	name := noun
	key := pkg + "." + noun
	switch kind {
	case "function", "variable":
		name = benchVerbs[rng.IntN(len(benchVerbs))] + noun
		if rng.IntN(3) == 0 {
			name += benchNouns[rng.IntN(len(benchNouns))]
		}
		key = pkg + "." + name
	case "method":
		name = benchVerbs[rng.IntN(len(benchVerbs))] + benchNouns[rng.IntN(len(benchNouns))]
		key = pkg + "." + noun + "." + name
	}
	return lsif.DocEntry{Path: fmt.Sprintf("%s/file%d.go", pkg, i%20), Range: lsif.Range{StartLine: int32(i), EndLine: int32(i)},
		Language: benchLangs[rng.IntN(2)], Name: name, Kind: kind, SearchKey: key,
		Signature: "func " + name + "(ctx context.Context, opts Options) (*" + noun + ", error)",
		Detail:    name + " returns a new " + noun + " configured by opts.\n\nIt is safe for concurrent use by multiple goroutines; see the package documentation for details.",
		Tags:      []string{kind, "exported"}}
}

// benchCorpus fills a new schema with the corpus: repositories and a
// completed upload at each one's head (SQL), the entries (COPY), then
// every upload indexed by Reconcile. It returns the pool, the private
// repository ids and the time the indexing took.
func benchCorpus(b *testing.B) (*pgxpool.Pool, []int64, time.Duration) {
	ctx := context.Background()
	db := pgtest.NewDB(b)
	_, err := db.Exec(ctx, `INSERT INTO repos (name, path, private, head_commit)
		SELECT 'github.com/org' || (g % 100) || '/repo' || g, '/x/' || g, g % 5 = 0, lpad(to_hex(g), 40, '0')
		FROM generate_series(1, $1::int) g ORDER BY g`, benchRepos)
	if err != nil {
		b.Fatal(err)
	}
	_, err = db.Exec(ctx, `INSERT INTO lsif_uploads (repo_id, commit_oid, indexer, state, num_parts, object_key)
		SELECT id, head_commit, 'lsif-go', 'completed', 1, 'k' || id FROM repos ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	u, i := int64(1), 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == benchPerRepo {
			u, i = u+1, 0
		}
		if u > benchRepos {
			return nil, nil
		}
		e := benchEntry(rng, i)
		i++
		return []any{u, int32(i), e.Path, e.Range.StartLine, int32(0), e.Range.EndLine, int32(5),
			e.Language, e.Name, e.Kind, e.SearchKey, e.Signature, e.Detail, e.Tags}, nil
	})
	if _, err := db.CopyFrom(ctx, pgx.Identifier{"apidocs_entries"}, entryColumns, src); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for id := int64(1); id <= benchRepos; id++ {
		if _, err := apidocs.Reconcile(ctx, db, id); err != nil {
			b.Fatal(err)
		}
	}
	took := time.Since(start)
	if _, err := db.Exec(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	var private []int64
	for id := int64(5); id <= benchRepos; id += 5 {
		private = append(private, id)
	}
	return db, private, took
}

// benchQueries are 20 representative searches: exact names, prefixes,
// key suffixes, misspellings, with and without lang:, repo: and kind:.
var benchQueries = []string{
	"Router", "NewServer", "ParseConfig", "Handler",
	"NewSer", "Pars", "ReadBuf",
	"Client.Close", "Server.ServeRequest", "mux.Router",
	"Rotuer", "Hnadler", "Confg", "Reqeust",
	"Router lang:go", "Parse lang:typescript", "Router repo:^github.com/org7/", "Client repo:repo42",
	"Server kind:class", "http.NewClient",
}

// BenchmarkSearch builds the corpus (1,000,000 entries in 10,000
// repositories, a fifth private) and times the 20 queries as a user
// granted 100 private repositories: p50 and p95 over every query of every
// op, the corpus' index time and rate, and the search tables' bytes per
// entry (table, TOAST and indexes). Building the corpus takes minutes,
// once per run.
func BenchmarkSearch(b *testing.B) {
	ctx := context.Background()
	db, private, took := benchCorpus(b)
	var search, entries int64
	err := db.QueryRow(ctx, `SELECT pg_total_relation_size('apidocs_search_public') + pg_total_relation_size('apidocs_search_private'),
		pg_total_relation_size('apidocs_entries')`).Scan(&search, &entries)
	if err != nil {
		b.Fatal(err)
	}
	// A benchmark with sub-benchmarks reports no metrics of its own: these
	// are logged.
	b.Logf("indexed %d entries in %v (%.0f entries/s); search tables %.0f B/entry, apidocs_entries %.0f B/entry",
		benchRepos*benchPerRepo, took.Round(time.Millisecond), float64(benchRepos*benchPerRepo)/took.Seconds(),
		float64(search)/(benchRepos*benchPerRepo), float64(entries)/(benchRepos*benchPerRepo))
	// The corpus is built once; the queries run as often as the
	// benchmark asks.
	b.Run("queries", func(b *testing.B) {
		p := apidocs.SearchParams{Granted: private[:100]}
		var lat []time.Duration
		per := map[string][]time.Duration{}
		for range b.N {
			for _, q := range benchQueries {
				query, err := apidocs.ParseQuery(q)
				if err != nil {
					b.Fatal(err)
				}
				p.Query = query
				start := time.Now()
				if _, err := apidocs.Search(ctx, db, p); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				per[q] = append(per[q], time.Since(start))
			}
		}
		b.StopTimer()
		for _, q := range benchQueries {
			slices.Sort(per[q])
			b.Logf("%-32q median %v", q, per[q][len(per[q])/2].Round(100*time.Microsecond))
		}
		slices.Sort(lat)
		ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
		b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
		b.ReportMetric(ms(lat[len(lat)*95/100]), "p95-ms")
		b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
	})
}

// BenchmarkLoadEntries times the write path of process-uploads for API
// docs: 200,000 entries of one upload through codeintel.BatchSink into a
// batch run in a file bucket, then the loader's COPY into apidocs_entries
// (entries/s); and, alternating with it in each op as the baseline, a
// plain pgx CopyFrom of the same rows from memory (copy-entries/s), which
// is what Postgres allows on the machine at that moment.
func BenchmarkLoadEntries(b *testing.B) {
	const n = 200_000
	ctx := context.Background()
	db := pgtest.NewDB(b)
	bkt := buckettest.NewFileBucket(b)
	rng := rand.New(rand.NewPCG(3, 4))
	entries := make([]lsif.DocEntry, n)
	for i := range entries {
		entries[i] = benchEntry(rng, i)
	}
	var load, raw time.Duration
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		apidocstest.Load(b, db, bkt, int64(2*i+1), entries)
		load += time.Since(start)
		start = time.Now()
		copyEntries(b, db, int64(2*i+2), entries)
		raw += time.Since(start)
	}
	b.StopTimer()
	b.ReportMetric(float64(n*b.N)/load.Seconds(), "entries/s")
	b.ReportMetric(float64(n*b.N)/raw.Seconds(), "copy-entries/s")
	if _, err := db.Exec(ctx, `TRUNCATE apidocs_entries`); err != nil {
		b.Fatal(err)
	}
}

// copyEntries COPYs entries of upload id into apidocs_entries from memory.
func copyEntries(b *testing.B, db *pgxpool.Pool, id int64, entries []lsif.DocEntry) {
	i := 0
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(entries) {
			return nil, nil
		}
		e := entries[i]
		i++
		return []any{id, int32(i), e.Path, e.Range.StartLine, e.Range.StartCharacter, e.Range.EndLine, e.Range.EndCharacter,
			e.Language, e.Name, e.Kind, e.SearchKey, e.Signature, e.Detail, e.Tags}, nil
	})
	if _, err := db.CopyFrom(context.Background(), pgx.Identifier{"apidocs_entries"}, entryColumns, src); err != nil {
		b.Fatal(err)
	}
}

var entryColumns = []string{"upload_id", "ordinal", "path", "start_line", "start_character", "end_line", "end_character",
	"language", "name", "kind", "search_key", "signature", "detail", "tags"}
