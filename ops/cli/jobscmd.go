package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newJobsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "jobs",
		Short: "List the jobs with their default schedules",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "JOB\tDEFAULT SCHEDULE\tDOES")
			for _, j := range a.registry().All() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", j.Name(), j.DefaultSchedule(), j.Description())
			}
			return tw.Flush()
		},
	}
}
