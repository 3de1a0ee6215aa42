package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/metrics"
)

func newRunCmd(a *app) *cobra.Command {
	var ifRunning, pushURL string
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
in hand at once (a run stopped at --max-runtime succeeded). They report their progress
(items done of those ready at the start, rate, time left): on a terminal as
a live line on stderr, otherwise (or with --log-format json) as a
"progress" log line every 10 seconds.

With --pushgateway-url (SIGHTLINE_PUSHGATEWAY_URL) the run's metrics are
pushed to that Prometheus Pushgateway when it ends: with PushAdd into the
group {job="sightline", sightline_job=JOB}, and the queue gauges into
{job="sightline-queues"}. A push that fails is logged; it does not change
the exit code.

'sightline jobs' lists the jobs.`,
		Annotations: map[string]string{"env": "SIGHTLINE_PUSHGATEWAY_URL  Pushgateway URL to push the run's metrics to, e.g. http://pushgateway:9091 (default: no push)"},
		Args:        exactArgs(1, "one job name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			overlap, err := jobs.ParseOverlap(ifRunning)
			if err != nil {
				return &usageError{msg: "--if-running: " + err.Error()}
			}
			job, err := a.registry().Get(args[0])
			if err != nil {
				return &usageError{msg: err.Error()}
			}
			pushURL = flagOrEnv(cmd, "pushgateway-url", pushURL, a.getenv("SIGHTLINE_PUSHGATEWAY_URL"))
			if pushURL != "" {
				if err := checkPushURL(pushURL); err != nil {
					return err
				}
			}
			r, err := a.runner(cmd.Context())
			if err != nil {
				return err
			}
			r.Progress.Terminal = a.line
			if pushURL != "" {
				if r.Metrics, err = a.runMetrics(job.Name()); err != nil {
					return err
				}
			}
			res, err := r.Run(cmd.Context(), job, overlap)
			printRun(a, job.Name(), res)
			if pushURL != "" && res.Status != jobs.StatusSkipped {
				if perr := a.pushMetrics(cmd.Context(), pushURL, job.Name(), r.Metrics, r.DB); perr != nil {
					a.log.Warn("metrics not pushed; the run's outcome stands", "err", perr)
				}
			}
			return err
		},
	}
	cmd.Flags().StringVar(&ifRunning, "if-running", "skip", "when another run of the job is in progress: skip or wait")
	cmd.Flags().StringVar(&pushURL, "pushgateway-url", "", "push the run's metrics to this Prometheus Pushgateway [$SIGHTLINE_PUSHGATEWAY_URL]")
	return cmd
}

// runMetrics returns the metrics of a run of job, with the job's interval
// from its schedule as `sightline schedule` would resolve it (default,
// config file, SIGHTLINE_SCHEDULE_<JOB>): set that to a CronJob's schedule
// when it is not the default.
func (a *app) runMetrics(job string) (*metrics.Set, error) {
	reg := a.registry()
	specs, err := jobs.ResolveSpecs(reg, jobs.SpecSource{Name: "config file " + a.configFile, Specs: a.cfg.Schedule},
		jobs.EnvSpecs(reg, a.getenv))
	if err != nil {
		return nil, &usageError{msg: err.Error()}
	}
	set := metrics.New(false)
	setIntervals(set, map[string]string{job: specs[job]}, a.now())
	return set, nil
}

// flagOrEnv returns the flag's value when it was given, else env's.
func flagOrEnv(cmd *cobra.Command, flag, value, env string) string {
	if cmd.Flags().Changed(flag) {
		return value
	}
	return env
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
