package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"

	"github.com/robfig/cron/v3"
)

// SpecOff disables a job in the schedule.
const SpecOff = "off"

// SpecSource is one layer of schedule overrides, e.g. the YAML file or the
// environment; Name says where the specs came from, for error messages.
type SpecSource struct {
	Name  string
	Specs map[string]string
}

// EnvSpecs reads the SIGHTLINE_SCHEDULE_<JOB> variables (job name upper-cased,
// "-" as "_") for the jobs of reg through getenv.
func EnvSpecs(reg *Registry, getenv func(string) string) SpecSource {
	src := SpecSource{Name: "environment", Specs: map[string]string{}}
	for _, name := range reg.Names() {
		if v := getenv(EnvVar(name)); v != "" {
			src.Specs[name] = v
		}
	}
	return src
}

// EnvVar is the environment variable that overrides job's cron spec.
func EnvVar(job string) string {
	return "SIGHTLINE_SCHEDULE_" + strings.ToUpper(strings.ReplaceAll(job, "-", "_"))
}

// ResolveSpecs returns each job's cron spec: the job's default, overridden by
// each source in turn (later sources win). Every spec is parsed; an unknown
// job or a spec that does not parse is an error naming the job and source.
// Jobs whose spec is "off" are left out.
func ResolveSpecs(reg *Registry, sources ...SpecSource) (map[string]string, error) {
	specs := map[string]string{}
	origin := map[string]string{}
	for _, j := range reg.All() {
		specs[j.Name()], origin[j.Name()] = j.DefaultSchedule(), "default"
	}
	for _, src := range sources {
		for _, n := range slices.Sorted(maps.Keys(src.Specs)) {
			if _, err := reg.Get(n); err != nil {
				return nil, fmt.Errorf("schedule (%s): %w", src.Name, err)
			}
			specs[n], origin[n] = strings.TrimSpace(src.Specs[n]), src.Name
		}
	}
	for n, spec := range specs {
		if spec == SpecOff {
			delete(specs, n)
			continue
		}
		if _, err := cron.ParseStandard(spec); err != nil {
			return nil, fmt.Errorf("schedule for job %q (%s): invalid cron spec %q: %v", n, origin[n], spec, err)
		}
	}
	return specs, nil
}

// Scheduler runs jobs on their cron specs in one process.
type Scheduler struct {
	Runner   *Runner
	Registry *Registry
	// Specs maps job names to cron specs (see ResolveSpecs).
	Specs   map[string]string
	Overlap Overlap
	Logger  *slog.Logger
}

// Run schedules the jobs and blocks until ctx is cancelled, then waits for
// running jobs (whose contexts are cancelled too) to stop.
func (s *Scheduler) Run(ctx context.Context) error {
	c := cron.New(cron.WithChain(cron.SkipIfStillRunning(cron.DiscardLogger)))
	for _, name := range slices.Sorted(maps.Keys(s.Specs)) {
		job, err := s.Registry.Get(name)
		if err != nil {
			return err
		}
		if _, err := c.AddFunc(s.Specs[name], func() { s.runOnce(ctx, job) }); err != nil {
			return fmt.Errorf("schedule job %q: %w", name, err)
		}
		s.Logger.Info("scheduled", "job", name, "spec", s.Specs[name])
	}
	c.Start()
	<-ctx.Done()
	s.Logger.Info("stopping scheduler: waiting for running jobs")
	<-c.Stop().Done()
	return nil
}

func (s *Scheduler) runOnce(ctx context.Context, job Job) {
	if ctx.Err() != nil {
		return
	}
	res, err := s.Runner.Run(ctx, job, s.Overlap)
	if err != nil {
		s.Logger.Error("run failed", "job", job.Name(), "run", res.RunID, "err", err)
	}
}
