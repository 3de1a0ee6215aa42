package cli

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
)

func newStatusCmd(a *app) *cobra.Command {
	var (
		limit  int
		format string
	)
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show recent job runs, repository sync state, insight backfills, the search queue and incomplete points",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkTextJSON(format); err != nil {
				return err
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			runs, err := jobs.RunsList(cmd.Context(), db, "", limit)
			if err != nil {
				return err
			}
			list, err := repos.List(cmd.Context(), db)
			if err != nil {
				return err
			}
			ins, err := insights.StatusGet(cmd.Context(), db, 0)
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"runs": runs, "repos": list, "insights": ins})
			}
			if err := printRuns(a, runs); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout)
			if err := printRepos(a, list); err != nil {
				return err
			}
			fmt.Fprintln(a.stdout)
			return printInsightsStatus(a.stdout, ins, a.now())
		},
	}
	cmd.Flags().IntVar(&limit, "runs", 20, "how many recent runs to show")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func printRuns(a *app, runs []jobs.RunRecord) error {
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "JOB\tRUN\tSTATUS\tSTARTED\tTOOK\tCOUNTS\tERROR")
	for _, r := range runs {
		took := "-"
		if r.FinishedAt != nil {
			took = r.FinishedAt.Sub(r.StartedAt).Round(1e6).String()
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Job, r.RunID, r.Status,
			r.StartedAt.Local().Format("2006-01-02 15:04:05"), took, formatCounts(r.Counts), dash(oneLine(r.Error, 80)))
	}
	return tw.Flush()
}

func formatCounts(c jobs.Counts) string {
	parts := make([]string, 0, len(c))
	for _, k := range slices.Sorted(maps.Keys(c)) {
		parts = append(parts, fmt.Sprintf("%s=%d", k, c[k]))
	}
	return dash(strings.Join(parts, " "))
}

func oneLine(s string, max int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > max {
		return s[:max-1] + "…"
	}
	return s
}
