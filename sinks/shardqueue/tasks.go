package shardqueue

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// The columns of TasksKind. times and commits are parallel lists: the
// commit each sample time maps to.
var (
	taskSeries  = batch.Int64("series_id")
	taskRepo    = batch.Int64("repo_id")
	taskTimes   = batch.TimeList("times")
	taskCommits = batch.StringList("commits")
)

// TasksKind is a shard's payload: one row per task.
var TasksKind = batch.NewKind("search-tasks", 1, taskSeries, taskRepo, taskTimes, taskCommits)

var tasksRegistry = batch.NewRegistry(TasksKind)

// Task is one unit of search work: a series' value in one repository at
// sample times, each mapped to the commit the repository's default branch
// was at then. Times that map to the same commit share one evaluation.
type Task struct {
	SeriesID int64
	RepoID   int64
	// Times are the sample times, ascending, to the second.
	Times []time.Time
	// Commits[i] is the commit of Times[i].
	Commits []string
}

// Distinct returns the task's commits without repeats, in order of first
// appearance (history order, as times ascend): what an evaluation walks.
func (t Task) Distinct() []string {
	seen := make(map[string]bool, len(t.Commits))
	var out []string
	for _, c := range t.Commits {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}

// WriteTasks stores tasks as the batch name of run and returns its key, for
// a shard's ObjectKey.
func WriteTasks(ctx context.Context, run *batch.Run, name string, tasks []Task) (string, error) {
	w, err := run.Create(ctx, name, TasksKind)
	if err != nil {
		return "", err
	}
	defer w.Abort(nil)
	b := w.Builder()
	for _, t := range tasks {
		if len(t.Times) != len(t.Commits) {
			return "", fmt.Errorf("write tasks %q: task (series %d, repo %d) has %d times and %d commits",
				name, t.SeriesID, t.RepoID, len(t.Times), len(t.Commits))
		}
		taskSeries.Append(b, t.SeriesID)
		taskRepo.Append(b, t.RepoID)
		taskTimes.Append(b, t.Times)
		taskCommits.Append(b, t.Commits)
		if err := b.EndRow(); err != nil {
			return "", err
		}
	}
	info, err := w.Close()
	if err != nil {
		return "", err
	}
	return info.Key, nil
}

// ReadTasks reads the tasks stored at key. A missing object gives an error
// wrapping bucket.ErrNotExist.
func ReadTasks(ctx context.Context, b bucket.Bucket, key string) ([]Task, error) {
	r, err := batch.Open(ctx, b, key, tasksRegistry)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var out []Task
	for r.Next() {
		out = appendTasks(out, r.Record())
	}
	if err := r.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

func appendTasks(out []Task, rec arrow.Record) []Task {
	for i := range int(rec.NumRows()) {
		out = append(out, Task{
			SeriesID: taskSeries.Value(rec, i),
			RepoID:   taskRepo.Value(rec, i),
			Times:    taskTimes.Value(rec, i),
			Commits:  taskCommits.Value(rec, i),
		})
	}
	return out
}

// Limits bound a shard: a run-searches worker yields to higher-priority
// work between shards, so a shard should be minutes of work at most.
type Limits struct {
	// Tasks is the most tasks (repositories) in a shard; 0 means
	// DefaultShardTasks.
	Tasks int
	// Commits is the most distinct commits, summed over the tasks, in a
	// shard; 0 means DefaultShardCommits. A task with more commits than
	// that gets a shard of its own.
	Commits int
}

// Shard size defaults.
const (
	DefaultShardTasks   = 50
	DefaultShardCommits = 500
)

// Pack splits tasks, in order, into shards within limits.
func Pack(tasks []Task, limits Limits) [][]Task {
	maxTasks := limits.Tasks
	if maxTasks <= 0 {
		maxTasks = DefaultShardTasks
	}
	maxCommits := limits.Commits
	if maxCommits <= 0 {
		maxCommits = DefaultShardCommits
	}
	var (
		out     [][]Task
		cur     []Task
		commits int
	)
	for _, t := range tasks {
		n := len(t.Distinct())
		if len(cur) > 0 && (len(cur) >= maxTasks || commits+n > maxCommits) {
			out = append(out, cur)
			cur, commits = nil, 0
		}
		cur = append(cur, t)
		commits += n
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}
