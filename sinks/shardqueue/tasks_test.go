package shardqueue_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

func TestTasksRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := buckettest.NewFileBucket(t)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tasks := []shardqueue.Task{
		{SeriesID: 1, RepoID: 7, Times: []time.Time{t0, t0.AddDate(0, 0, 7), t0.AddDate(0, 0, 14)}, Commits: []string{"a", "a", "b"}},
		{SeriesID: 2, RepoID: 8, Times: []time.Time{t0}, Commits: []string{"c"}},
	}
	run := batch.NewRun(b, "plan-backfills", "run1")
	key, err := shardqueue.WriteTasks(ctx, run, "shard-1", tasks)
	if err != nil {
		t.Fatal(err)
	}
	got, err := shardqueue.ReadTasks(ctx, b, key)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(tasks, got); d != "" {
		t.Fatalf("round trip (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"a", "b"}, tasks[0].Distinct()); d != "" {
		t.Fatal(d)
	}
	bad := []shardqueue.Task{{SeriesID: 1, Times: []time.Time{t0}}}
	if _, err := shardqueue.WriteTasks(ctx, run, "shard-2", bad); err == nil {
		t.Fatal("a task with fewer commits than times was written")
	}
}

func TestPack(t *testing.T) {
	t.Parallel()
	task := func(commits ...string) shardqueue.Task {
		return shardqueue.Task{Times: make([]time.Time, len(commits)), Commits: commits}
	}
	tasks := []shardqueue.Task{task("a", "b"), task("c", "c", "c"), task("d", "e", "f", "g", "h"), task("i"), task("j")}
	shape := func(shards [][]shardqueue.Task) string {
		s := ""
		for _, sh := range shards {
			s += fmt.Sprint(len(sh), " ")
		}
		return s
	}
	for _, tc := range []struct {
		name   string
		limits shardqueue.Limits
		want   string
	}{
		{"defaults", shardqueue.Limits{}, "5 "},
		{"tasks", shardqueue.Limits{Tasks: 2}, "2 2 1 "},
		{"commits", shardqueue.Limits{Commits: 3}, "2 1 2 "},
		{"big task alone", shardqueue.Limits{Commits: 1}, "1 1 1 1 1 "},
	} {
		if got := shape(shardqueue.Pack(tasks, tc.limits)); got != tc.want {
			t.Errorf("%s: shard sizes %q, want %q", tc.name, got, tc.want)
		}
	}
}
