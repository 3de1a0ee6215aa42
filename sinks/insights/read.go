package insights

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultMaxIncomplete bounds the incomplete points ViewSeries lists when
// ReadOpts.MaxIncomplete is 0.
const DefaultMaxIncomplete = 1000

// ReadOpts selects the view ViewSeries reads and who reads it.
type ReadOpts struct {
	// ViewID is the view's unique id, or its numeric id.
	ViewID string
	// User is who reads: private repositories count only where User has a
	// grant (repo_grants), so a user nobody granted anything sees public
	// repositories only. It must be a user name (CheckUser) unless Admin
	// is set; "" is not an administrator.
	User string
	// Admin reads with no permission checks: every repository counts. User
	// must then be "".
	Admin bool
	// IncludeRepos and ExcludeRepos replace the view's default filters on
	// repository names when set (each list separately): a repository counts
	// if it matches any include regexp (or there is none) and no exclude
	// regexp. They are Postgres regular expressions (`~`), which agree with
	// Go's on the common syntax.
	IncludeRepos, ExcludeRepos []string
	// Now hides recording times after it (zero: no bound), so that a fixed
	// clock reads the past as it was.
	Now time.Time
	// MaxIncomplete bounds the incomplete points listed
	// (DefaultMaxIncomplete when 0); ViewResult.IncompleteTotal counts all.
	MaxIncomplete int
}

// ViewResult is a view's series as one user sees them.
type ViewResult struct {
	View ViewSummary
	// Series are sorted and limited as the view says.
	Series []ResultSeries
	// TotalSeries is how many series there were before the view's limit.
	TotalSeries int
	// Incomplete lists the points of the view's series, from the oldest time
	// shown on, that miss repositories (or are missing as a whole), oldest
	// first; at most ReadOpts.MaxIncomplete of IncompleteTotal.
	Incomplete      []ResultIncomplete
	IncompleteTotal int
}

// ViewSummary is what a read needs to know about a view.
type ViewSummary struct {
	ID            int64
	UniqueID      string
	Title         string
	Description   string
	Presentation  string // line or pie
	SortMode      string // result-count, lexicographical or date-added
	SortDirection string // asc or desc
	SeriesLimit   int
	// IncludeRepos and ExcludeRepos are the filters the read applied.
	IncludeRepos, ExcludeRepos []string
}

// ResultSeries is one line of a view: a data series, or one captured value
// of a capture-group, language-usage or group-by series.
type ResultSeries struct {
	SeriesID int64
	// Label is what to show: the view's label for the series when it is not
	// split by capture (Capture ""); for a split series, the captured value,
	// prefixed with "label: " when the view has several series, so that two
	// series capturing the same value stay apart.
	Label       string
	SeriesLabel string
	Capture     string
	// Color is the view's stroke for the series when it is not split ("" for
	// captured values, which a chart colours from its palette).
	Color string
	// Points has one point per recording time of the series, oldest first,
	// zero where no repository had a match; the newest snapshot, when newer
	// than the last recording, is the last point.
	Points []ResultPoint
}

// ResultPoint is the sum over the visible repositories at one time.
type ResultPoint struct {
	Time     time.Time
	Value    int64
	Snapshot bool
}

// ResultIncomplete is a point that lacks a repository's count (Repo), or
// every repository's (Repo "").
type ResultIncomplete struct {
	SeriesID    int64
	SeriesLabel string
	Time        time.Time
	Reason      string // timeout, repo-error, skipped-files or error-limit
	Repo        string
	Detail      string
}

// readLink is one live series of a view, with what sorting needs.
type readLink struct {
	seriesID  int64
	kind      Kind
	label     string
	stroke    string
	position  int
	addedAt   time.Time
	numPoints int
}

// readFilter decides which repositories count, in SQL (visibleRepo).
type readFilter struct {
	user             string
	admin            bool
	include, exclude []string
}

// visibleRepo is the condition on a joined repository r for a read to
// count it: registered, not private unless the reader is the administrator
// or the user has a grant, and passing the name filters. It is a plain
// predicate rather than a CTE so that the planner sees the repositories'
// real count.
const visibleRepo = `(r.deleted_at IS NULL
	  AND (NOT r.private OR @admin::boolean
	       OR EXISTS (SELECT 1 FROM repo_grants g WHERE g.repo_id = r.id AND g.user_name = @user))
	  AND (cardinality(@include::text[]) = 0 OR r.name ~ ANY (@include::text[]))
	  AND NOT (r.name ~ ANY (@exclude::text[])))`

func (f readFilter) args(a pgx.NamedArgs) pgx.NamedArgs {
	a["user"] = f.user
	a["admin"] = f.admin
	a["include"] = nonNilStrings(f.include)
	a["exclude"] = nonNilStrings(f.exclude)
	return a
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ViewSeries reads a view's series for one user: per series, the sum over
// the repositories the user may see and the filters keep, at each of its
// last num_points recording times (and the newest snapshot), zero-filled;
// split by captured value for capture-group, language-usage and group-by
// series; sorted and limited as the view says. Only the series kept by the
// limit have their points read: sorting needs one value per series.
//
// The points' primary key (series, repo, time, capture) makes each count
// appear once, and a snapshot counts only at its own time, after the last
// recording, so no deduplication is needed. Everything is read in one
// read-only repeatable-read transaction, a consistent picture while loads
// go on. An unknown or deleted view is ErrNotFound naming it; a bad filter
// regexp is an error naming the filters. A read that is neither Admin nor
// by a valid user name is refused before anything is read.
func ViewSeries(ctx context.Context, db *pgxpool.Pool, opts ReadOpts) (ViewResult, error) {
	if err := opts.checkReader(); err != nil {
		return ViewResult{}, err
	}
	var res ViewResult
	err := pgx.BeginTxFunc(ctx, db, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			var err error
			res, err = viewSeries(ctx, tx, opts)
			return err
		})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "2201B" { // invalid_regular_expression
		return ViewResult{}, fmt.Errorf("view %q: repository filters include %q exclude %q: %s",
			opts.ViewID, res.View.IncludeRepos, res.View.ExcludeRepos, pgErr.Message)
	}
	return res, err
}

// checkReader makes "who reads" explicit: an administrator, or a user.
func (o ReadOpts) checkReader() error {
	if o.Admin {
		if o.User != "" {
			return fmt.Errorf("view %q: read as administrator or as user %q, not both", o.ViewID, o.User)
		}
		return nil
	}
	if err := CheckUser(o.User); err != nil {
		return fmt.Errorf("view %q: %w (an administrator read must say so)", o.ViewID, err)
	}
	return nil
}

func viewSeries(ctx context.Context, tx pgx.Tx, opts ReadOpts) (ViewResult, error) {
	var res ViewResult
	// The queries take arrays whose sizes a cached generic plan cannot
	// know; Postgres would switch to one after a few reads.
	if _, err := tx.Exec(ctx, `SET LOCAL plan_cache_mode = force_custom_plan`); err != nil {
		return res, err
	}
	v, err := viewForRead(ctx, tx, opts.ViewID)
	if err != nil {
		return res, err
	}
	if opts.IncludeRepos != nil {
		v.IncludeRepos = opts.IncludeRepos
	}
	if opts.ExcludeRepos != nil {
		v.ExcludeRepos = opts.ExcludeRepos
	}
	res.View = v
	f := readFilter{user: opts.User, admin: opts.Admin, include: v.IncludeRepos, exclude: v.ExcludeRepos}
	links, err := viewLinks(ctx, tx, v.ID)
	if err != nil || len(links) == 0 {
		return res, err
	}
	ax, err := readAxes(ctx, tx, links, opts.Now)
	if err != nil {
		return res, err
	}
	cands, err := readCandidates(ctx, tx, links, ax, f)
	if err != nil {
		return res, err
	}
	sortCandidates(cands, v.SortMode, v.SortDirection)
	res.TotalSeries = len(cands)
	cands = cands[:min(len(cands), v.SeriesLimit)]
	if res.Series, err = readPoints(ctx, tx, cands, ax, f); err != nil {
		return res, err
	}
	limit := cmp.Or(opts.MaxIncomplete, DefaultMaxIncomplete)
	res.Incomplete, res.IncompleteTotal, err = readIncomplete(ctx, tx, incompleteQuery{links: links, ax: ax, f: f, now: opts.Now, limit: limit})
	return res, err
}

// viewForRead finds a live view by unique id or, failing that, numeric id.
func viewForRead(ctx context.Context, tx pgx.Tx, id string) (ViewSummary, error) {
	view, err := viewByRef(ctx, tx, id, false)
	if err != nil {
		return ViewSummary{}, err
	}
	v := ViewSummary{ID: view.ID, UniqueID: view.UniqueID, Title: view.Title, Description: view.Description,
		Presentation: view.Presentation, SortMode: view.SortMode, SortDirection: view.SortDirection,
		SeriesLimit: view.Limit}
	if view.IncludeRepos != "" {
		v.IncludeRepos = []string{view.IncludeRepos}
	}
	if view.ExcludeRepos != "" {
		v.ExcludeRepos = []string{view.ExcludeRepos}
	}
	return v, nil
}

// viewLinks returns the view's live series in view order.
func viewLinks(ctx context.Context, tx pgx.Tx, viewID int64) ([]readLink, error) {
	rows, err := tx.Query(ctx, `SELECT s.id, s.kind, vs.label, vs.stroke, vs.position, vs.added_at, s.num_points
		FROM insight_view_series vs JOIN insight_series s ON s.id = vs.series_id
		WHERE vs.view_id = $1 AND vs.deleted_at IS NULL AND s.deleted_at IS NULL
		ORDER BY vs.position, s.id`, viewID)
	if err != nil {
		return nil, fmt.Errorf("view %d series: %w", viewID, err)
	}
	links, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (readLink, error) {
		var l readLink
		err := row.Scan(&l.seriesID, &l.kind, &l.label, &l.stroke, &l.position, &l.addedAt, &l.numPoints)
		return l, err
	})
	if err != nil {
		return nil, fmt.Errorf("view %d series: %w", viewID, err)
	}
	return links, nil
}
