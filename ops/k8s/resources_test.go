package k8s_test

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// checkPods reports containers without memory requests and limits, a
// GOMEMLIMIT not a little under the memory limit (80-95% of it), and pods
// that give SIGTERM less than 30 seconds.
func checkPods(r rendered) []string {
	var out []string
	for _, w := range r.workloads() {
		if g := w.pod.TerminationGracePeriodSeconds; g == nil || *g < 30 {
			out = append(out, fmt.Sprintf("%s: terminationGracePeriodSeconds under 30: a run needs time to stop on SIGTERM and record itself canceled", w.name))
		}
		for _, c := range containers(w.pod) {
			out = append(out, checkMemory(w.name, c)...)
		}
	}
	return out
}

func checkMemory(name string, c corev1.Container) []string {
	req, hasReq := c.Resources.Requests[corev1.ResourceMemory]
	limit, hasLimit := c.Resources.Limits[corev1.ResourceMemory]
	if !hasReq || !hasLimit {
		return []string{fmt.Sprintf("%s: container %s: want memory requests and limits (docs/benchmarks.md has the figures)", name, c.Name)}
	}
	if req.Cmp(limit) > 0 {
		return []string{fmt.Sprintf("%s: container %s: memory request %s over the limit %s", name, c.Name, req.String(), limit.String())}
	}
	for _, e := range c.Env {
		if e.Name != "GOMEMLIMIT" {
			continue
		}
		// GOMEMLIMIT's units (MiB, GiB) are Kubernetes's (Mi, Gi) plus "B".
		q, err := resource.ParseQuantity(strings.TrimSuffix(e.Value, "B"))
		if err != nil {
			return []string{fmt.Sprintf("%s: GOMEMLIMIT %q: %v", name, e.Value, err)}
		}
		if ratio := q.AsApproximateFloat64() / limit.AsApproximateFloat64(); ratio < 0.8 || ratio > 0.95 {
			return []string{fmt.Sprintf("%s: GOMEMLIMIT %s is %.0f%% of the memory limit %s, want 80-95%%", name, e.Value, 100*ratio, limit.String())}
		}
		return nil
	}
	return []string{fmt.Sprintf("%s: container %s: no GOMEMLIMIT (set it a little under the memory limit)", name, c.Name)}
}

// checkRefs reports Secret and ConfigMap references, from env and volumes,
// to objects or keys the kustomization does not make, unless optional.
func checkRefs(r rendered) []string {
	keys := map[string]bool{}
	for _, s := range r.secrets {
		keys["Secret/"+s.Name] = true
		for k := range s.Data {
			keys["Secret/"+s.Name+"/"+k] = true
		}
	}
	for _, m := range r.configMaps {
		keys["ConfigMap/"+m.Name] = true
		for k := range m.Data {
			keys["ConfigMap/"+m.Name+"/"+k] = true
		}
	}
	var out []string
	missing := func(w workload, ref string, optional *bool) {
		if !keys[ref] && (optional == nil || !*optional) {
			out = append(out, fmt.Sprintf("%s: refers to %s, which the kustomization does not make", w.name, ref))
		}
	}
	for _, w := range r.workloads() {
		for _, c := range containers(w.pod) {
			for _, e := range c.Env {
				switch {
				case e.ValueFrom == nil:
				case e.ValueFrom.SecretKeyRef != nil:
					s := e.ValueFrom.SecretKeyRef
					missing(w, "Secret/"+s.Name+"/"+s.Key, s.Optional)
				case e.ValueFrom.ConfigMapKeyRef != nil:
					m := e.ValueFrom.ConfigMapKeyRef
					missing(w, "ConfigMap/"+m.Name+"/"+m.Key, m.Optional)
				}
			}
		}
		for _, v := range w.pod.Volumes {
			switch {
			case v.Secret != nil:
				missing(w, "Secret/"+v.Secret.SecretName, v.Secret.Optional)
			case v.ConfigMap != nil:
				missing(w, "ConfigMap/"+v.ConfigMap.Name, v.ConfigMap.Optional)
			}
		}
	}
	return out
}
