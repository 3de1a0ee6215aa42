package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/jobs"
)

// jobInfo is one job as `sightline jobs --format json` prints it.
type jobInfo struct {
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	DefaultSchedule string `json:"default_schedule"`
	Description     string `json:"description"`
}

func newJobsCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "List the jobs with their kinds and default schedules",
		Long: `List the jobs with their kinds and default schedules. A one-at-a-time job
(planners, maintenance) runs under its advisory lock: an overlapping run is
skipped or waits. A queue-worker job (run-searches, process-uploads) takes no
such lock: run as many processes as you like, on as many machines; each run
ends when the queue is empty or at --max-runtime.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(*cobra.Command, []string) error {
			if err := checkTextJSON(format); err != nil {
				return err
			}
			var list []jobInfo
			for _, j := range a.registry().All() {
				list = append(list, jobInfo{Name: j.Name(), Kind: jobs.KindOf(j).String(),
					DefaultSchedule: j.DefaultSchedule(), Description: j.Description()})
			}
			if format == "json" {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(list)
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "JOB\tKIND\tDEFAULT SCHEDULE\tDOES")
			for _, j := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", j.Name, j.Kind, j.DefaultSchedule, j.Description)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
