package shardqueue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

func claimGroup(t *testing.T, db shardqueue.DB, worker string, opts shardqueue.GroupOpts) []string {
	t.Helper()
	shards, err := shardqueue.ClaimGroup(context.Background(), db, worker, opts)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, s := range shards {
		if s.State != shardqueue.StateProcessing || s.ClaimedBy != worker || s.Attempts != 1 {
			t.Errorf("claimed %s: state %s, by %q, attempts %d", s.ObjectKey, s.State, s.ClaimedBy, s.Attempts)
		}
		keys = append(keys, s.ObjectKey)
	}
	return keys
}

// TestClaimGroup checks which shards join a lead: the ready queued shards
// sharing one of its repositories, of any kind, series or backfill, by
// priority, up to the limit; never a shard of other repositories only, a
// shard not ready yet, or one queued before repositories were recorded.
func TestClaimGroup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	enqueue(t, db, shardqueue.Shard{ObjectKey: "lead", Priority: 0, RepoIDs: []int64{1, 2}})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "same-repo-dear", Priority: 100, Cost: 9, RepoIDs: []int64{2}})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "same-repo-cheap", Priority: 100, Cost: 1, RepoIDs: []int64{1}})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "snapshot", Kind: shardqueue.KindSnapshot, Priority: 10, RepoIDs: []int64{1}})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "other-repo", Priority: 0, RepoIDs: []int64{3}})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "no-repos", Priority: 0})
	later := enqueue(t, db, shardqueue.Shard{ObjectKey: "later", Priority: 0, RepoIDs: []int64{1}})
	if _, err := db.Exec(ctx, `UPDATE search_shards SET process_after = now() + interval '1 hour' WHERE id = $1`, later); err != nil {
		t.Fatal(err)
	}

	got := claimGroup(t, db, "w", shardqueue.GroupOpts{Shards: 3})
	if d := cmp.Diff([]string{"lead", "snapshot", "same-repo-cheap"}, got); d != "" {
		t.Fatalf("first group (-want +got):\n%s", d)
	}
	got = claimGroup(t, db, "w", shardqueue.GroupOpts{})
	if d := cmp.Diff([]string{"other-repo"}, got); d != "" {
		t.Fatalf("second group (-want +got):\n%s", d)
	}
	got = claimGroup(t, db, "w", shardqueue.GroupOpts{})
	if d := cmp.Diff([]string{"no-repos"}, got); d != "" {
		t.Fatalf("third group: a shard without repositories is claimed alone (-want +got):\n%s", d)
	}
	got = claimGroup(t, db, "w", shardqueue.GroupOpts{})
	if d := cmp.Diff([]string{"same-repo-dear"}, got); d != "" {
		t.Fatalf("fourth group (-want +got):\n%s", d)
	}
	if got := claimGroup(t, db, "w", shardqueue.GroupOpts{}); got != nil {
		t.Fatalf("claimed %v with nothing ready", got)
	}
}

// TestClaimGroupPrioritizedOnlyItsRepositories prioritizes a backfill
// over repository 1 (insights prioritize, then PromotePrioritized) while
// a backfill over repositories 1 and 2 and a recording over 1 and 3 are
// queued: the prioritized shard is claimed first, with the less urgent
// shards over repository 1 alone, so that no other repository delays it;
// a shard as urgent as the lead may still bring its other repositories.
// The shards left out group as before once they lead.
func TestClaimGroupPrioritizedOnlyItsRepositories(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	plain, raised, raisedToo := backfill(t, db, "plain", false), backfill(t, db, "raised", true), backfill(t, db, "raised-too", true)
	shard := func(key string, bf int64, cost float64, repos ...int64) {
		enqueue(t, db, shardqueue.Shard{ObjectKey: key, Kind: shardqueue.KindBackfill, BackfillID: bf,
			Priority: shardqueue.PriorityBackfill, Cost: cost, RepoIDs: repos})
	}
	shard("wide-backfill", plain, 1, 1, 2)
	enqueue(t, db, shardqueue.Shard{ObjectKey: "wide-recording", Priority: shardqueue.PriorityForward, RepoIDs: []int64{1, 3}})
	shard("narrow-backfill", plain, 2, 1)
	shard("prioritized", raised, 50, 1)
	shard("prioritized-too", raisedToo, 60, 1, 4)
	if n, err := shardqueue.PromotePrioritized(ctx, db); err != nil || n != 2 {
		t.Fatalf("promote = %d, %v; want 2", n, err)
	}

	got := claimGroup(t, db, "w", shardqueue.GroupOpts{})
	if d := cmp.Diff([]string{"prioritized", "prioritized-too", "narrow-backfill"}, got); d != "" {
		t.Fatalf("prioritized group (-want +got):\n%s", d)
	}
	got = claimGroup(t, db, "w", shardqueue.GroupOpts{})
	if d := cmp.Diff([]string{"wide-recording"}, got); d != "" {
		t.Fatalf("recording group: the backfill over repository 2 waits (-want +got):\n%s", d)
	}
	got = claimGroup(t, db, "w", shardqueue.GroupOpts{})
	if d := cmp.Diff([]string{"wide-backfill"}, got); d != "" {
		t.Fatalf("last group (-want +got):\n%s", d)
	}
}

// backfill inserts a processing backfill of a new series named key,
// prioritized (as insights prioritize does) or not, and returns its id.
func backfill(t *testing.T, db shardqueue.DB, key string, prioritized bool) int64 {
	t.Helper()
	var id int64
	err := db.QueryRow(context.Background(), `
		WITH s AS (INSERT INTO insight_series (series_key, query, kind, repo_scope, interval_unit, interval_value)
			VALUES ($1, 'x', 'search', 'all', 'day', 1) RETURNING id)
		INSERT INTO backfills (series_id, state, prioritized_at) SELECT id, 'processing', CASE WHEN $2 THEN now() END FROM s
		RETURNING id`, key, prioritized).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestClaimGroupConcurrentClaimersNeverShare has claimers race for shards
// that all share repositories: every shard is claimed once.
func TestClaimGroupConcurrentClaimersNeverShare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	const shards, workers = 90, 6
	for i := range shards {
		enqueue(t, db, shardqueue.Shard{ObjectKey: fmt.Sprint("k", i), Priority: i % 3, RepoIDs: []int64{int64(i % 4), 9}})
	}
	var (
		mu      sync.Mutex
		claimed = map[int64]string{}
		wg      sync.WaitGroup
		errs    = make(chan error, workers)
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker := fmt.Sprint("w", w)
			for {
				group, err := shardqueue.ClaimGroup(ctx, db, worker, shardqueue.GroupOpts{Shards: 4})
				if err != nil || len(group) == 0 {
					errs <- err
					return
				}
				for _, s := range group {
					mu.Lock()
					prev, dup := claimed[s.ID]
					claimed[s.ID] = worker
					mu.Unlock()
					if dup {
						errs <- fmt.Errorf("shard %d claimed by %s and %s", s.ID, prev, worker)
						return
					}
					if err := shardqueue.Complete(ctx, db, s.ID, worker); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(claimed) != shards {
		t.Fatalf("%d shards claimed, want %d", len(claimed), shards)
	}
}

// TestHeartbeatGroup renews a group's claims and reports a lost one.
func TestHeartbeatGroup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	a := enqueue(t, db, shardqueue.Shard{ObjectKey: "a", RepoIDs: []int64{1}})
	b := enqueue(t, db, shardqueue.Shard{ObjectKey: "b", RepoIDs: []int64{1}})
	if got := claimGroup(t, db, "w", shardqueue.GroupOpts{}); len(got) != 2 {
		t.Fatalf("claimed %v, want both", got)
	}
	if err := shardqueue.HeartbeatGroup(ctx, db, []int64{a, b}, "w"); err != nil {
		t.Fatal(err)
	}
	if err := shardqueue.Release(ctx, db, b, "w"); err != nil {
		t.Fatal(err)
	}
	if err := shardqueue.HeartbeatGroup(ctx, db, []int64{a, b}, "w"); !errors.Is(err, shardqueue.ErrLost) {
		t.Fatalf("heartbeat with a shard released: %v, want ErrLost", err)
	}
}
