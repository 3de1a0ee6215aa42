package k8s_test

import (
	"fmt"
	"testing"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// rendered is a kustomization's output, decoded into the typed API.
type rendered struct {
	cronJobs   []batchv1.CronJob
	jobs       []batchv1.Job
	configMaps []corev1.ConfigMap
	secrets    []corev1.Secret
	pvcs       []corev1.PersistentVolumeClaim
}

// workload is one pod template with the name of what owns it.
type workload struct {
	name string
	pod  corev1.PodSpec
}

// render runs kustomize on dir as `kubectl kustomize dir` would and decodes
// every object strictly: an unknown field or kind fails the test.
func render(t *testing.T, dir string) rendered {
	t.Helper()
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	m, err := k.Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		t.Fatalf("kustomize build %s: %v", dir, err)
	}
	var r rendered
	for _, res := range m.Resources() {
		y, err := res.AsYAML()
		if err != nil {
			t.Fatalf("%s: %s: %v", dir, res.CurId(), err)
		}
		if err := r.decode(res.GetKind(), y); err != nil {
			t.Errorf("%s: %s: %v", dir, res.CurId(), err)
		}
	}
	return r
}

// decode appends the object y of kind to r, refusing unknown fields.
func (r *rendered) decode(kind string, y []byte) error {
	switch kind {
	case "CronJob":
		return decodeInto(y, &r.cronJobs)
	case "Job":
		return decodeInto(y, &r.jobs)
	case "ConfigMap":
		return decodeInto(y, &r.configMaps)
	case "Secret":
		return decodeInto(y, &r.secrets)
	case "PersistentVolumeClaim":
		return decodeInto(y, &r.pvcs)
	}
	return fmt.Errorf("kind %s: the test decodes no such kind; add it to rendered", kind)
}

func decodeInto[T any](y []byte, list *[]T) error {
	var v T
	if err := yaml.UnmarshalStrict(y, &v); err != nil {
		return fmt.Errorf("decode strictly: %w", err)
	}
	*list = append(*list, v)
	return nil
}

// workloads returns every pod template: the CronJobs' and the Jobs'.
func (r rendered) workloads() []workload {
	var out []workload
	for _, c := range r.cronJobs {
		out = append(out, workload{"CronJob/" + c.Name, c.Spec.JobTemplate.Spec.Template.Spec})
	}
	for _, j := range r.jobs {
		out = append(out, workload{"Job/" + j.Name, j.Spec.Template.Spec})
	}
	return out
}
