package k8s_test

import (
	"slices"
	"strings"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// TestChecksCatchViolations breaks the rendered example overlay in one way
// at a time and wants the checks to name the breakage: each check can fail.
func TestChecksCatchViolations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spoil func(r *rendered)
		want  string
	}{
		{"misspelled flag", func(r *rendered) {
			podOf(r, "run-searches").Containers[0].Args = []string{"run", "run-searches", "--log-formt=json"}
		},
			"unknown flag: --log-formt"},
		{"unknown command", func(r *rendered) { podOf(r, "prune").Containers[0].Args = []string{"rnu", "prune"} },
			`unknown command "rnu"`},
		{"unknown migrate subcommand", func(r *rendered) { jobNamed(r, "sightline-migrate").Containers[0].Args = []string{"migrate", "upp"} },
			"migrate: want a subcommand"},
		{"two job names", func(r *rendered) { podOf(r, "prune").Containers[0].Args = []string{"run", "prune", "sync-repos"} },
			"want one job name, got 2"},
		{"unregistered job", func(r *rendered) { podOf(r, "prune").Containers[0].Args = []string{"run", "prunes"} },
			"CronJob/sightline-prune: runs no registered job"},
		{"job without a CronJob", func(r *rendered) {
			r.cronJobs = slices.DeleteFunc(r.cronJobs, func(c batchv1.CronJob) bool { return c.Name == "sightline-index-commits" })
		}, "job index-commits: 0 CronJobs run it, want 1"},
		{"schedule not the default", func(r *rendered) { cronJobOf(r, "sync-repos").Spec.Schedule = "*/20 * * * *" },
			`schedule "*/20 * * * *", want the job's default "*/15 * * * *"`},
		{"overlapping runs allowed", func(r *rendered) {
			cronJobOf(r, "update-commit-graph").Spec.ConcurrencyPolicy = batchv1.AllowConcurrent
		},
			`CronJob/sightline-update-commit-graph: concurrencyPolicy "Allow", want Forbid`},
		{"worker without parallelism", func(r *rendered) { cronJobOf(r, "process-uploads").Spec.JobTemplate.Spec.Parallelism = nil },
			"CronJob/sightline-process-uploads: a queue worker wants parallelism"},
		{"no migration Job", func(r *rendered) { r.jobs = nil }, "no Job runs `sightline migrate up`"},
		{"undocumented variable", func(r *rendered) { addEnv(podOf(r, "prune"), corev1.EnvVar{Name: "SIGHTLINE_BUKCET", Value: "s3://x"}) },
			"env SIGHTLINE_BUKCET: README.md's Configuration table does not document it"},
		{"password in plain text", func(r *rendered) {
			setEnv(podOf(r, "prune"), corev1.EnvVar{Name: "DATABASE_URL", Value: "postgres://u:p@h/db"})
		},
			"env DATABASE_URL: a credential, want it from a Secret"},
		{"GOMEMLIMIT over the limit", func(r *rendered) {
			setEnv(podOf(r, "run-searches"), corev1.EnvVar{Name: "GOMEMLIMIT", Value: "600MiB"})
		},
			"GOMEMLIMIT 600MiB is 117% of the memory limit 512Mi"},
		{"no memory limit", func(r *rendered) { delete(podOf(r, "prune").Containers[0].Resources.Limits, corev1.ResourceMemory) },
			"CronJob/sightline-prune: container sightline: want memory requests and limits"},
		{"request over limit", func(r *rendered) {
			podOf(r, "prune").Containers[0].Resources.Requests[corev1.ResourceMemory] = resource.MustParse("1Gi")
		}, "memory request 1Gi over the limit 256Mi"},
		{"short grace period", func(r *rendered) { podOf(r, "prune").TerminationGracePeriodSeconds = new(int64(5)) },
			"CronJob/sightline-prune: terminationGracePeriodSeconds under 30"},
		{"missing Secret key", func(r *rendered) {
			setEnv(podOf(r, "prune"), corev1.EnvVar{Name: "DATABASE_URL", ValueFrom: &corev1.EnvVarSource{
				SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "sightline"}, Key: "database_url"}}})
		}, "refers to Secret/sightline/database_url, which the kustomization does not make"},
		{"insights file not in the ConfigMap", func(r *rendered) {
			jobNamed(r, "sightline-apply").Containers[0].Args = []string{"apply", "-f", "/etc/sightline/insight.yaml"}
		}, "ConfigMap sightline-config-"},
		{"bad insights file", func(r *rendered) { configData(r)["insights.yaml"] = "insights: []\n" },
			"insights: missing or empty"},
		{"bad config file", func(r *rendered) {
			configData(r)["sightline.yaml"] = "repos:\n  - name: x\n    urll: https://example.com/x.git\n"
		},
			"sightline --config refuses it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := render(t, overlayDir)
			if p := problems(t, r, true); len(p) > 0 {
				t.Fatalf("the overlay has problems before it is broken: %v", p)
			}
			tc.spoil(&r)
			got := problems(t, r, true)
			if !slices.ContainsFunc(got, func(p string) bool { return strings.Contains(p, tc.want) }) {
				t.Errorf("no problem mentions %q; got %q", tc.want, got)
			}
		})
	}
}

func TestDecodeIsStrict(t *testing.T) {
	t.Parallel()
	var r rendered
	err := r.decode("CronJob", []byte("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: x}\nspec:\n  schedule: '* * * * *'\n  concurencyPolicy: Forbid\n"))
	if err == nil || !strings.Contains(err.Error(), `unknown field "concurencyPolicy"`) {
		t.Errorf("decode of a misspelled field: got %v, want an unknown-field error", err)
	}
	if err := r.decode("Deployment", []byte("kind: Deployment\n")); err == nil {
		t.Error("decode of a kind the test does not know: got no error")
	}
}

func cronJobOf(r *rendered, job string) *batchv1.CronJob {
	for i := range r.cronJobs {
		if r.cronJobs[i].Name == "sightline-"+job {
			return &r.cronJobs[i]
		}
	}
	panic("no CronJob for " + job)
}

func podOf(r *rendered, job string) *corev1.PodSpec {
	return &cronJobOf(r, job).Spec.JobTemplate.Spec.Template.Spec
}

func addEnv(pod *corev1.PodSpec, e corev1.EnvVar) {
	pod.Containers[0].Env = append(pod.Containers[0].Env, e)
}

// setEnv replaces the variable named e.Name in the pod's container.
func setEnv(pod *corev1.PodSpec, e corev1.EnvVar) {
	env := pod.Containers[0].Env
	for i := range env {
		if env[i].Name == e.Name {
			env[i] = e
			return
		}
	}
	panic("no env " + e.Name)
}

func TestCron5(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ spec, want string }{
		{"*/15 * * * *", "*/15 * * * *"},
		{"@hourly", "0 * * * *"},
		{"@daily", "0 0 * * *"},
		{"@every 10m", "*/10 * * * *"},
		{"@every 6h", "0 */6 * * *"},
		{"@every 7m", ""},
		{"@every 90s", ""},
		{"* * * * * *", ""},
	} {
		got, err := cron5(tc.spec)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("cron5(%q) = %q, %v; want %q", tc.spec, got, err, tc.want)
		}
	}
}

// configData returns the data of the ConfigMap with the config files.
func configData(r *rendered) map[string]string {
	for _, cm := range r.configMaps {
		if strings.HasPrefix(cm.Name, "sightline-config-") {
			return cm.Data
		}
	}
	panic("no ConfigMap sightline-config")
}

// jobNamed returns the pod of the Job called name.
func jobNamed(r *rendered, name string) *corev1.PodSpec {
	for i := range r.jobs {
		if r.jobs[i].Name == name {
			return &r.jobs[i].Spec.Template.Spec
		}
	}
	panic("no Job " + name)
}
