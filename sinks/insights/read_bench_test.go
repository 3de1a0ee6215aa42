package insights_test

import (
	"testing"

	"github.com/sightline-dev/sightline/sinks/insights"
)

// BenchmarkViewSeries reads a capture-group view of 200 values (limit 20)
// over 52 weekly times and 300 repositories, a tenth of them private:
// 3.1M points, of which the read returns 20 × 52.
func BenchmarkViewSeries(b *testing.B) {
	f := newFixture(b)
	const repos, times, values = 300, 52, 200
	f.exec(`INSERT INTO repos (name, path, private)
		SELECT 'repo' || i, '/x/' || i, i % 10 = 0 FROM generate_series(1, $1) i`, repos)
	s := f.series("versions", "capture-group", times)
	f.link(f.view(testView{uid: "v", title: "V"}), s, "versions", "", 0, week(0))
	f.exec(`INSERT INTO series_recording_times (series_id, time)
		SELECT $1, $2::timestamptz + k * interval '1 week' FROM generate_series(0, $3 - 1) k`, s, week(0), times)
	f.exec(`INSERT INTO series_points (series_id, repo_id, time, capture, value, commit_oid)
		SELECT $1, r.id, t.time, 'v' || c, (r.id * c + extract(epoch FROM t.time)::bigint) % 7, 'c0ffee'
		FROM repos r, series_recording_times t, generate_series(1, $2) c
		WHERE t.series_id = $1 AND (r.id + c) % 3 = 0`, s, values)
	f.exec(`ANALYZE`)
	b.ResetTimer()
	for b.Loop() {
		res, err := insights.ViewSeries(f.ctx, f.db, insights.ReadOpts{ViewID: "v", User: "ann"})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Series) != 20 || len(res.Series[0].Points) != times {
			b.Fatalf("%d series", len(res.Series))
		}
	}
}
