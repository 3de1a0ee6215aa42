package processuploads_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// batchListings matches the listings of process-uploads' batches: the
// cleanup of an attempt lists its batch run to delete it.
func batchListings(r *http.Request) bool {
	return r.Method == http.MethodGet && mentionsBatches(r) && strings.Contains(r.URL.RawQuery, "prefix=")
}

// loadThenCleanupFails returns a match for Faults.FailIf that breaks the
// first attempt at an upload twice: its reads of the batch named failAt
// fail (the batches before it in the manifest are loaded by then, so the
// attempt fails half-loaded), and then so does the listing its cleanup
// deletes the batches by (so the cleanup stops before it forgets their
// load-ledger rows). Once the next attempt writes a batch, nothing fails.
// Faults calls it under its lock.
func loadThenCleanupFails(failAt string) func(*http.Request) bool {
	const (
		loading = iota
		cleaning
		retrying
	)
	phase := loading
	return func(r *http.Request) bool {
		writes := mentionsBatches(r) && (r.Method == http.MethodPut || r.Method == http.MethodPost)
		switch {
		case phase == loading && batchListings(r):
			phase = cleaning
		case phase == cleaning && writes:
			phase = retrying
		}
		switch phase {
		case loading:
			return batchReads(r) && strings.Contains(r.URL.String(), failAt)
		case cleaning:
			return batchListings(r)
		}
		return false
	}
}

// TestProcessRetryAfterFailedCleanup is the data loss the soak test found:
// an attempt loads some of its batches, fails, and its cleanup cannot list
// the batches, so their load-ledger rows stay. The retry, in the same job
// run, deletes the upload's rows first and must then load every batch
// again, not skip those the stale ledger rows name: the upload completes
// with exactly the rows a fault-free processing of the same dump loads.
func TestProcessRetryAfterFailedCleanup(t *testing.T) {
	t.Parallel()
	clean := jobstest.NewRunner(t)
	cleanID := uploadApp(t, clean)
	jobstest.MustRun(t, clean, &processuploads.Job{})
	want := rowCounts(t, clean, cleanID)
	for _, p := range faultyProviders {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			r := jobstest.NewRunner(t)
			b, faults := p.open(t)
			r.Bucket = b
			id := uploadApp(t, r)
			// One batch at a time, in manifest order (codeintel.Kinds):
			// the first two kinds' batches load, then the third's read
			// fails.
			faults.FailIf(1<<40, http.StatusServiceUnavailable, loadThenCleanupFails(codeintel.Kinds[2].Name()))
			counts := jobstest.MustRun(t, r, &processuploads.Job{RetryAfter: -1, LoadConcurrency: 1})
			got := get(t, r, id)
			if got.State != codeintel.StateCompleted {
				t.Fatalf("upload is %s (%q), counts %v; want completed", got.State, got.FailureMessage, counts)
			}
			if diff := cmp.Diff(want, rowCounts(t, r, id)); diff != "" {
				t.Errorf("rows of the completed upload differ from a fault-free processing (-want +got):\n%s", diff)
			}
			if counts["transient"] != 1 || counts["completed"] != 1 {
				t.Errorf("counts %v; want one failed attempt, then completed", counts)
			}
			// The failed attempt's two loaded batches stay in the ledger
			// (prune collects them with the batches): proof that its
			// cleanup failed as intended.
			var stale int
			if err := r.DB.QueryRow(context.Background(), `SELECT count(*) FROM loaded_batches WHERE job = $1`,
				processuploads.Name).Scan(&stale); err != nil || stale != 2 {
				t.Errorf("%d load-ledger rows left, %v; want the 2 of the failed attempt, whose cleanup failed", stale, err)
			}
		})
	}
}

// TestProcessRefusesMissingRows loses one document row of the first attempt
// behind the loader's back (a statement trigger deletes it once the COPY
// is done, so the loader's own count matches): the upload must not
// complete with the row missing. The check before completion fails the
// attempt as a storage hiccup, naming the table, and the retry completes
// the upload with every row.
func TestProcessRefusesMissingRows(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clean := jobstest.NewRunner(t)
	cleanID := uploadApp(t, clean)
	jobstest.MustRun(t, clean, &processuploads.Job{})
	want := rowCounts(t, clean, cleanID)

	r := jobstest.NewRunner(t)
	id := uploadApp(t, r)
	if _, err := r.DB.Exec(ctx, `
		CREATE TABLE lost_once ();
		CREATE FUNCTION lose_a_document() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF NOT EXISTS (SELECT FROM lost_once) THEN
				INSERT INTO lost_once DEFAULT VALUES;
				DELETE FROM lsif_documents WHERE ctid = (SELECT ctid FROM lsif_documents LIMIT 1);
			END IF;
			RETURN NULL;
		END $$;
		CREATE TRIGGER lose_a_document AFTER INSERT ON lsif_documents FOR EACH STATEMENT EXECUTE FUNCTION lose_a_document()`); err != nil {
		t.Fatal(err)
	}
	counts := jobstest.MustRun(t, r, &processuploads.Job{RetryAfter: -1})
	got := get(t, r, id)
	if got.State != codeintel.StateCompleted {
		t.Fatalf("upload is %s (%q), counts %v; want completed", got.State, got.FailureMessage, counts)
	}
	if diff := cmp.Diff(want, rowCounts(t, r, id)); diff != "" {
		t.Errorf("rows of the completed upload differ from a fault-free processing (-want +got):\n%s", diff)
	}
	wantErr := fmt.Sprintf("lsif_documents has %d, the batches %d", want["lsif_documents"]-1, want["lsif_documents"])
	if counts["transient"] != 1 || got.Attempts != 1 || !strings.Contains(got.LastTransientError, wantErr) {
		t.Errorf("counts %v, attempts %d, last transient error %q; want one transient failure saying %q",
			counts, got.Attempts, got.LastTransientError, wantErr)
	}
}

// uploadApp uploads the app fixture (lsif-tsc, with packages and package
// references) and returns its id.
func uploadApp(t *testing.T, r *jobs.Runner) int64 {
	t.Helper()
	repoID, commit := fixtureRepo(t, r, "app")
	return upload(t, r, readFixture(t, "app.lsif.gz"), codeintel.UploadParams{RepoID: repoID, Commit: commit, Indexer: "lsif-tsc"}, 0).ID
}
