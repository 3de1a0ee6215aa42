package insights

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// AnswerState is the newest full answer run-searches computed for a
// (series, repository): what a later recording or snapshot continues from
// over the files changed since, rather than reading the tree. The store
// does not look into Point; run-searches writes the engine's point there.
type AnswerState struct {
	SeriesID int64
	RepoID   int64
	// Time is the sample time answered.
	Time   time.Time
	Commit string
	// Key identifies what the point depends on besides the commit (the
	// query, the engine's options and version): a state stored under
	// another key is not continued.
	Key string
	// Point is the answer, JSON.
	Point json.RawMessage
	// Files are the values of the files behind Point (engine.Files,
	// binary), or nil when they are not known.
	Files []byte
}

// The columns of AnswerStatesKind.
var (
	stateSeries = batch.Int64("series_id")
	stateRepo   = batch.Int64("repo_id")
	stateTime   = batch.Time("time")
	stateCommit = batch.String("commit_oid")
	stateKey    = batch.String("state_key")
	statePoint  = batch.String("point")
	stateFiles  = batch.String("files") // base64; "" when there are none
)

// AnswerStatesKind holds answer states for series_answer_states. Batches
// of it go in the run of the points they come with, loaded in the same
// transaction.
var AnswerStatesKind = batch.NewKind("answer-states", 2,
	stateSeries, stateRepo, stateTime, stateCommit, stateKey, statePoint, stateFiles)

// answerStatesV1 is the kind's first version, without files: batches
// written before it are still loaded.
var answerStatesV1 = batch.NewKind("answer-states", 1,
	batch.Int64("series_id"), batch.Int64("repo_id"), batch.Time("time"), batch.String("commit_oid"),
	batch.String("state_key"), batch.String("point"))

// AppendAnswerState appends s's row (AnswerStatesKind).
func AppendAnswerState(b *batch.Builder, s AnswerState) error {
	stateSeries.Append(b, s.SeriesID)
	stateRepo.Append(b, s.RepoID)
	stateTime.Append(b, s.Time)
	stateCommit.Append(b, s.Commit)
	stateKey.Append(b, s.Key)
	statePoint.Append(b, string(s.Point))
	stateFiles.Append(b, base64.StdEncoding.EncodeToString(s.Files))
	return b.EndRow()
}

// answerStatesTargets load AnswerStatesKind, and batches of its first
// version (no files). They keep, per (series, repository), the state of
// the newest sample time, or a state under a new key whatever its time
// (the old key's state can no longer be continued), or the same answer
// with its files where it had none; loading a batch again changes nothing.
// States of a series or repository deleted meanwhile are dropped (the
// points' load fails on them anyway).
func answerStatesTargets() []loader.Target {
	return []loader.Target{
		answerStatesTarget(AnswerStatesKind, "files text", "decode(s.files, 'base64')"),
		answerStatesTarget(answerStatesV1, "", "''::bytea"),
	}
}

// answerStatesTarget loads kind, whose staged column files (declared as
// filesCol, if any) gives the stored files through the expression files.
func answerStatesTarget(kind batch.Kind, filesCol, files string) loader.Target {
	table := fmt.Sprintf("stage_answer_states_v%d", kind.Version())
	if filesCol != "" {
		filesCol = ", " + filesCol
	}
	return loader.Target{
		Kind:  kind,
		Table: table,
		Prepare: fmt.Sprintf(`CREATE TEMP TABLE %s (series_id bigint, repo_id bigint, time timestamptz,
			commit_oid text, state_key text, point text%s) ON COMMIT DROP`, table, filesCol),
		Merge: fmt.Sprintf(`
			INSERT INTO series_answer_states AS a (series_id, repo_id, time, commit_oid, state_key, point, files)
			SELECT DISTINCT ON (s.series_id, s.repo_id) s.series_id, s.repo_id, s.time, s.commit_oid, s.state_key, s.point::jsonb,
				NULLIF(%[2]s, ''::bytea)
			FROM %[1]s s
			JOIN insight_series i ON i.id = s.series_id
			JOIN repos r ON r.id = s.repo_id
			ORDER BY s.series_id, s.repo_id, s.time DESC, length(%[2]s) DESC
			ON CONFLICT (series_id, repo_id) DO UPDATE
				SET time = EXCLUDED.time, commit_oid = EXCLUDED.commit_oid, state_key = EXCLUDED.state_key,
					point = EXCLUDED.point, files = EXCLUDED.files
				WHERE EXCLUDED.time > a.time OR EXCLUDED.state_key <> a.state_key
					OR (EXCLUDED.time = a.time AND EXCLUDED.commit_oid <> a.commit_oid)
					OR (EXCLUDED.time = a.time AND a.files IS NULL AND EXCLUDED.files IS NOT NULL)`, table, files),
	}
}

// AnswerStateGet returns the stored answer state of (seriesID, repoID), or
// an error wrapping ErrNotFound when there is none.
func AnswerStateGet(ctx context.Context, db *pgxpool.Pool, seriesID, repoID int64) (AnswerState, error) {
	s := AnswerState{SeriesID: seriesID, RepoID: repoID}
	var point []byte
	err := db.QueryRow(ctx, `SELECT time, commit_oid, state_key, point, files FROM series_answer_states
		WHERE series_id = $1 AND repo_id = $2`, seriesID, repoID).Scan(&s.Time, &s.Commit, &s.Key, &point, &s.Files)
	if errors.Is(err, pgx.ErrNoRows) {
		return AnswerState{}, fmt.Errorf("answer state of series %d in repository %d: %w", seriesID, repoID, ErrNotFound)
	}
	if err != nil {
		return AnswerState{}, fmt.Errorf("get answer state of series %d in repository %d: %w", seriesID, repoID, err)
	}
	s.Point = point
	return s, nil
}
