package cli

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/insights"
)

func newInsightsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "insights list|show|delete|prioritize|backfill",
		Short: "List, show, delete and prioritize insight views; retry incomplete points",
		Long: `Insight views are created and updated with sightline apply -f FILE. These
commands list them with the state of their backfills, show one view's
settings and series, delete a view, move a view's backfills to the front of
the queue, and recompute a view's incomplete points (backfill --retry-incomplete).

A view is named by its id (the insight's id, or the ksuid apply gave it, as
sightline insights list shows) or its numeric id.`,
		Args: func(*cobra.Command, []string) error {
			return usageErrorf("insights: want a subcommand: list, show, delete, prioritize or backfill")
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newInsightsListCmd(a), newInsightsShowCmd(a), newInsightsDeleteCmd(a), newInsightsPrioritizeCmd(a),
		newInsightsBackfillCmd(a))
	return cmd
}

func checkTextJSON(format string) error {
	if format != "text" && format != "json" {
		return usageErrorf("--format: %q is not text or json", format)
	}
	return nil
}

func newInsightsListCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list [--format text|json]",
		Short: "List the insight views with the progress of their backfills",
		Long: `List the live insight views: id, title, number of series, and the state of
their backfills summed over the series: processing, new (waiting to be
planned or searched), failed or completed, with the repositories done out of
the total and how many errored.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkTextJSON(format); err != nil {
				return err
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			views, err := insights.ViewsList(cmd.Context(), db)
			if err != nil {
				return err
			}
			if format == "json" {
				out := make([]insightJSON, len(views))
				for i, v := range views {
					out[i] = toInsightJSON(v)
				}
				return writeJSON(a, out)
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "ID\tTITLE\tSERIES\tBACKFILL")
			for _, v := range views {
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", v.UniqueID, v.Title, len(v.Series), backfillSummary(v.BackfillState()))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// backfillSummary formats View.BackfillState: "processing 3/10 repos, 1 errored".
func backfillSummary(state string, done, total, errored int) string {
	if state == "" {
		return "-"
	}
	s := state
	if total > 0 {
		s += fmt.Sprintf(" %d/%d repos", done, total)
	}
	if errored > 0 {
		s += fmt.Sprintf(", %d errored", errored)
	}
	return s
}

func newInsightsShowCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "show ID [--format text|json]",
		Short: "Show a view's settings and its series with their backfills",
		Long: `Show one insight view: its settings as applied (scope, interval, points,
filters, sort, limit, source file) and each series with its data series id,
kind, query and backfill (state, repositories done, total and errored).
sightline series ID shows the points.`,
		Args: exactArgs(1, "one view id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkTextJSON(format); err != nil {
				return err
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			v, err := insights.ViewGet(cmd.Context(), db, args[0])
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(a, toInsightJSON(v))
			}
			return printInsight(a.stdout, v)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func printInsight(w io.Writer, v insights.View) error {
	tw := newTable(w)
	fmt.Fprintf(tw, "id:\t%s (view %d)\n", v.UniqueID, v.ID)
	fmt.Fprintf(tw, "title:\t%s\n", v.Title)
	if v.Description != "" {
		fmt.Fprintf(tw, "description:\t%s\n", oneLine(v.Description, 200))
	}
	fmt.Fprintf(tw, "presentation:\t%s\n", v.Presentation)
	if len(v.Series) > 0 {
		// Every series of a view has the insight's scope, interval and points.
		s := v.Series[0].Series
		fmt.Fprintf(tw, "scope:\t%s\n", scopeText(s))
		fmt.Fprintf(tw, "interval:\t%d %s × %d points\n", s.Interval.Value, s.Interval.Unit, s.NumPoints)
	}
	fmt.Fprintf(tw, "filters:\tinclude %s, exclude %s\n", dash(v.IncludeRepos), dash(v.ExcludeRepos))
	fmt.Fprintf(tw, "sort:\t%s %s, limit %d\n", v.SortMode, v.SortDirection, v.Limit)
	fmt.Fprintf(tw, "source:\t%s\n", dash(v.Source))
	fmt.Fprintf(tw, "updated:\t%s\n", v.UpdatedAt.UTC().Format(time.RFC3339))
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = newTable(w)
	fmt.Fprintln(tw, "SERIES\tLABEL\tKIND\tQUERY\tBACKFILL")
	for _, l := range v.Series {
		kind := string(l.Series.Kind)
		if l.Series.GroupBy != "" {
			kind += " by " + l.Series.GroupBy
		}
		bf := "-"
		if b := l.Backfill; b != nil {
			bf = fmt.Sprintf("%d %s", b.ID, backfillSummary(b.State, b.ReposDone, b.ReposTotal, b.ReposErrored))
			if b.Retry {
				bf += " (retry)"
			}
			if b.PrioritizedAt != nil && b.Open() {
				bf += " (prioritized)"
			}
			if b.Waiting != "" {
				bf += ", " + b.Waiting
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", l.Series.ID, l.Label, kind, dash(oneLine(l.Series.Query, 60)), bf)
	}
	return tw.Flush()
}

func scopeText(s insights.Series) string {
	switch s.Scope {
	case insights.ScopeList:
		return "repos " + strings.Join(s.Repos, ", ")
	case insights.ScopeCriteria:
		return "repos matching " + s.RepoCriteria
	}
	return "all repos"
}

// insightJSON is a view as insights list and show print it.
type insightJSON struct {
	ID            int64               `json:"id"`
	UniqueID      string              `json:"unique_id"`
	Title         string              `json:"title"`
	Description   string              `json:"description"`
	Presentation  string              `json:"presentation"`
	IncludeRepos  string              `json:"include_repos,omitempty"`
	ExcludeRepos  string              `json:"exclude_repos,omitempty"`
	SortMode      string              `json:"sort_mode"`
	SortDirection string              `json:"sort_direction"`
	Limit         int                 `json:"limit"`
	Source        string              `json:"source"`
	CreatedAt     time.Time           `json:"created_at"`
	UpdatedAt     time.Time           `json:"updated_at"`
	BackfillState string              `json:"backfill_state"`
	Series        []insightSeriesJSON `json:"series"`
}

type insightSeriesJSON struct {
	SeriesID     int64         `json:"series_id"`
	Label        string        `json:"label"`
	Stroke       string        `json:"stroke,omitempty"`
	Kind         string        `json:"kind"`
	GroupBy      string        `json:"group_by,omitempty"`
	Query        string        `json:"query"`
	Scope        string        `json:"scope"`
	Repos        []string      `json:"repos,omitempty"`
	RepoCriteria string        `json:"repo_criteria,omitempty"`
	Interval     string        `json:"interval"`
	Points       int           `json:"points"`
	Backfill     *backfillJSON `json:"backfill"`
}

type backfillJSON struct {
	ID            int64      `json:"id"`
	State         string     `json:"state"`
	ReposTotal    int        `json:"repos_total"`
	ReposDone     int        `json:"repos_done"`
	ReposErrored  int        `json:"repos_errored"`
	EstimatedCost *float64   `json:"estimated_cost"`
	PrioritizedAt *time.Time `json:"prioritized_at"`
	Error         string     `json:"error,omitempty"`
	Retry         bool       `json:"retry"`
	Waiting       string     `json:"waiting,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	StartedAt     *time.Time `json:"started_at"`
	FinishedAt    *time.Time `json:"finished_at"`
}

func toInsightJSON(v insights.View) insightJSON {
	state, _, _, _ := v.BackfillState()
	out := insightJSON{ID: v.ID, UniqueID: v.UniqueID, Title: v.Title, Description: v.Description,
		Presentation: v.Presentation, IncludeRepos: v.IncludeRepos, ExcludeRepos: v.ExcludeRepos,
		SortMode: v.SortMode, SortDirection: v.SortDirection, Limit: v.Limit, Source: v.Source,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, BackfillState: state, Series: []insightSeriesJSON{}}
	for _, l := range v.Series {
		s := l.Series
		sj := insightSeriesJSON{SeriesID: s.ID, Label: l.Label, Stroke: l.Stroke, Kind: string(s.Kind), GroupBy: s.GroupBy,
			Query: s.Query, Scope: string(s.Scope), Repos: s.Repos, RepoCriteria: s.RepoCriteria,
			Interval: fmt.Sprintf("%d %s", s.Interval.Value, s.Interval.Unit), Points: s.NumPoints}
		if b := l.Backfill; b != nil {
			sj.Backfill = &backfillJSON{ID: b.ID, State: b.State, ReposTotal: b.ReposTotal, ReposDone: b.ReposDone,
				ReposErrored: b.ReposErrored, EstimatedCost: b.EstimatedCost, PrioritizedAt: b.PrioritizedAt,
				Error: b.Error, Retry: b.Retry, Waiting: b.Waiting, CreatedAt: b.CreatedAt, StartedAt: b.StartedAt, FinishedAt: b.FinishedAt}
		}
		out.Series = append(out.Series, sj)
	}
	return out
}

func newInsightsDeleteCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "delete ID",
		Short: "Delete an insight view (and the series no other view shows)",
		Long: `Delete an insight view. Its series stop being computed unless another view
shows them; their points stay until pruned. Remove the insight from its file
too: otherwise the next apply brings it back (the same view when the insight
has an id, a new view when it has none).`,
		Args: exactArgs(1, "one view id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			res, err := insights.ViewDelete(cmd.Context(), db, args[0], a.now())
			if err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "deleted view %s %q", res.View.UniqueID, res.View.Title)
			if res.SeriesDeleted > 0 {
				fmt.Fprintf(a.stdout, "; %s no longer computed (points kept)", plural(res.SeriesDeleted, "data series"))
			}
			fmt.Fprintln(a.stdout)
			return nil
		},
	}
}

func newInsightsPrioritizeCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "prioritize ID|series:ID|backfill:ID",
		Short: "Move a view's unfinished backfills to the front of the queue",
		Long: `Raise the unfinished backfills of a view (every series), of one data series
(series:ID) or one backfill (backfill:ID) above all others: planning and
searching take prioritized backfills first. Finished backfills are left as
they are. IDs are those sightline insights show and sightline status print.`,
		Args: exactArgs(1, "one view id, series:ID or backfill:ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			bs, err := insights.BackfillPrioritize(cmd.Context(), db, args[0], a.now())
			if err != nil {
				return err
			}
			if len(bs) == 0 {
				fmt.Fprintf(a.stdout, "nothing to prioritize: every backfill of %s has finished\n", args[0])
				return nil
			}
			ids := make([]string, len(bs))
			for i, b := range bs {
				ids[i] = fmt.Sprintf("%d (series %d, %s)", b.ID, b.SeriesID, b.State)
			}
			fmt.Fprintf(a.stdout, "prioritized %s of %s: %s\n", plural(len(bs), "backfill"), args[0], strings.Join(ids, ", "))
			return nil
		},
	}
}
