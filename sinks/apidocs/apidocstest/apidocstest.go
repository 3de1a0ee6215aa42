// Package apidocstest helps tests of the API docs store and of the jobs and
// commands that use it: it completes uploads with documentation entries
// through the production path (codeintel.BatchSink into a batch run, the
// batch loader, codeintel.UploadsComplete, which indexes them). Only tests
// import it.
package apidocstest

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/loader"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// Upload is an upload to complete with entries.
type Upload struct {
	RepoID                int64
	Commit, Root, Indexer string
	Entries               []lsif.DocEntry
}

// Complete inserts u, claims it, writes its entries as process-uploads
// does (BatchSink, a batch run in b, the loader with the codeintel and
// apidocs targets), completes it and returns its id and what completing
// it did. It must be the only queued upload (it claims the oldest).
func Complete(t testing.TB, db *pgxpool.Pool, b bucket.Bucket, u Upload) (int64, codeintel.CompleteResult) {
	t.Helper()
	ctx := context.Background()
	up, err := codeintel.UploadsInsert(ctx, db, codeintel.UploadsInsertParams{
		RepoID: u.RepoID, Commit: u.Commit, Root: u.Root, Indexer: u.Indexer, NumParts: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := codeintel.UploadsQueue(ctx, db, up.ID, 1, 1); err != nil {
		t.Fatal(err)
	}
	worker := fmt.Sprintf("apidocstest-%d", up.ID)
	claimed, err := codeintel.UploadsClaim(ctx, db, worker)
	if err != nil || claimed == nil || claimed.ID != up.ID {
		t.Fatalf("claim upload %d: got %v, %v", up.ID, claimed, err)
	}
	Load(t, db, b, up.ID, u.Entries)
	res, err := codeintel.UploadsComplete(ctx, db, up.ID, worker)
	if err != nil {
		t.Fatal(err)
	}
	return up.ID, res
}

// Load writes entries of upload id through a BatchSink into a batch run of
// b and loads it.
func Load(t testing.TB, db *pgxpool.Pool, b bucket.Bucket, id int64, entries []lsif.DocEntry) {
	t.Helper()
	ctx := context.Background()
	run := batch.NewRun(b, "apidocstest", fmt.Sprintf("upload-%d", id))
	sink, err := codeintel.NewBatchSink(ctx, run, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if err := sink.DocEntry(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := run.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	l := &loader.Loader{DB: db, Bucket: b, Registry: batch.NewRegistry(codeintel.SinkKinds()...),
		Targets: append(codeintel.Targets(), apidocs.Targets()...)}
	if _, err := l.LoadRun(ctx, m); err != nil {
		t.Fatal(err)
	}
}

// Entry is a DocEntry in path at line with the name the last part of key.
func Entry(path string, line int32, kind, key, signature, detail string) lsif.DocEntry {
	name := key
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '.' {
			name = key[i+1:]
			break
		}
	}
	return lsif.DocEntry{Path: path, Range: lsif.Range{StartLine: line, EndLine: line, EndCharacter: int32(len(name))},
		Language: "typescript", Name: name, Kind: kind, SearchKey: key, Signature: signature, Detail: detail,
		Tags: []string{kind}}
}
