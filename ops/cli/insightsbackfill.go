package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/insights"
)

func newInsightsBackfillCmd(a *app) *cobra.Command {
	var retry bool
	cmd := &cobra.Command{
		Use:   "backfill ID|series:ID|backfill:ID --retry-incomplete",
		Short: "Recompute the repo-error incomplete points of a view's series",
		Long: `Queue a retry backfill for each data series of a view (or one series:ID, or
the series of backfill:ID) that has repo-error incomplete points: points a
repository could not answer (not synced or indexed then, a git error, a
search shard that failed for good). plan-backfills plans them at the
commits of the repositories' indexed history and run-searches recomputes
them; a repository that fails again records them again, and one not
indexed yet is waited for. Whole points missing for every repository are
recomputed in every repository in scope. Timeouts and skipped files are not
retried. A series whose backfill has not finished is left as it is.

plan-backfills also queues such a retry by itself for points recorded
because a repository was not indexed yet, once it is.`,
		Args: exactArgs(1, "one view id, series:ID or backfill:ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !retry {
				return usageErrorf("insights backfill %s: say what to do: --retry-incomplete", args[0])
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			res, err := insights.BackfillRetry(cmd.Context(), db, args[0], a.now())
			if err != nil {
				return err
			}
			for _, r := range res {
				fmt.Fprintln(a.stdout, retryLine(r))
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&retry, "retry-incomplete", false, "recompute the series' repo-error incomplete points")
	return cmd
}

func retryLine(r insights.RetryResult) string {
	switch {
	case r.Open != 0:
		return fmt.Sprintf("series %d: backfill %d has not finished; retry once it has (sightline status)", r.SeriesID, r.Open)
	case r.BackfillID == 0:
		return fmt.Sprintf("series %d: no repo-error incomplete points to retry", r.SeriesID)
	}
	repos := fmt.Sprintf("%d repositories", r.Repos)
	if r.Repos == 1 {
		repos = "1 repository"
	}
	return fmt.Sprintf("series %d: queued retry backfill %d for %s of %s; plan-backfills and run-searches recompute them",
		r.SeriesID, r.BackfillID, plural(r.Points, "incomplete point"), repos)
}
