package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// heavyInits are the packages whose inits sightline's build leaves out,
// with why: each cost milliseconds of every process start.
var heavyInits = map[string]string{
	"github.com/goccy/go-json/":           "goccy/go-json's tables (4.7 MB, 2–3 ms): Transform replaces it by encoding/json",
	"github.com/envoyproxy/":              "Envoy's protobuf and regexps (4–6 ms with xDS): BuildTags leaves out the GCS client's gRPC DirectPath",
	"github.com/cncf/xds/":                "xDS protobuf: BuildTags leaves out the GCS client's gRPC DirectPath",
	"google.golang.org/grpc/xds":          "gRPC's xDS: BuildTags leaves out the GCS client's gRPC DirectPath",
	"google.golang.org/grpc/balancer/rls": "gRPC's RLS balancer: BuildTags leaves out the GCS client's gRPC DirectPath",
}

// initBudget is what all package inits of `sightline --help` may allocate:
// under the garbage collector's 4 MB minimum heap, so that no collection
// runs before main (one used to, on 9 MB).
const initBudget = 3 << 20

// TestStartupInits builds sightline as `make build` does and wants none of
// the heavy inits in `sightline --help` and `sightline jobs` (the inits are
// the same for every command), and all inits to allocate under initBudget.
// Allocations are deterministic, unlike init times (BenchmarkStartup
// measures the times). A plain `go build` must still link the heavy
// packages (go list -deps, no build), or this test would no longer tell the
// builds apart.
func TestStartupInits(t *testing.T) {
	bins, err := lazySightline()
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--help"}, {"jobs"}} {
		inits := packageInits(t, bins["lazy"], args...)
		total := 0
		for pkg, bytes := range inits {
			total += bytes
			for prefix, why := range heavyInits {
				if strings.HasPrefix(pkg, prefix) {
					t.Errorf("sightline %s runs the init of %s (%d bytes): want none of %s: %s", args[0], pkg, bytes, prefix, why)
				}
			}
		}
		t.Logf("sightline %s: %d package inits allocate %d bytes", args[0], len(inits), total)
		if total >= initBudget {
			t.Errorf("sightline %s: the package inits allocate %d bytes, want < %d (a collection before main)", args[0], total, initBudget)
		}
	}
	stock := stockDeps(t)
	for prefix := range heavyInits {
		if !slices.ContainsFunc(stock, func(p string) bool { return strings.HasPrefix(p, prefix) }) {
			t.Errorf("plain `go build` links no package %s*: this test no longer tells the builds apart", prefix)
		}
	}
}

// stockDeps lists the packages a plain `go build` of sightline links.
func stockDeps(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", ".")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, stderr.Bytes())
	}
	return strings.Fields(string(out))
}

// TestMakeBuild wants `make build` to build as the tests and benchmarks
// here do: a static binary (CGO_ENABLED=0) with Transform's go.mod and
// BuildTags.
func TestMakeBuild(t *testing.T) {
	cmd := exec.Command("make", "--no-print-directory", "-n", "-B", "build")
	cmd.Dir = repoRoot
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make -n build: %v\n%s", err, out)
	}
	want := regexp.MustCompile(`(?m)^CGO_ENABLED=0 go build -modfile=\S+/\.build/enry/go\.mod -tags=` + regexp.QuoteMeta(BuildTags) + ` `)
	if !want.Match(out) {
		t.Errorf("make -n build does not build with %s; it runs:\n%s", want, out)
	}
}

// packageInits runs bin with GODEBUG=inittrace=1 and returns the bytes each
// package's init allocated.
func packageInits(t *testing.T, bin string, args ...string) map[string]int {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %q: %v\n%s", bin, args, err, stderr.Bytes())
	}
	inits, err := parseInitTrace(&stderr)
	if err != nil {
		t.Fatal(err)
	}
	if len(inits) == 0 {
		t.Fatalf("%s printed no inittrace line:\n%s", bin, stderr.Bytes())
	}
	return inits
}

// parseInitTrace reads GODEBUG=inittrace=1 lines:
//
//	init github.com/go-enry/go-enry/v2/data @0.5 ms, 0.84 ms clock, 642280 bytes, 6281 allocs
func parseInitTrace(r *bytes.Buffer) (map[string]int, error) {
	inits := map[string]int{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		n, err := strconv.Atoi(f[7])
		if err != nil {
			return nil, fmt.Errorf("inittrace line %q: %w", sc.Text(), err)
		}
		inits[f[1]] += n
	}
	return inits, sc.Err()
}
