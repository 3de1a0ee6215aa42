package k8s_test

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/ops/cli"
)

func isWorker(j jobs.Job) bool { return jobs.KindOf(j) == jobs.QueueWorker }

// checkJobs reports a registered job without exactly one CronJob running
// it, a CronJob whose schedule is not the job's default, a one-at-a-time
// job whose CronJob allows overlapping runs, a queue worker without
// parallelism, a CronJob running no registered job, and a missing
// migration Job.
func checkJobs(r rendered, reg *jobs.Registry) []string {
	var out []string
	byJob := map[string][]batchv1.CronJob{}
	for _, c := range r.cronJobs {
		name, ok := runsJob(c.Spec.JobTemplate.Spec.Template.Spec)
		if _, err := reg.Get(name); !ok || err != nil {
			out = append(out, fmt.Sprintf("CronJob/%s: runs no registered job (want args run JOB, one of %v)", c.Name, reg.Names()))
			continue
		}
		byJob[name] = append(byJob[name], c)
	}
	for _, j := range reg.All() {
		cjs := byJob[j.Name()]
		if len(cjs) != 1 {
			out = append(out, fmt.Sprintf("job %s: %d CronJobs run it, want 1", j.Name(), len(cjs)))
			continue
		}
		out = append(out, checkCronJob(cjs[0], j)...)
	}
	if !slices.ContainsFunc(r.jobs, func(j batchv1.Job) bool {
		return slices.Equal(containerArgs(j.Spec.Template.Spec), []string{"migrate", "up"})
	}) {
		out = append(out, "no Job runs `sightline migrate up`")
	}
	return out
}

func checkCronJob(c batchv1.CronJob, j jobs.Job) []string {
	var out []string
	want, err := cron5(j.DefaultSchedule())
	if err != nil {
		out = append(out, fmt.Sprintf("job %s: %v", j.Name(), err))
	} else if c.Spec.Schedule != want {
		out = append(out, fmt.Sprintf("CronJob/%s: schedule %q, want the job's default %q", c.Name, c.Spec.Schedule, want))
	}
	if _, err := cron.ParseStandard(c.Spec.Schedule); err != nil {
		out = append(out, fmt.Sprintf("CronJob/%s: schedule %q: %v", c.Name, c.Spec.Schedule, err))
	}
	if c.Spec.ConcurrencyPolicy != batchv1.ForbidConcurrent {
		out = append(out, fmt.Sprintf("CronJob/%s: concurrencyPolicy %q, want Forbid", c.Name, c.Spec.ConcurrencyPolicy))
	}
	p := c.Spec.JobTemplate.Spec.Parallelism
	switch {
	case isWorker(j) && (p == nil || *p < 2):
		out = append(out, fmt.Sprintf("CronJob/%s: a queue worker wants parallelism of 2 or more", c.Name))
	case !isWorker(j) && p != nil && *p != 1:
		out = append(out, fmt.Sprintf("CronJob/%s: a one-at-a-time job wants no parallelism, got %d", c.Name, *p))
	}
	return out
}

// cron5 returns spec as the 5-field cron expression a CronJob takes,
// translating the descriptors robfig/cron also accepts.
func cron5(spec string) (string, error) {
	descriptors := map[string]string{
		"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
		"@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
	}
	if s, ok := descriptors[spec]; ok {
		return s, nil
	}
	if every, ok := strings.CutPrefix(spec, "@every "); ok {
		d, err := time.ParseDuration(every)
		switch {
		case err != nil:
		case d%time.Hour == 0 && d < 24*time.Hour && (24*time.Hour)%d == 0:
			return fmt.Sprintf("0 */%d * * *", d/time.Hour), nil
		case d%time.Minute == 0 && d < time.Hour && time.Hour%d == 0:
			return fmt.Sprintf("*/%d * * * *", d/time.Minute), nil
		}
		return "", fmt.Errorf("schedule %q has no 5-field cron form", spec)
	}
	if len(strings.Fields(spec)) != 5 {
		return "", fmt.Errorf("schedule %q is not a 5-field cron expression", spec)
	}
	return spec, nil
}

// runsJob returns JOB when the pod's container runs `sightline run JOB`.
func runsJob(pod corev1.PodSpec) (string, bool) {
	args := containerArgs(pod)
	if len(args) < 2 || args[0] != "run" {
		return "", false
	}
	return args[1], true
}

func containerArgs(pod corev1.PodSpec) []string {
	if len(pod.Containers) != 1 {
		return nil
	}
	return pod.Containers[0].Args
}

// containers returns every container of the pod, init containers first.
func containers(pod corev1.PodSpec) []corev1.Container {
	return append(slices.Clone(pod.InitContainers), pod.Containers...)
}

// checkArgs reports container arguments that are not a command of the
// binary with its flags: they are parsed by the real cobra command tree,
// so an unknown command or flag, or a wrong number of arguments, fails.
func checkArgs(r rendered) []string {
	var out []string
	for _, w := range r.workloads() {
		for _, c := range containers(w.pod) {
			if len(c.Command) > 0 {
				out = append(out, fmt.Sprintf("%s: container %s overrides the image's entrypoint (command %q)", w.name, c.Name, c.Command))
			}
			if err := parseArgs(c.Args); err != nil {
				out = append(out, fmt.Sprintf("%s: container %s: args %q: %v", w.name, c.Name, c.Args, err))
			}
		}
	}
	return out
}

func parseArgs(args []string) error {
	cmd, rest, err := cli.Command().Find(args)
	if err != nil {
		return err
	}
	if !cmd.Runnable() {
		return fmt.Errorf("%q is not a runnable command", cmd.CommandPath())
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return err
	}
	return cmd.ValidateArgs(cmd.Flags().Args())
}

// checkEnv reports environment variables README.md does not document, and
// credentials given as plain values rather than from a Secret.
func checkEnv(r rendered, documented []string) []string {
	var out []string
	for _, w := range r.workloads() {
		for _, c := range containers(w.pod) {
			for _, e := range c.Env {
				if !isDocumented(e.Name, documented) {
					out = append(out, fmt.Sprintf("%s: env %s: README.md's Configuration table does not document it", w.name, e.Name))
				}
				if isCredential(e.Name) && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
					out = append(out, fmt.Sprintf("%s: env %s: a credential, want it from a Secret (valueFrom.secretKeyRef)", w.name, e.Name))
				}
			}
			if len(c.EnvFrom) > 0 {
				out = append(out, fmt.Sprintf("%s: container %s: envFrom hides the variables' names; list them under env", w.name, c.Name))
			}
		}
	}
	return out
}

func isCredential(name string) bool {
	return name == "DATABASE_URL" || strings.HasPrefix(name, "AWS_") && strings.Contains(name, "KEY")
}

// isDocumented matches name against README's names: exact, `AWS_*` (a
// prefix) or `SIGHTLINE_SCHEDULE_<JOB>` (a prefix and a placeholder).
func isDocumented(name string, documented []string) bool {
	for _, d := range documented {
		prefix, wild := strings.CutSuffix(d, "*")
		if i := strings.Index(d, "<"); i >= 0 {
			prefix, wild = d[:i], true
		}
		if name == d || wild && strings.HasPrefix(name, prefix) && len(name) > len(prefix) {
			return true
		}
	}
	return false
}
