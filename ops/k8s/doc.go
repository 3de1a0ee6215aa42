// Package k8s holds Sightline's Kubernetes manifests: a kustomize base
// (ops/k8s/base) and an example overlay (ops/k8s/overlays/example). It has
// no code; its test renders both in-process and checks them against the
// binary: every job has its workload, every argument is a real command and
// flag, every environment variable is one README.md documents.
package k8s
