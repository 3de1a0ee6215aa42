package main

import (
	_ "embed"
	"os"
	"path/filepath"
)

// GoJSON is the module whose package the build replaces by a stand-in on
// encoding/json (gojson.go.tmpl): Arrow's internal/json is its only
// importer, and goccy/go-json's package inits allocate 4.7 MB and take
// 2–3 ms of every process start.
const GoJSON = "github.com/goccy/go-json"

// BuildTags are the build tags of sightline's builds, given with the go.mod
// Transform writes (make build/test/bench, the Dockerfile):
// disable_grpc_modules is cloud.google.com/go/storage's documented tag that
// leaves out the gRPC client's DirectPath and xDS balancers (grpc/xds, and
// with it some 50 Envoy and xDS protobuf packages whose inits took 4–6 ms
// of every start). Sightline uses the storage package's HTTP/JSON client
// (storage.NewClient), which the tag does not change.
const BuildTags = "disable_grpc_modules"

// goJSONDir is the stand-in module's directory under Transform's output.
const goJSONDir = "go-json-stdlib"

//go:embed gojson.go.tmpl
var goJSONSource []byte

// writeGoJSON writes the stand-in module for GoJSON under outDir and
// returns its directory.
func writeGoJSON(outDir string) (string, error) {
	dir := filepath.Join(outDir, goJSONDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := writeIfChanged(filepath.Join(dir, "go.mod"), []byte("module "+GoJSON+"\n\ngo 1.21\n")); err != nil {
		return "", err
	}
	return dir, writeIfChanged(filepath.Join(dir, "json.go"), goJSONSource)
}
