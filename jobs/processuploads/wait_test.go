package processuploads_test

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

// TestProcessWaitsForCommit uploads for a commit its (local path)
// repository lacks: process-uploads leaves the upload queued without
// using an attempt, says why, waits longer as time goes by, and errors it
// once the run's clock passes the commit-wait deadline.
func TestProcessWaitsForCommit(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	repoID, _ := fixtureRepo(t, r, "shapes")
	missing := strings.Repeat("ab", 20)
	up := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: repoID, Commit: missing}, 0)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	job := &processuploads.Job{RetryAfter: -1}

	for _, at := range []time.Duration{0, time.Hour} {
		counts := runAt(t, r, job, t0.Add(at))
		got := get(t, r, up.ID)
		if got.State != codeintel.StateQueued || got.Attempts != 0 || counts["waiting"] != 1 || counts["retried"] != 0 {
			t.Fatalf("at +%s: upload is %s after %d attempts, counts %v; want queued, waiting, no attempt used", at, got.State, got.Attempts, counts)
		}
		if want := "commit " + missing + " is not in repository shapes"; !strings.Contains(got.WaitingReason, want) {
			t.Errorf("waiting reason %q, want %q", got.WaitingReason, want)
		}
		if got.WaitingSince == nil || !got.WaitingSince.Equal(t0) {
			t.Errorf("waiting since %v, want the first wait, %v", got.WaitingSince, t0)
		}
		if at == time.Hour {
			// An hour into the wait, the next try is a quarter of it away.
			var wait time.Duration
			if err := r.DB.QueryRow(context.Background(), `SELECT extract(epoch FROM process_after - now())::bigint * 1000000000
				FROM lsif_uploads WHERE id = $1`, up.ID).Scan(&wait); err != nil {
				t.Fatal(err)
			}
			if wait < 14*time.Minute || wait > 15*time.Minute {
				t.Errorf("next try in %s, want about 15m", wait)
			}
		}
	}
	counts := runAt(t, r, job, t0.Add(processuploads.DefaultCommitWait))
	got := get(t, r, up.ID)
	if got.State != codeintel.StateErrored || counts["errored"] != 1 || got.Attempts != 0 {
		t.Fatalf("past the deadline: upload is %s after %d attempts, counts %v; want errored", got.State, got.Attempts, counts)
	}
	for _, want := range []string{"commit " + missing + " is not in repository shapes", "after waiting since 2026-03-01 12:00:00 UTC",
		"commit-wait deadline (24h0m0s, SIGHTLINE_UPLOAD_COMMIT_WAIT)"} {
		if !strings.Contains(got.FailureMessage, want) {
			t.Errorf("failure message %q, want %q", got.FailureMessage, want)
		}
	}
}

// TestProcessFetchesPushedCommit registers a URL repository, syncs it,
// then pushes a commit and uploads for it: process-uploads fetches the
// repository's mirror and processes the upload. An upload for a commit
// the remote does not have either waits.
func TestProcessFetchesPushedCommit(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	ctx := context.Background()
	origin := gittest.New(t)
	files := lsiftest.Files(t, fixtures+"shapes")
	origin.Commit(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "first", map[string]string{"README": "x\n"})
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "shapes", URL: "file://" + origin.Dir}); err != nil {
		t.Fatal(err)
	}
	protocols, err := giturl.ParseProtocols("file")
	if err != nil {
		t.Fatal(err)
	}
	jobstest.MustRun(t, r, &syncrepos.Job{Protocols: protocols})
	pushed := origin.Commit(time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), "pushed after the sync", files)
	rp, err := repos.Get(ctx, r.DB, "shapes")
	if err != nil {
		t.Fatal(err)
	}
	good := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: rp.ID, Commit: pushed}, 0)
	never := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: rp.ID, Commit: strings.Repeat("cd", 20)}, 0)

	counts := jobstest.MustRun(t, r, &processuploads.Job{Protocols: protocols})
	if got := get(t, r, good.ID); got.State != codeintel.StateCompleted || got.Attempts != 1 {
		t.Errorf("upload for the pushed commit is %s after %d attempts (%s %s); want completed at once", got.State, got.Attempts, got.FailureMessage, got.WaitingReason)
	}
	got := get(t, r, never.ID)
	if got.State != codeintel.StateQueued || got.Attempts != 0 || !strings.Contains(got.WaitingReason, "even after a fetch: push it") {
		t.Errorf("upload for a commit nobody pushed is %s after %d attempts, waiting %q; want queued, waiting", got.State, got.Attempts, got.WaitingReason)
	}
	if counts["fetched"] < 1 || counts["completed"] != 1 || counts["waiting"] != 1 {
		t.Errorf("counts %v: want a fetch, one completed, one waiting", counts)
	}
}

// runAt runs job on r with the run's clock at now, once the queued
// uploads' next try is due (the queue's own clock is the database's).
func runAt(t *testing.T, r *jobs.Runner, job jobs.Job, now time.Time) jobs.Counts {
	t.Helper()
	if _, err := r.DB.Exec(context.Background(), `UPDATE lsif_uploads SET process_after = now() WHERE state = 'queued'`); err != nil {
		t.Fatal(err)
	}
	r.NowFunc = func() time.Time { return now }
	return jobstest.MustRun(t, r, job)
}

// TestProcessForgetsWaitOnceCommitArrives lets three uploads wait for a
// commit, then points their repository at a clone that has it: the one
// that completes, the one that errors (another project's dump) and the
// one requeued after a storage failure (its retry an hour away) all stop saying they wait, so
// `lsif uploads` shows no stale "waiting since" and a later wait starts
// its deadline afresh.
func TestProcessForgetsWaitOnceCommitArrives(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	ctx := context.Background()
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	without, with := gittest.New(t), gittest.New(t)
	without.Commit(at, "first", map[string]string{"README": "x\n"})
	commit := with.Commit(at, "fixture", lsiftest.Files(t, fixtures+"shapes"))
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "shapes", Path: without.Dir}); err != nil {
		t.Fatal(err)
	}
	rp, err := repos.Get(ctx, r.DB, "shapes")
	if err != nil {
		t.Fatal(err)
	}
	good := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: rp.ID, Commit: commit, Indexer: "a"}, 0)
	bad := upload(t, r, readFixture(t, "app.lsif.gz"), codeintel.UploadParams{RepoID: rp.ID, Commit: commit, Indexer: "b"}, 0)
	unread := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: rp.ID, Commit: commit, Indexer: "c"}, 0)
	job := &processuploads.Job{RetryAfter: -1}
	if counts := runAt(t, r, job, at); counts["waiting"] != 3 {
		t.Fatalf("counts %v: want the 3 uploads waiting", counts)
	}

	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "shapes", Path: with.Dir}); err != nil {
		t.Fatal(err)
	}
	r.Bucket = &unwritableBucket{Bucket: r.Bucket, id: unread.ID}
	job.RetryAfter = time.Hour
	runAt(t, r, job, at.Add(time.Hour))
	for _, c := range []struct {
		id   int64
		want codeintel.State
	}{{good.ID, codeintel.StateCompleted}, {bad.ID, codeintel.StateErrored}, {unread.ID, codeintel.StateQueued}} {
		got := get(t, r, c.id)
		if got.State != c.want {
			t.Errorf("upload %d is %s (%s), want %s", c.id, got.State, got.FailureMessage, c.want)
		}
		if got.WaitingReason != "" || got.WaitingSince != nil {
			t.Errorf("upload %d (%s) still waits since %v: %q; want the wait cleared", c.id, got.State, got.WaitingSince, got.WaitingReason)
		}
	}
}

// unwritableBucket fails every write of the batches of upload id, as a
// bucket that refuses writes for a while would. A batch run is named
// <job run>-<upload>-<claim> (batchRunID).
type unwritableBucket struct {
	bucket.Bucket
	id int64
}

func (b *unwritableBucket) Put(ctx context.Context, key string, r io.Reader) error {
	if run := strings.Split(key, "/"); len(run) > 2 && run[1] == processuploads.Name {
		if parts := strings.Split(run[2], "-"); len(parts) > 2 && parts[len(parts)-2] == strconv.FormatInt(b.id, 10) {
			return fmt.Errorf("put %s: %w", key, errReset)
		}
	}
	return b.Bucket.Put(ctx, key, r)
}
