package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newJobsCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "jobs",
		Short: "List the jobs with their default schedules",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(*cobra.Command, []string) error {
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "JOB\tDEFAULT SCHEDULE\tDOES")
			for _, j := range a.registry().All() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", j.Name(), j.DefaultSchedule(), j.Description())
			}
			return tw.Flush()
		},
	}
}
