package insights

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// The columns of the point batch kinds, which share them. Each answered
// (series, repo, time) has one marker row, capture NULL, that says the key
// was computed — so that loading it deletes the captures that disappeared —
// and carries in skipped what was not searched; then one row per non-zero
// value.
var (
	pointSeries  = batch.Int64("series_id")
	pointRepo    = batch.Int64("repo_id")
	pointTime    = batch.Time("time")
	pointCapture = batch.String("capture").Nullable()
	pointValue   = batch.Int64("value")
	pointCommit  = batch.String("commit_oid")
	pointSkipped = batch.String("skipped").Nullable()
)

// PointsKind holds answers for series_points (backfills and recordings).
var PointsKind = batch.NewKind("series-points", 1,
	pointSeries, pointRepo, pointTime, pointCapture, pointValue, pointCommit, pointSkipped)

// SnapshotPointsKind holds answers for snapshot_points. Loading one
// replaces the series' previous snapshot.
var SnapshotPointsKind = batch.NewKind("snapshot-points", 1,
	pointSeries, pointRepo, pointTime, pointCapture, pointValue, pointCommit, pointSkipped)

// The columns of IncompleteKind; repo_id is null for a point of the whole
// series.
var (
	incompleteSeries = batch.Int64("series_id")
	incompleteRepo   = batch.Int64("repo_id").Nullable()
	incompleteTime   = batch.Time("time")
	incompleteReason = batch.String("reason")
	incompleteDetail = batch.String("detail")
)

// IncompleteKind holds incomplete points.
var IncompleteKind = batch.NewKind("incomplete-points", 1,
	incompleteSeries, incompleteRepo, incompleteTime, incompleteReason, incompleteDetail)

// Answer is a series' value in one repository at one sample time.
type Answer struct {
	SeriesID int64
	RepoID   int64
	Time     time.Time
	Commit   string
	// Values maps each capture to its value: "" for a plain search, the
	// captured value, language or group otherwise. Zero values are not
	// stored (reads zero-fill).
	Values map[string]int64
	// Skipped describes the files that were not searched and make the value
	// an undercount, e.g. "too-large=2"; "" when none. Loading records it as
	// a skipped-files incomplete point.
	Skipped string
}

// AppendAnswer appends a's rows (PointsKind or SnapshotPointsKind).
func AppendAnswer(b *batch.Builder, a Answer) error {
	if err := appendPointRow(b, a, nil, 0); err != nil {
		return err
	}
	for _, c := range slices.Sorted(maps.Keys(a.Values)) {
		if v := a.Values[c]; v != 0 {
			if err := appendPointRow(b, a, &c, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func appendPointRow(b *batch.Builder, a Answer, capture *string, value int64) error {
	pointSeries.Append(b, a.SeriesID)
	pointRepo.Append(b, a.RepoID)
	pointTime.Append(b, a.Time)
	appendNullable(b, pointCapture, capture)
	pointValue.Append(b, value)
	pointCommit.Append(b, a.Commit)
	var skipped *string
	if capture == nil && a.Skipped != "" {
		skipped = &a.Skipped
	}
	appendNullable(b, pointSkipped, skipped)
	return b.EndRow()
}

// AppendIncomplete appends p's row (IncompleteKind).
func AppendIncomplete(b *batch.Builder, p Incomplete) error {
	incompleteSeries.Append(b, p.SeriesID)
	incompleteRepo.AppendValid(b, p.RepoID, p.RepoID != 0)
	incompleteTime.Append(b, p.Time)
	incompleteReason.Append(b, string(p.Reason))
	incompleteDetail.Append(b, p.Detail)
	return b.EndRow()
}

func appendNullable(b *batch.Builder, c *batch.StringCol, s *string) {
	if s == nil {
		c.AppendNull(b)
		return
	}
	c.Append(b, *s)
}

// PointTargets are the load targets of the point and incomplete-point
// kinds. Every merge is idempotent: loading a batch again, or an older
// answer's batch after a newer one for the same keys, leaves the same rows.
func PointTargets() []loader.Target {
	return append([]loader.Target{
		{
			Kind:    PointsKind,
			Table:   "stage_series_points",
			Prepare: stageTable("stage_series_points"),
			Merge:   mergeAnswers("stage_series_points", "series_points"),
		},
		{
			Kind:    SnapshotPointsKind,
			Table:   "stage_snapshot_points",
			Prepare: stageTable("stage_snapshot_points"),
			Merge:   replaceSnapshots("stage_snapshot_points") + mergeAnswers("stage_snapshot_points", "snapshot_points"),
		},
		{
			Kind:  IncompleteKind,
			Table: "stage_incomplete_points",
			Prepare: `CREATE TEMP TABLE stage_incomplete_points (series_id bigint, repo_id bigint, time timestamptz,
				reason text, detail text) ON COMMIT DROP`,
			Merge: `
				INSERT INTO incomplete_points (series_id, time, repo_id, reason, detail)
				SELECT DISTINCT ON (series_id, time, repo_id, reason) series_id, time, repo_id, reason, detail
				FROM stage_incomplete_points
				ON CONFLICT ON CONSTRAINT incomplete_points_key DO UPDATE SET detail = EXCLUDED.detail`,
		},
	}, answerStatesTargets()...)
}

func stageTable(name string) string {
	return fmt.Sprintf(`CREATE TEMP TABLE %s (series_id bigint, repo_id bigint, time timestamptz, capture text,
		value bigint, commit_oid text, skipped text) ON COMMIT DROP`, name)
}

// mergeAnswers merges the answers staged in stage into table. An answer
// replaces what was stored for its (series, repo, time): captures it no
// longer has are deleted, others upserted; and it supersedes the
// per-repository incomplete points of that key (an earlier repo error, or
// skipped files), re-recording skipped files if it has some. The points
// tables have no foreign keys (migration 00007): the batch's series and
// repositories are checked and locked once, first; the answered keys are
// computed once, for both deletes.
func mergeAnswers(stage, table string) string {
	return checkRefs(stage) + strings.NewReplacer("{stage}", stage, "{table}", table).Replace(`
		WITH k AS (SELECT DISTINCT series_id, repo_id, time FROM {stage}),
		superseded AS (
			DELETE FROM incomplete_points i USING k
			WHERE i.series_id = k.series_id AND i.repo_id = k.repo_id AND i.time = k.time)
		DELETE FROM {table} p USING k
		WHERE p.series_id = k.series_id AND p.repo_id = k.repo_id AND p.time = k.time
			AND NOT EXISTS (SELECT 1 FROM {stage} s WHERE s.series_id = p.series_id AND s.repo_id = p.repo_id
				AND s.time = p.time AND s.capture = p.capture);
		INSERT INTO {table} (series_id, repo_id, time, capture, value, commit_oid)
		SELECT series_id, repo_id, time, capture, value, commit_oid FROM {stage} WHERE capture IS NOT NULL
		ON CONFLICT (series_id, repo_id, time, capture) DO UPDATE
			SET value = EXCLUDED.value, commit_oid = EXCLUDED.commit_oid
			WHERE ({table}.value, {table}.commit_oid) IS DISTINCT FROM (EXCLUDED.value, EXCLUDED.commit_oid);
		INSERT INTO incomplete_points (series_id, time, repo_id, reason, detail)
		SELECT series_id, time, repo_id, 'skipped-files', skipped FROM {stage}
		WHERE capture IS NULL AND skipped IS NOT NULL
		ON CONFLICT ON CONSTRAINT incomplete_points_key DO UPDATE SET detail = EXCLUDED.detail;`)
}

// checkRefs locks the series and repositories the points staged in stage
// refer to FOR KEY SHARE, as a foreign key would (a concurrent delete waits
// for the load, whose points its trigger then deletes), and fails the load
// if one of them no longer exists: fewer rows locked than ids staged. The
// stage is read once, for both id sets.
func checkRefs(stage string) string {
	return strings.ReplaceAll(`
		DO $$
		DECLARE
			series_ids bigint[];
			repo_ids bigint[];
			locked bigint;
		BEGIN
			SELECT array_agg(DISTINCT series_id), array_agg(DISTINCT repo_id) INTO series_ids, repo_ids FROM {stage};
			PERFORM FROM insight_series WHERE id = ANY(series_ids) ORDER BY id FOR KEY SHARE;
			GET DIAGNOSTICS locked = ROW_COUNT;
			IF locked < cardinality(series_ids) THEN
				RAISE EXCEPTION 'points of a series that no longer exists (deleted while it was searched)'
					USING ERRCODE = 'foreign_key_violation';
			END IF;
			PERFORM FROM repos WHERE id = ANY(repo_ids) ORDER BY id FOR KEY SHARE;
			GET DIAGNOSTICS locked = ROW_COUNT;
			IF locked < cardinality(repo_ids) THEN
				RAISE EXCEPTION 'points of a repository that no longer exists (removed while it was searched)'
					USING ERRCODE = 'foreign_key_violation';
			END IF;
		END
		$$;`, "{stage}", stage)
}

// replaceSnapshots makes the staged snapshot each series' only one: a
// snapshot older than the series' current one is dropped (a late retry
// must not roll it back); otherwise the previous snapshot's points,
// recording time and incomplete points go, in the transaction that adds
// the new ones.
func replaceSnapshots(stage string) string {
	return strings.ReplaceAll(`
		DELETE FROM {stage} s USING series_recording_times r
		WHERE r.series_id = s.series_id AND r.snapshot AND r.time > s.time;
		WITH k AS (SELECT DISTINCT series_id, time FROM {stage}),
		old AS (
			DELETE FROM series_recording_times r USING k
			WHERE r.series_id = k.series_id AND r.snapshot AND r.time <> k.time
			RETURNING r.series_id, r.time)
		DELETE FROM incomplete_points i USING old WHERE i.series_id = old.series_id AND i.time = old.time;
		DELETE FROM snapshot_points p USING (SELECT DISTINCT series_id, time FROM {stage}) k
		WHERE p.series_id = k.series_id AND p.time <> k.time;
		INSERT INTO series_recording_times (series_id, time, snapshot)
		SELECT DISTINCT series_id, time, true FROM {stage}
		ON CONFLICT (series_id, time) DO NOTHING;`, "{stage}", stage)
}
