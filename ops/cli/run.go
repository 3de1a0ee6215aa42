package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/jobs"
)

func newRunCmd(a *app) *cobra.Command {
	var ifRunning string
	cmd := &cobra.Command{
		Use:   "run JOB",
		Short: "Run one job once; the exit code reflects its outcome",
		Long: `Run one job once and exit: 0 when the run succeeded or was skipped because
another run of the job holds its lock, 1 when it failed or was interrupted.
This is what a Kubernetes CronJob or a CI step runs. SIGTERM and SIGINT stop
the run cleanly: it is recorded as canceled and nothing half-written is left.

The queue workers (run-searches, process-uploads) take no job lock: start as
many as you like at once, on any machines sharing the database and bucket.
Each ends when its queue is empty or at --max-runtime, handing back the item
in hand at once (a run stopped at --max-runtime succeeded).

'sightline jobs' lists the jobs.`,
		Args: exactArgs(1, "one job name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			overlap, err := jobs.ParseOverlap(ifRunning)
			if err != nil {
				return &usageError{msg: "--if-running: " + err.Error()}
			}
			job, err := a.registry().Get(args[0])
			if err != nil {
				return &usageError{msg: err.Error()}
			}
			r, err := a.runner(cmd.Context())
			if err != nil {
				return err
			}
			res, err := r.Run(cmd.Context(), job, overlap)
			printRun(a, job.Name(), res)
			return err
		},
	}
	cmd.Flags().StringVar(&ifRunning, "if-running", "skip", "when another run of the job is in progress: skip or wait")
	return cmd
}

func printRun(a *app, job string, res jobs.RunResult) {
	if res.Status == "" {
		return
	}
	line := fmt.Sprintf("%s run %s: %s", job, res.RunID, res.Status)
	if res.Status == jobs.StatusSkipped {
		line += fmt.Sprintf(" (%s holds the lock; use --if-running=wait to wait for it)", res.LockHolder())
	}
	if len(res.Counts) > 0 {
		line += " " + formatCounts(res.Counts)
	}
	fmt.Fprintln(a.stdout, line)
}
