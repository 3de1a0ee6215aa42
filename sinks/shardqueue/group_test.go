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
	enqueue(t, db, shardqueue.Shard{ObjectKey: "same-repo-cheap", Priority: 100, Cost: 1, RepoIDs: []int64{1, 3}})
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
