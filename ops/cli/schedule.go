package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/metrics"
)

func newScheduleCmd(a *app) *cobra.Command {
	var (
		specFlags   []string
		ifRunning   string
		metricsAddr string
		dryRun      bool
	)
	cmd := &cobra.Command{
		Use:   "schedule",
		Short: "Run every job on its cron schedule in one process until stopped",
		Long: `Run every job on its cron schedule (robfig/cron) in one process until SIGTERM
or SIGINT, which stop it after the running jobs have stopped.

A job's spec is its default, overridden by the config file's schedule map,
then by SIGHTLINE_SCHEDULE_<JOB>, then by --spec JOB=SPEC. Specs are standard
five-field cron lines or descriptors (@hourly, @every 10m); "off" disables a
job. A spec that does not parse is an error naming the job.

With --metrics-addr (SIGHTLINE_METRICS_ADDR), e.g. :9090, it serves
Prometheus metrics on /metrics at that address: the runs' metrics and the
queue gauges, read from the database at each scrape.`,
		Annotations: map[string]string{"env": "SIGHTLINE_SCHEDULE_<JOB>  cron spec for JOB (e.g. SIGHTLINE_SCHEDULE_SYNC_REPOS=@every 10m)\n" +
			"  SIGHTLINE_METRICS_ADDR     address to serve /metrics on, e.g. :9090 (default: none)"},
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			overlap, err := jobs.ParseOverlap(ifRunning)
			if err != nil {
				return &usageError{msg: "--if-running: " + err.Error()}
			}
			reg := a.registry()
			flagSpecs, err := parseSpecFlags(specFlags)
			if err != nil {
				return err
			}
			specs, err := jobs.ResolveSpecs(reg,
				jobs.SpecSource{Name: "config file " + a.configFile, Specs: a.cfg.Schedule},
				jobs.EnvSpecs(reg, a.getenv),
				jobs.SpecSource{Name: "--spec", Specs: flagSpecs})
			if err != nil {
				return &usageError{msg: err.Error()}
			}
			if dryRun {
				for _, name := range reg.Names() {
					fmt.Fprintf(a.stdout, "%-20s %s\n", name, orOff(specs[name]))
				}
				return nil
			}
			addr := flagOrEnv(cmd, "metrics-addr", metricsAddr, a.getenv("SIGHTLINE_METRICS_ADDR"))
			if addr != "" {
				if err := checkMetricsAddr(addr); err != nil {
					return err
				}
			}
			r, err := a.runner(cmd.Context())
			if err != nil {
				return err
			}
			if addr != "" {
				r.Metrics = metrics.New(true)
				setIntervals(r.Metrics, specs, a.now())
				if err := a.serveMetrics(cmd.Context(), addr, r.Metrics, r.DB); err != nil {
					return err
				}
			}
			s := &jobs.Scheduler{Runner: r, Registry: reg, Specs: specs, Overlap: overlap, Logger: a.log}
			return s.Run(cmd.Context())
		},
	}
	cmd.Flags().StringArrayVar(&specFlags, "spec", nil, "override a job's schedule: JOB=SPEC (repeatable)")
	cmd.Flags().StringVar(&ifRunning, "if-running", "skip", "when a job's previous run is still in progress: skip or wait")
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the resolved schedule and exit")
	cmd.Flags().StringVar(&metricsAddr, "metrics-addr", "", "serve Prometheus metrics on /metrics at this address, e.g. :9090 [$SIGHTLINE_METRICS_ADDR]")
	return cmd
}

func parseSpecFlags(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		job, spec, ok := strings.Cut(f, "=")
		if !ok || job == "" || spec == "" {
			return nil, usageErrorf("--spec %q: want JOB=SPEC, e.g. --spec sync-repos='@every 10m'", f)
		}
		out[job] = spec
	}
	return out, nil
}

func orOff(spec string) string {
	if spec == "" {
		return jobs.SpecOff
	}
	return spec
}
