package prune_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/repospec"
)

// TestPruneRemoved deletes for good the views, series and repositories
// removed longer ago than the retention, with their points, upload objects
// and (for a URL repository) mirror; a local repository's directory and
// everything removed recently or not at all stay.
func TestPruneRemoved(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	now := time.Now()
	old, recent := now.Add(-10*day), now.Add(-day)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := r.DB.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	localDir := t.TempDir()
	specs := []repos.Spec{
		{Name: "gone-url", URL: "https://example.com/gone.git"},
		{Name: "gone-path", Path: localDir},
		{Name: "recent", Path: t.TempDir()},
		{Name: "live", Path: t.TempDir()},
	}
	if err := repos.Upsert(ctx, r.DB, specs...); err != nil {
		t.Fatal(err)
	}
	mirror := repospec.MirrorDir(r.DataDir, "gone-url")
	if err := os.MkdirAll(mirror, 0o755); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE repos SET deleted_at = $1 WHERE name IN ('gone-url', 'gone-path')`, old)
	exec(`UPDATE repos SET deleted_at = $1 WHERE name = 'recent'`, recent)
	// A recent errored upload of the removed repository, its object kept.
	exec(`INSERT INTO lsif_uploads (repo_id, commit_oid, state, num_parts, object_key, finished_at)
		SELECT id, repeat('a', 40), 'errored', 1, 'u/of-gone', now() FROM repos WHERE name = 'gone-url'`)
	if err := r.Bucket.Put(ctx, "u/of-gone", strings.NewReader("dump")); err != nil {
		t.Fatal(err)
	}

	for i, deleted := range []*time.Time{&old, &recent, nil} {
		exec(`INSERT INTO insight_views (unique_id, title, deleted_at) VALUES ($1, $1, $2)`, []string{"old", "recent", "live"}[i], deleted)
		exec(`INSERT INTO insight_series (series_key, query, kind, repo_scope, interval_unit, interval_value, deleted_at)
			VALUES ($1, 'TODO', 'search', 'all', 'week', 1, $2)`, []string{"old", "recent", "live"}[i], deleted)
	}
	exec(`INSERT INTO insight_view_series (view_id, series_id, label, deleted_at)
		SELECT v.id, s.id, 'dropped', $1 FROM insight_views v, insight_series s WHERE v.title = 'live' AND s.series_key = 'live'`, old)
	exec(`INSERT INTO series_points (series_id, repo_id, time, value, commit_oid)
		SELECT s.id, r.id, now(), 1, 'c' FROM insight_series s, repos r`)

	want := counts(jobs.Counts{"removed_views": 1, "removed_view_series": 1, "removed_series": 1, "removed_repos": 2,
		"objects": 1})
	if d := cmp.Diff(want, pruneAt(t, r, now)); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	names := func(sql string) []string {
		t.Helper()
		rows, err := r.DB.Query(ctx, sql)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for sql, want := range map[string][]string{
		`SELECT name FROM repos ORDER BY name`:                      {"live", "recent"},
		`SELECT title FROM insight_views ORDER BY title`:            {"live", "recent"},
		`SELECT series_key FROM insight_series ORDER BY series_key`: {"live", "recent"},
		`SELECT label FROM insight_view_series`:                     {},
		`SELECT DISTINCT s.series_key || ' ' || r.name FROM series_points p
			JOIN insight_series s ON s.id = p.series_id JOIN repos r ON r.id = p.repo_id ORDER BY 1`: {"live live", "live recent", "recent live", "recent recent"},
		`SELECT count(*)::text FROM series_points`: {"4"},
		`SELECT object_key FROM lsif_uploads`:      {},
	} {
		if d := cmp.Diff(want, names(sql)); d != "" {
			t.Errorf("%s (-want +got):\n%s", sql, d)
		}
	}
	if _, err := os.Stat(mirror); !os.IsNotExist(err) {
		t.Errorf("mirror of the removed URL repository: %v, want it deleted", err)
	}
	if _, err := os.Stat(localDir); err != nil {
		t.Errorf("directory of the removed local repository: %v, want it left alone", err)
	}
	if got := objectKeys(t, r.Bucket, "u/"); len(got) != 0 {
		t.Errorf("upload objects left: %v", got)
	}
	if d := cmp.Diff(counts(nil), pruneAt(t, r, now)); d != "" {
		t.Errorf("second prune counts (-want +got):\n%s", d)
	}
}

// TestPruneRemovedMirrorsDoNotNest: a repository named like a path inside
// another's mirror (evil.git/hooks/x next to evil) has a mirror of its own;
// removing and pruning either leaves the other's mirror whole.
func TestPruneRemovedMirrorsDoNotNest(t *testing.T) {
	t.Parallel()
	for _, gone := range []string{"evil", "evil.git/hooks/x"} {
		t.Run(gone, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := jobstest.NewRunner(t)
			upstream := gittest.New(t)
			head := upstream.Commit(time.Now(), "first", map[string]string{"a": "a\n"})
			names := []string{"evil", "evil.git/hooks/x"}
			for _, name := range names {
				if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: name, URL: "https://example.com/" + name}); err != nil {
					t.Fatal(err)
				}
				opts := gitsource.MirrorOpts{Protocols: giturl.Protocols{giturl.File}}
				if _, err := gitsource.Mirror(ctx, upstream.Dir, repospec.MirrorDir(r.DataDir, name), opts); err != nil {
					t.Fatal(err)
				}
			}
			if err := repos.Remove(ctx, r.DB, gone); err != nil {
				t.Fatal(err)
			}
			if _, err := r.DB.Exec(ctx, `UPDATE repos SET deleted_at = now() - interval '30 days' WHERE name = $1`, gone); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(counts(jobs.Counts{"removed_repos": 1}), pruneAt(t, r, time.Now())); d != "" {
				t.Errorf("counts (-want +got):\n%s", d)
			}
			for _, name := range names {
				info, err := gitsource.Inspect(ctx, repospec.MirrorDir(r.DataDir, name))
				switch {
				case name == gone && err == nil:
					t.Errorf("the mirror of removed %s is still there", name)
				case name != gone && (err != nil || info.Head != head):
					t.Errorf("the mirror of registered %s: %+v, %v; want it whole at %s", name, info, err, head)
				}
			}
		})
	}
}
