package apidocs_test

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/apidocs/apidocstest"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// fixture is a migrated schema and a bucket, with helpers for repositories
// and uploads.
type fixture struct {
	t  *testing.T
	db *pgxpool.Pool
	b  bucket.Bucket
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	return &fixture{t: t, db: pgtest.NewDB(t), b: buckettest.NewFileBucket(t)}
}

// commit is a fake 40-hex commit id made of c.
func commit(c byte) string { return strings.Repeat(string(c), 40) }

// repo registers a repository at head commit head and returns its id.
func (f *fixture) repo(name string, private bool, head string) int64 {
	f.t.Helper()
	var id int64
	err := f.db.QueryRow(context.Background(), `INSERT INTO repos (name, path, private, head_commit)
		VALUES ($1, '/x/' || $1, $2, $3) RETURNING id`, name, private, head).Scan(&id)
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

// exec runs a statement on the fixture's database.
func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Exec(context.Background(), sql, args...); err != nil {
		f.t.Fatal(err)
	}
}

// upload completes an upload of repo at commit (root "", indexer
// lsif-tsc) with entries and returns its id.
func (f *fixture) upload(repo int64, commit string, entries ...lsif.DocEntry) int64 {
	f.t.Helper()
	id, _ := apidocstest.Complete(f.t, f.db, f.b, apidocstest.Upload{RepoID: repo, Commit: commit, Indexer: "lsif-tsc", Entries: entries})
	return id
}

// results searches as params p with query q.
func (f *fixture) results(q string, p apidocs.SearchParams) []apidocs.Result {
	f.t.Helper()
	query, err := apidocs.ParseQuery(q)
	if err != nil {
		f.t.Fatal(err)
	}
	p.Query = query
	res, err := apidocs.Search(context.Background(), f.db, p)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// search searches as params p with query q and returns "repo key" for
// each result.
func (f *fixture) search(q string, p apidocs.SearchParams) []string {
	f.t.Helper()
	out := []string{}
	for _, r := range f.results(q, p) {
		out = append(out, r.Repo+" "+r.SearchKey)
	}
	return out
}

// count returns a count query's answer.
func (f *fixture) count(sql string, args ...any) int64 {
	f.t.Helper()
	var n int64
	if err := f.db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		f.t.Fatal(err)
	}
	return n
}

var admin = apidocs.SearchParams{Admin: true}

func entry(path string, line int32, kind, key string) lsif.DocEntry {
	return apidocstest.Entry(path, line, kind, key, kind+" "+key, "Docs of "+key+".\n\nMore.")
}
