package k8s_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/sightline-dev/sightline/ops/cli"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

// checkFiles reports a config file (SIGHTLINE_CONFIG) or insights file
// (`apply -f`) that no mounted ConfigMap key provides, or that the binary
// would refuse: the config file is loaded by `sightline --config F jobs`,
// the insights file parsed by insightspec, as `apply` does.
func checkFiles(r rendered, tmp string) []string {
	var out []string
	for _, w := range r.workloads() {
		for _, c := range containers(w.pod) {
			for path, check := range filesOf(c) {
				data, err := fileIn(r, w.pod, c, path)
				if err == nil {
					err = check(tmp, path, data)
				}
				if err != nil {
					out = append(out, fmt.Sprintf("%s: container %s: %s: %v", w.name, c.Name, path, err))
				}
			}
		}
	}
	return out
}

// filesOf returns the files the container reads, each with its check.
func filesOf(c corev1.Container) map[string]func(tmp, path, data string) error {
	files := map[string]func(tmp, path, data string) error{}
	for _, e := range c.Env {
		if e.Name == "SIGHTLINE_CONFIG" {
			files[e.Value] = checkConfig
		}
	}
	if i := slices.Index(c.Args, "-f"); len(c.Args) > 0 && c.Args[0] == "apply" && i >= 0 && i+1 < len(c.Args) {
		files[c.Args[i+1]] = func(_, path, data string) error {
			_, err := insightspec.ParseBytes(path, []byte(data), filepath.Dir(path))
			return err
		}
	}
	return files
}

func checkConfig(tmp, path, data string) error {
	f := filepath.Join(tmp, filepath.Base(path))
	if err := os.WriteFile(f, []byte(data), 0o600); err != nil {
		return err
	}
	var stderr bytes.Buffer
	if code := cli.Main(context.Background(), []string{"--config", f, "jobs"}, new(bytes.Buffer), &stderr); code != 0 {
		return fmt.Errorf("sightline --config refuses it: %s", strings.TrimSpace(stderr.String()))
	}
	return nil
}

// fileIn returns the content of path in the container: a key of the
// ConfigMap mounted on its directory.
func fileIn(r rendered, pod corev1.PodSpec, c corev1.Container, path string) (string, error) {
	for _, m := range c.VolumeMounts {
		key, ok := strings.CutPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/")
		if !ok {
			continue
		}
		i := slices.IndexFunc(pod.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name && v.ConfigMap != nil })
		if i < 0 {
			return "", fmt.Errorf("mounted from volume %s, which is not a ConfigMap", m.Name)
		}
		name := pod.Volumes[i].ConfigMap.Name
		for _, cm := range r.configMaps {
			if data, ok := cm.Data[key]; ok && cm.Name == name {
				return data, nil
			}
		}
		return "", fmt.Errorf("ConfigMap %s has no key %s", name, key)
	}
	return "", fmt.Errorf("no ConfigMap is mounted there")
}
