package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

func newApplyCmd(a *app) *cobra.Command {
	var (
		file  string
		check bool
	)
	cmd := &cobra.Command{
		Use:   "apply -f FILE [--check]",
		Short: "Create or update repositories and insights from an insights file",
		Long: `Apply an insights file: register (or update) the repositories it declares,
create or update each insight's view and its series, and queue a backfill
for every series that is new. Everything happens in one transaction, and
applying the same file twice changes nothing.

The file format is documented in ops/examples/insights.yaml. In short: an
insight has a title, an optional stable id, a presentation (line or pie), a
repository scope (repos: [NAMES], repo_criteria: REGEXP or all_repos: true),
an interval (1w, 7d, 1mo, {unit: week, value: 1}, …), a number of points
(default 12), default repository filters, a sort and limit for capture
groups, and series (label, query, color, kind: search, capture-group,
language-usage or group-by with group_by: repo, lang or path).

Identity: an insight with an id updates the view with that id (restoring it
if deleted); without an id, the live view with the same title, else a new
view. Renaming an insight without an id therefore makes a new view.

Removing a series from an insight unlinks it from the view, and a series no
view shows any more is no longer computed. Insights removed from the file are
left alone: sightline insights delete ID removes a view.

Series with the same query, kind, scope, interval and points share one data
series, computed once, however many views show them.

Every mistake in the file (bad YAML, unknown keys, bad queries or intervals,
repositories that are neither registered nor declared) is listed with its
file, line, insight and field, and nothing is written (exit code 2).
--check validates the file without a database.`,
		Args: exactArgs(0, "no arguments (the file is given with -f FILE)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f, err := parseInsightsFile(cmd.Context(), file, a.gitProtocols)
			if err != nil {
				return err
			}
			if check {
				n := 0
				for _, in := range f.Insights {
					n += len(in.Series)
				}
				fmt.Fprintf(a.stdout, "%s: ok (%d repositories, %d insights, %d series)\n", file, len(f.Repos), len(f.Insights), n)
				return nil
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			res, err := insights.Apply(cmd.Context(), db, f, a.now())
			var es insightspec.Errors
			if errors.As(err, &es) {
				return &usageError{msg: es.Error()}
			}
			if err != nil {
				return err
			}
			printApplied(a, file, res)
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the insights file (YAML)")
	cmd.Flags().BoolVar(&check, "check", false, "only validate the file (no database needed)")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

// parseInsightsFile reads and validates path, and checks that the local
// repositories it declares are git repositories and that its URL
// repositories use allowed transports. Mistakes are usage errors listing
// every problem.
func parseInsightsFile(ctx context.Context, path string, protocols giturl.Protocols) (*insightspec.File, error) {
	f, err := insightspec.Parse(path)
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	var es insightspec.Errors
	for i, r := range f.Repos {
		if err := r.CheckProtocols(protocols); err != nil {
			es = append(es, &insightspec.Error{File: path, Field: fmt.Sprintf("repos[%d]", i), Msg: err.Error()})
		}
		if r.Path == "" {
			continue
		}
		if _, err := gitsource.Inspect(ctx, r.Path); err != nil {
			es = append(es, &insightspec.Error{File: path, Field: fmt.Sprintf("repos[%d]", i),
				Msg: fmt.Sprintf("%v (path is relative to the file)", err)})
		}
	}
	if len(es) > 0 {
		return nil, &usageError{msg: es.Error()}
	}
	return f, nil
}

// printApplied prints one line per view and a summary.
func printApplied(a *app, file string, res insights.ApplyResult) {
	for _, v := range res.Views {
		line := fmt.Sprintf("view %s %q: %s", v.UniqueID, v.Title, v.Status)
		if s := counts("series", []int{v.SeriesAdded, v.SeriesRemoved, v.SeriesUpdated},
			"added", "removed", "changed"); s != "" {
			line += "; " + s
		}
		if v.BackfillsQueued > 0 {
			line += "; " + plural(v.BackfillsQueued, "backfill") + " queued"
		}
		fmt.Fprintln(a.stdout, line)
	}
	if !res.Changed() {
		fmt.Fprintf(a.stdout, "applied %s: no changes\n", file)
		return
	}
	parts := []string{
		counts("repositories", []int{res.ReposCreated, res.ReposUpdated}, "created", "updated"),
		counts("views", []int{res.ViewsWith(insights.ViewCreated), res.ViewsWith(insights.ViewUpdated), res.ViewsWith(insights.ViewRestored)},
			"created", "updated", "restored"),
		counts("data series", []int{res.SeriesCreated, res.SeriesRestored, res.SeriesDeleted},
			"created", "restored", "no longer computed"),
	}
	if res.BackfillsQueued > 0 {
		parts = append(parts, plural(res.BackfillsQueued, "backfill")+" queued (sightline run plan-backfills plans them)")
	}
	fmt.Fprintf(a.stdout, "applied %s: %s\n", file, strings.Join(nonEmpty(parts), "; "))
}

// counts formats "what: 1 added, 2 removed", leaving out zeros; "" when
// all are zero.
func counts(what string, ns []int, verbs ...string) string {
	var parts []string
	for i, n := range ns {
		if n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, verbs[i]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return what + " " + strings.Join(parts, ", ")
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
