// Package ops holds what operators run besides the binary: the private
// Postgres script (ops/postgres.sh, a link to sinks/pgstore/postgres.sh,
// which pgstore embeds so that the sightline binary can start the embedded
// default itself), ops/demo.sh (make run), the CLI in ops/cli (the binary's main
// package, main.go at the top, only calls it), charts in ops/chart, the end-to-end
// suites in ops/e2e, example configuration in ops/examples, the Kubernetes
// manifests in ops/k8s, ops/image.sh (make image, from the Dockerfile) and
// ops/enry (make build's go-enry with a lazy package init).
//
// It holds no code: nothing imports it (ops_test.go checks this).
package ops
