package insights_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/sightline-dev/sightline/sinks/insights"
)

func TestStatusGet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	st, err := insights.StatusGet(f.ctx, f.db, 0)
	if err != nil {
		t.Fatal(err)
	}
	if st.Backfills == nil || st.Queue == nil || st.Incomplete == nil {
		t.Errorf("empty status has nil lists: %+v", st)
	}

	a := f.repo("a", false)
	s1, s2, s3 := f.series("one", "search", 2), f.series("two", "search", 2), f.series("three", "search", 2)
	v := f.view(testView{uid: "debt", title: "Debt"})
	f.link(v, s1, "TODO", "", 0, week(0))
	f.link(v, s2, "FIXME", "", 1, week(0))
	gone := f.series("gone", "search", 2)
	f.exec(`UPDATE insight_series SET deleted_at = now() WHERE id = $1`, gone)

	open := f.id(`INSERT INTO backfills (series_id, state, repos_total, repos_done, repos_errored, started_at)
		VALUES ($1, 'processing', 8, 2, 1, now()) RETURNING id`, s1)
	fresh := f.id(`INSERT INTO backfills (series_id) VALUES ($1) RETURNING id`, s3)
	done := f.id(`INSERT INTO backfills (series_id, state, repos_total, repos_done, finished_at)
		VALUES ($1, 'completed', 4, 4, now()) RETURNING id`, s2)
	f.exec(`INSERT INTO backfills (series_id, state, finished_at, error) VALUES ($1, 'failed', now() - interval '1 day', 'too many errors')`, s2)
	for i, shard := range []struct {
		kind, state string
		tasks       int
	}{{"backfill", "queued", 5}, {"backfill", "queued", 7}, {"backfill", "completed", 3}, {"snapshot", "processing", 1}} {
		var bf *int64
		if shard.kind == "backfill" {
			bf = &open
		}
		f.exec(`INSERT INTO search_shards (kind, backfill_id, object_key, tasks, state) VALUES ($1, $2, $3, $4, $5)`,
			shard.kind, bf, "shard/"+string(rune('a'+i)), shard.tasks, shard.state)
	}
	f.incomplete(s1, week(0), a, "timeout", "")
	f.incomplete(s1, week(1), a, "timeout", "")
	f.incomplete(s2, week(1), 0, "timeout", "")
	f.incomplete(s1, week(1), 0, "error-limit", "")
	f.incomplete(gone, week(1), 0, "repo-error", "not counted: the series is deleted")

	st, err = insights.StatusGet(f.ctx, f.db, 1)
	if err != nil {
		t.Fatal(err)
	}
	ignore := cmpopts.IgnoreFields(insights.BackfillProgress{}, "CreatedAt", "StartedAt", "FinishedAt")
	wantBackfills := []insights.BackfillProgress{
		{ID: open, SeriesID: s1, Views: []string{"debt/TODO"}, State: "processing", ReposTotal: 8, ReposDone: 2,
			ReposErrored: 1, PercentDone: 25},
		{ID: fresh, SeriesID: s3, Views: []string{}, State: "new"},
		{ID: done, SeriesID: s2, Views: []string{"debt/FIXME"}, State: "completed", ReposTotal: 4, ReposDone: 4, PercentDone: 100},
	}
	if diff := cmp.Diff(wantBackfills, st.Backfills, ignore); diff != "" {
		t.Errorf("backfills (-want +got):\n%s", diff)
	}
	wantQueue := []insights.QueueDepth{
		{Kind: "backfill", State: "queued", Shards: 2, Tasks: 12},
		{Kind: "backfill", State: "completed", Shards: 1, Tasks: 3},
		{Kind: "snapshot", State: "processing", Shards: 1, Tasks: 1},
	}
	if diff := cmp.Diff(wantQueue, st.Queue, cmpopts.IgnoreFields(insights.QueueDepth{}, "Oldest")); diff != "" {
		t.Errorf("queue (-want +got):\n%s", diff)
	}
	for _, q := range st.Queue {
		if time.Since(q.Oldest) > time.Hour {
			t.Errorf("queue %s/%s oldest %v", q.Kind, q.State, q.Oldest)
		}
	}
	wantIncomplete := []insights.IncompleteCount{
		{Reason: "timeout", Points: 3, Series: 2, Repos: 1},
		{Reason: "error-limit", Points: 1, Series: 1, Repos: 0},
	}
	if diff := cmp.Diff(wantIncomplete, st.Incomplete); diff != "" {
		t.Errorf("incomplete (-want +got):\n%s", diff)
	}
}
