package insights_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/segmentio/ksuid"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// loadStates writes states as one run and loads it with the point targets.
func (e *pointsEnv) loadStates(states ...insights.AnswerState) {
	e.t.Helper()
	e.loadStatesOf(insights.AnswerStatesKind, func(b *batch.Builder, s insights.AnswerState) error {
		return insights.AppendAnswerState(b, s)
	}, states...)
}

// answerStatesV1 is the first version of the answer-states kind, without
// files (pinned in testdata/schemas, TestKindSchemas).
var (
	v1Series, v1Repo, v1Time = batch.Int64("series_id"), batch.Int64("repo_id"), batch.Time("time")
	v1Commit, v1Key, v1Point = batch.String("commit_oid"), batch.String("state_key"), batch.String("point")
	answerStatesV1           = batch.NewKind("answer-states", 1, v1Series, v1Repo, v1Time, v1Commit, v1Key, v1Point)
)

// loadStatesV1 loads states as a batch of the kind's first version, as a
// binary before files wrote them.
func (e *pointsEnv) loadStatesV1(states ...insights.AnswerState) {
	e.t.Helper()
	e.loadStatesOf(answerStatesV1, func(b *batch.Builder, s insights.AnswerState) error {
		v1Series.Append(b, s.SeriesID)
		v1Repo.Append(b, s.RepoID)
		v1Time.Append(b, s.Time)
		v1Commit.Append(b, s.Commit)
		v1Key.Append(b, s.Key)
		v1Point.Append(b, string(s.Point))
		return b.EndRow()
	}, states...)
}

func (e *pointsEnv) loadStatesOf(kind batch.Kind, appendState func(*batch.Builder, insights.AnswerState) error, states ...insights.AnswerState) {
	e.t.Helper()
	run := batch.NewRun(e.bucket, "run-searches", ksuid.New().String())
	w, err := run.Create(e.ctx, "states", kind)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, s := range states {
		if err := appendState(w.Builder(), s); err != nil {
			e.t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		e.t.Fatal(err)
	}
	m, err := run.Commit(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	if _, err := (&loader.Loader{DB: e.db, Bucket: e.bucket, Targets: insights.PointTargets()}).LoadRun(e.ctx, m); err != nil {
		e.t.Fatal(err)
	}
}

// TestAnswerStates checks which state a (series, repository) keeps: the
// newest sample time's, or one under a new key; and that a missing state
// is ErrNotFound.
func TestAnswerStates(t *testing.T) {
	t.Parallel()
	e := newPointsEnv(t)
	t1 := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	state := func(at time.Time, commit, key string) insights.AnswerState {
		return insights.AnswerState{SeriesID: e.series, RepoID: e.repoA, Time: at, Commit: commit, Key: key,
			Point: json.RawMessage(`{"Matches":` + commit[:1] + `}`)}
	}
	withFiles := func(s insights.AnswerState, files string) insights.AnswerState {
		s.Files = []byte(files)
		return s
	}
	get := func() string {
		t.Helper()
		s, err := insights.AnswerStateGet(e.ctx, e.db, e.series, e.repoA)
		if err != nil {
			t.Fatal(err)
		}
		var p struct{ Matches int }
		if err := json.Unmarshal(s.Point, &p); err != nil {
			t.Fatal(err)
		}
		got := s.Time.UTC().Format("2006-01-02") + " " + s.Commit + " " + s.Key
		if s.Files != nil {
			got += " files " + string(s.Files)
		}
		return got
	}
	if _, err := insights.AnswerStateGet(e.ctx, e.db, e.series, e.repoA); !errors.Is(err, insights.ErrNotFound) {
		t.Fatalf("no state: err = %v, want ErrNotFound", err)
	}
	steps := []struct {
		name   string
		states []insights.AnswerState
		want   string
	}{
		{"first", []insights.AnswerState{state(t1, "1aa", "k1")}, "2025-01-06 1aa k1"},
		{"newest of a batch", []insights.AnswerState{state(t1.AddDate(0, 0, 14), "3cc", "k1"), state(t1.AddDate(0, 0, 7), "2bb", "k1")}, "2025-01-20 3cc k1"},
		{"older is ignored", []insights.AnswerState{state(t1.AddDate(0, 0, 7), "2bb", "k1")}, "2025-01-20 3cc k1"},
		{"loaded again", []insights.AnswerState{state(t1.AddDate(0, 0, 14), "3cc", "k1")}, "2025-01-20 3cc k1"},
		{"new key replaces", []insights.AnswerState{state(t1, "1aa", "k2")}, "2025-01-06 1aa k2"},
		{"newer replaces", []insights.AnswerState{state(t1.AddDate(0, 0, 1), "4dd", "k2")}, "2025-01-07 4dd k2"},
		{"the same answer with files", []insights.AnswerState{withFiles(state(t1.AddDate(0, 0, 1), "4dd", "k2"), "\x00\xffa")}, "2025-01-07 4dd k2 files \x00\xffa"},
		{"the same answer without files", []insights.AnswerState{state(t1.AddDate(0, 0, 1), "4dd", "k2")}, "2025-01-07 4dd k2 files \x00\xffa"},
		{"with files first in a batch", []insights.AnswerState{state(t1.AddDate(0, 0, 2), "5ee", "k2"),
			withFiles(state(t1.AddDate(0, 0, 2), "5ee", "k2"), "b"), state(t1.AddDate(0, 0, 2), "5ee", "k2")}, "2025-01-08 5ee k2 files b"},
		{"newer without files", []insights.AnswerState{state(t1.AddDate(0, 0, 3), "6ff", "k2")}, "2025-01-09 6ff k2"},
		{"first version's batch", []insights.AnswerState{state(t1.AddDate(0, 0, 4), "7aa", "k2")}, "2025-01-10 7aa k2"},
	}
	for i, s := range steps {
		load := e.loadStates
		if i == len(steps)-1 {
			load = e.loadStatesV1
		}
		load(s.states...)
		if got := get(); got != s.want {
			t.Errorf("%s: state %q, want %q", s.name, got, s.want)
		}
	}
	if _, err := e.db.Exec(e.ctx, `DELETE FROM insight_series WHERE id = $1`, e.series); err != nil {
		t.Fatal(err)
	}
	if n := e.count("series_answer_states", "series_id = $1", e.series); n != 0 {
		t.Errorf("%d states left of a deleted series", n)
	}
}
