package insights

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// seriesAxis is the times a read shows for one series, oldest first; the last
// one is the newest snapshot when snapshot is set.
type seriesAxis struct {
	times    []time.Time
	snapshot bool
}

// seriesAxes are the axes of each series of a view, by series id.
type seriesAxes map[int64]seriesAxis

// readAxes returns each series' last num_points recording times at or
// before now (zero: any), followed by its newest snapshot when that is
// newer. Snapshots replace each other, so only the newest one counts, even
// if an older one was left behind.
func readAxes(ctx context.Context, tx pgx.Tx, links []readLink, now time.Time) (seriesAxes, error) {
	ids := make([]int64, len(links))
	for i, l := range links {
		ids[i] = l.seriesID
	}
	var bound *time.Time
	if !now.IsZero() {
		bound = &now
	}
	rows, err := tx.Query(ctx, `
		SELECT rt.series_id, rt.time, false FROM (
			SELECT series_id, time, row_number() OVER (PARTITION BY series_id ORDER BY time DESC) AS n
			FROM series_recording_times
			WHERE series_id = ANY (@ids) AND NOT snapshot AND (@now::timestamptz IS NULL OR time <= @now)
		) rt JOIN insight_series s ON s.id = rt.series_id
		WHERE rt.n <= s.num_points
		UNION ALL
		SELECT series_id, max(time), true FROM (
			SELECT series_id, time FROM series_recording_times WHERE snapshot AND series_id = ANY (@ids)
			UNION ALL
			SELECT series_id, time FROM snapshot_points WHERE series_id = ANY (@ids)
		) snap
		WHERE @now::timestamptz IS NULL OR time <= @now
		GROUP BY series_id`, pgx.NamedArgs{"ids": ids, "now": bound})
	if err != nil {
		return nil, fmt.Errorf("read recording times: %w", err)
	}
	recorded := map[int64][]time.Time{}
	snaps := map[int64]time.Time{}
	var id int64
	var t time.Time
	var snap bool
	_, err = pgx.ForEachRow(rows, []any{&id, &t, &snap}, func() error {
		if snap {
			snaps[id] = t
		} else {
			recorded[id] = append(recorded[id], t)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read recording times: %w", err)
	}
	ax := seriesAxes{}
	for _, id := range ids {
		times := recorded[id]
		slices.SortFunc(times, time.Time.Compare)
		a := seriesAxis{times: times}
		if s, ok := snaps[id]; ok && (len(times) == 0 || s.After(times[len(times)-1])) {
			a.times, a.snapshot = append(a.times, s), true
		}
		ax[id] = a
	}
	return ax, nil
}

// seriesPoints selects (capture, time, value) of one series' points in
// visible repositories: recorded points at @times, snapshot points at
// @snapshot, of the captures {captures} selects. Each series is read on its
// own with plain array parameters, which the planner estimates well: with
// the axes as a joined table it misjudged a million rows as fifty and
// chose nested loops.
const seriesPoints = `
	SELECT p.capture, p.time, p.value FROM series_points p JOIN repos r ON r.id = p.repo_id
	WHERE p.series_id = @series AND p.time = ANY (@times::timestamptz[]) {captures} AND ` + visibleRepo + `
	UNION ALL
	SELECT p.capture, p.time, p.value FROM snapshot_points p JOIN repos r ON r.id = p.repo_id
	WHERE p.series_id = @series AND p.time = @snapshot::timestamptz {captures} AND ` + visibleRepo

// args returns the named arguments of a series' queries.
func (a seriesAxis) args(seriesID int64, f readFilter) pgx.NamedArgs {
	recorded := a.times
	var snapshot, latest *time.Time
	if n := len(a.times); n > 0 {
		latest = &a.times[n-1]
		if a.snapshot {
			recorded, snapshot = a.times[:n-1], latest
		}
	}
	return f.args(pgx.NamedArgs{"series": seriesID, "times": recorded, "snapshot": snapshot, "latest": latest})
}

// readCandidate is a series a view may show, before sorting and limiting.
type readCandidate struct {
	link    readLink
	capture string
	label   string
	latest  int64 // the value at the last time shown, for result-count
}

// splits reports whether a series kind has one line per captured value.
func splits(k Kind) bool { return k != KindSearch }

// readCandidates returns every line the view could show, with its latest
// value: one per plain series, one per captured value seen on the axis in a
// visible repository for the others. Postgres aggregates; one row per line
// comes back.
func readCandidates(ctx context.Context, tx pgx.Tx, links []readLink, ax seriesAxes, f readFilter) ([]readCandidate, error) {
	var out []readCandidate
	for _, l := range links {
		latest := map[string]int64{}
		if a := ax[l.seriesID]; len(a.times) > 0 {
			rows, err := tx.Query(ctx, `SELECT capture, coalesce(sum(value) FILTER (WHERE time = @latest), 0)::bigint
				FROM (`+strings.ReplaceAll(seriesPoints, "{captures}", "")+`) p GROUP BY capture`, a.args(l.seriesID, f))
			if err != nil {
				return nil, fmt.Errorf("read series %d values: %w", l.seriesID, err)
			}
			var capture string
			var v int64
			if _, err := pgx.ForEachRow(rows, []any{&capture, &v}, func() error {
				latest[capture] = v
				return nil
			}); err != nil {
				return nil, fmt.Errorf("read series %d values: %w", l.seriesID, err)
			}
		}
		if !splits(l.kind) {
			out = append(out, readCandidate{link: l, label: l.label, latest: latest[""]})
			continue
		}
		for capture, v := range latest {
			c := readCandidate{link: l, capture: capture, label: capture, latest: v}
			if capture == "" {
				c.label = l.label
			} else if len(links) > 1 {
				c.label = l.label + ": " + capture
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// readPoints reads the points of the chosen lines, zero-filled over their
// series' axes, in the order given: one query per series, for its chosen
// captures only.
func readPoints(ctx context.Context, tx pgx.Tx, cands []readCandidate, ax seriesAxes, f readFilter) ([]ResultSeries, error) {
	type key struct {
		capture string
		time    time.Time
	}
	captures := map[int64][]string{}
	var order []int64
	for _, c := range cands {
		if _, ok := captures[c.link.seriesID]; !ok {
			order = append(order, c.link.seriesID)
		}
		captures[c.link.seriesID] = append(captures[c.link.seriesID], c.capture)
	}
	sums := map[int64]map[key]int64{}
	for _, id := range order {
		sums[id] = map[key]int64{}
		a := ax[id]
		if len(a.times) == 0 {
			continue
		}
		args := a.args(id, f)
		args["captures"] = captures[id]
		rows, err := tx.Query(ctx, `SELECT capture, time, sum(value)::bigint FROM (`+
			strings.ReplaceAll(seriesPoints, "{captures}", "AND p.capture = ANY (@captures::text[])")+
			`) p GROUP BY capture, time`, args)
		if err != nil {
			return nil, fmt.Errorf("read series %d points: %w", id, err)
		}
		var k key
		var v int64
		if _, err := pgx.ForEachRow(rows, []any{&k.capture, &k.time, &v}, func() error {
			sums[id][key{k.capture, k.time.UTC()}] = v
			return nil
		}); err != nil {
			return nil, fmt.Errorf("read series %d points: %w", id, err)
		}
	}
	out := make([]ResultSeries, len(cands))
	for i, c := range cands {
		s := ResultSeries{SeriesID: c.link.seriesID, Label: c.label, SeriesLabel: c.link.label, Capture: c.capture}
		if !splits(c.link.kind) {
			s.Color = c.link.stroke
		}
		a := ax[c.link.seriesID]
		s.Points = make([]ResultPoint, len(a.times))
		for j, t := range a.times {
			s.Points[j] = ResultPoint{Time: t.UTC(), Value: sums[c.link.seriesID][key{c.capture, t.UTC()}],
				Snapshot: a.snapshot && j == len(a.times)-1}
		}
		out[i] = s
	}
	return out, nil
}

// incompleteQuery is what readIncomplete reads: the view's series (links)
// and their axes, the repository filter, now and the limit.
type incompleteQuery struct {
	links []readLink
	ax    seriesAxes
	f     readFilter
	now   time.Time
	limit int
}

// readIncomplete returns the incomplete points of the view's series at or
// after the oldest time shown (any time for a series with none yet) and
// not after now, in visible repositories or for every repository, oldest
// first, at most limit of them, and how many there are.
func readIncomplete(ctx context.Context, tx pgx.Tx, in incompleteQuery) ([]ResultIncomplete, int, error) {
	links, ax, f, now, limit := in.links, in.ax, in.f, in.now, in.limit
	ids := make([]int64, len(links))
	from := make([]time.Time, len(links))
	labels := map[int64]string{}
	for i, l := range links {
		ids[i] = l.seriesID
		from[i] = time.Unix(0, 0)
		if a := ax[l.seriesID]; len(a.times) > 0 {
			from[i] = a.times[0]
		}
		labels[l.seriesID] = l.label
	}
	var bound *time.Time
	if !now.IsZero() {
		bound = &now
	}
	args := f.args(pgx.NamedArgs{"ids": ids, "from": from, "now": bound, "limit": limit})
	rows, err := tx.Query(ctx, `
		SELECT i.series_id, i.time, i.reason, coalesce(r.name, ''), i.detail, count(*) OVER ()
		FROM incomplete_points i
		JOIN unnest(@ids::bigint[], @from::timestamptz[]) AS w (series_id, from_time) ON w.series_id = i.series_id
		LEFT JOIN repos r ON r.id = i.repo_id
		WHERE i.time >= w.from_time AND (@now::timestamptz IS NULL OR i.time <= @now)
		  AND (i.repo_id IS NULL OR `+visibleRepo+`)
		ORDER BY i.time, i.series_id, i.reason, r.name NULLS FIRST
		LIMIT @limit`, args)
	if err != nil {
		return nil, 0, fmt.Errorf("read incomplete points: %w", err)
	}
	var out []ResultIncomplete
	total := 0
	var p ResultIncomplete
	if _, err := pgx.ForEachRow(rows, []any{&p.SeriesID, &p.Time, &p.Reason, &p.Repo, &p.Detail, &total}, func() error {
		p.Time = p.Time.UTC()
		p.SeriesLabel = labels[p.SeriesID]
		out = append(out, p)
		return nil
	}); err != nil {
		return nil, 0, fmt.Errorf("read incomplete points: %w", err)
	}
	return out, total, nil
}
