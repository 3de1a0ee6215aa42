package runsearches_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestPassCacheIsScoped checks, by the bytes git sends, that run-searches
// keeps no blob results by default, and with Job.CacheBytes keeps them
// for a pass over one repository and no longer: repository one's a.go
// returns to its first content, which its pass then does not read again;
// repository two has the same a.go (the same blob), which its own pass
// reads although the other pass has its result (a cache kept for the
// whole run would serve it, and grow with every repository finished).
func TestPassCacheIsScoped(t *testing.T) {
	t.Parallel()
	const x, y = "// TODO a\n// TODO b\n", "// TODO only\n"
	for _, tc := range []struct {
		name       string
		cacheBytes int
		want       int
	}{
		{"default, no cache", 0, 3*len(x) + len(y)},
		{"a cache per pass", 1 << 20, 2*len(x) + len(y)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, now)
			one := gittest.New(t)
			one.Commit(day(2, 13), "x", map[string]string{"a.go": x})
			one.Commit(day(2, 20), "y", map[string]string{"a.go": y})
			one.Commit(day(2, 27), "x again", map[string]string{"a.go": x})
			two := gittest.New(t)
			two.Commit(day(2, 14), "x", map[string]string{"a.go": x})
			e.addRepo("one", one.Dir)
			e.addRepo("two", two.Dir)
			e.syncAndIndex()
			id, _ := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 3})
			e.run(&planbackfills.Job{})
			counts := e.run(&runsearches.Job{Concurrency: 1, CacheBytes: tc.cacheBytes})
			if counts["passes"] != 2 {
				t.Fatalf("counts %v: want one pass per repository", counts)
			}
			if counts["blob_bytes"] != int64(tc.want) {
				t.Errorf("git sent %d bytes of blobs, want %d", counts["blob_bytes"], tc.want)
			}
			got, _ := e.points("series_points", id)
			at := func(m time.Month, d int) time.Time { return time.Date(2024, m, d, 0, 0, 0, 0, time.UTC) }
			want := map[point]int64{
				{Repo: "one", Time: at(2, 19)}: 2, {Repo: "one", Time: at(2, 26)}: 1, {Repo: "one", Time: at(3, 4)}: 2,
				{Repo: "two", Time: at(2, 19)}: 2, {Repo: "two", Time: at(2, 26)}: 2, {Repo: "two", Time: at(3, 4)}: 2,
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("points (-want +got):\n%s", diff)
			}
		})
	}
}
