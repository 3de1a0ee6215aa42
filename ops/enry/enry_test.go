package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// repoRoot is the repository's top directory, from ops/enry.
const repoRoot = "../.."

// buildDir holds the binaries the tests and benchmarks build; TestMain
// removes it.
var buildDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "ops-enry-") })

// lazyModFile writes the lazy build of go-enry into .build/enry with
// Transform, as `make build` does, and returns its go.mod.
var lazyModFile = sync.OnceValues(func() (string, error) {
	enryDir, err := ModuleDir()
	if err != nil {
		return "", err
	}
	return Transform(enryDir, repoRoot, filepath.Join(repoRoot, ".build", "enry"))
})

// buildFlags are the GOFLAGS of each way builds builds: as plain `go
// build` does ("stock": go-enry and goccy/go-json as published, no build
// tags) and as `make build` does ("lazy": Transform's go.mod and
// BuildTags).
func buildFlags() (map[string]string, error) {
	modFile, err := lazyModFile()
	if err != nil {
		return nil, err
	}
	return map[string]string{"stock": "", "lazy": "-modfile=" + modFile + " -tags=" + BuildTags}, nil
}

// builds builds the package pkg (relative to the repository) the ways
// named, by default both (see buildFlags).
func builds(pkg string, names ...string) (map[string]string, error) {
	dir, err := buildDir()
	if err != nil {
		return nil, err
	}
	flags, err := buildFlags()
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		names = []string{"stock", "lazy"}
	}
	bins := map[string]string{}
	for _, name := range names {
		goflags := flags[name]
		bin := filepath.Join(dir, cmp.Or(strings.Trim(filepath.Base(pkg), "."), "sightline")+"-"+name)
		cmd := exec.Command("go", "build", "-o", bin, pkg)
		cmd.Dir = repoRoot
		// GOFLAGS replaced, not added to: make test's has the -modfile.
		cmd.Env = append(os.Environ(), "GOFLAGS="+goflags)
		if name == "lazy" {
			cmd.Env = append(cmd.Env, "CGO_ENABLED=0") // as make build
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s (%s, GOFLAGS=%q): %v\n%s", pkg, name, goflags, err, out)
		}
		bins[name] = bin
	}
	return bins, nil
}

// lazySightline is sightline built as `make build` does: all that
// TestStartupInits runs. A stock build of the whole binary, which only
// BenchmarkStartup needs, would compile some 140 packages again in make
// test (go-enry's and Arrow's dependents, and the gRPC xDS and Envoy
// packages BuildTags leaves out).
var lazySightline = sync.OnceValues(func() (map[string]string, error) { return builds(".", "lazy") })

// sightlineBuilds are sightline, built both ways.
var sightlineBuilds = sync.OnceValues(func() (map[string]string, error) { return builds(".") })

// detectors are ./ops/enry/detect, built both ways.
var detectors = sync.OnceValues(func() (map[string]string, error) { return builds("./ops/enry/detect") })

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := buildDir(); err == nil {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

func detectorsFor(t *testing.T) map[string]string {
	t.Helper()
	bins, err := detectors()
	if err != nil {
		t.Fatalf("build the detectors: %v", err)
	}
	return bins
}

// corpus is what the detectors read: the committed corpus (heuristics,
// shebangs, modelines, file names, vendored, generated, binary files),
// go-enry's own test data, and the Go distribution's small files other than
// Go (assembly, C, headers, scripts, test data of many formats: about
// 3,000, a few seconds).
func corpus(t *testing.T) []string {
	t.Helper()
	enryDir, err := ModuleDir()
	if err != nil {
		t.Fatal(err)
	}
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	return []string{"-exclude", "*.go", "-max-size", "4096",
		"testdata/corpus", filepath.Join(enryDir, "_testdata"), filepath.Join(strings.TrimSpace(string(goroot)), "src")}
}

func detect(t *testing.T, bin string, args ...string) []string {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", filepath.Base(bin), args, err, stderr.Bytes())
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// TestLazyAnswersAsStock wants every answer of the lazy build identical to
// go-enry's as published, on every file of the corpus. go-enry ranks
// equal classifier scores in map order, at random, so a line that differs is
// accepted only if one of a few more stock runs gives it too.
func TestLazyAnswersAsStock(t *testing.T) {
	bins := detectorsFor(t)
	args := corpus(t)
	stock, lazy := detect(t, bins["stock"], args...), detect(t, bins["lazy"], args...)
	if len(stock) != len(lazy) {
		t.Fatalf("stock build answered for %d files, the lazy one for %d", len(stock), len(lazy))
	}
	checkCoverage(t, stock)
	diffs := map[int]bool{}
	for i := range stock {
		if stock[i] != lazy[i] {
			diffs[i] = true
		}
	}
	for run := 0; run < 4 && len(diffs) > 0; run++ {
		again := detect(t, bins["stock"], args...)
		for i := range diffs {
			if again[i] == lazy[i] {
				delete(diffs, i)
			}
		}
	}
	for i := range diffs {
		t.Errorf("lazy build differs from go-enry's:\nstock: %s\nlazy:  %s", stock[i], lazy[i])
	}
	if len(diffs) > 0 {
		return
	}
	t.Logf("%d files, %d answers each, identical", len(stock), strings.Count(stock[0], "\t")+1)
}

// checkCoverage wants the corpus to exercise every strategy and check.
func checkCoverage(t *testing.T, lines []string) {
	t.Helper()
	for _, want := range []string{"\tmodeline=[^\t]", "\tfilename=[^\t]", "\tshebang=[^\t]", "\txml=[^\t]",
		"\tcontent=[^\t]", "\tclassifier=[^\t]", "vendor=true", "generated=true", "doc=true", "test=true",
		"config=true", "dot=true", "image=true", "binary=true", "\tlang=\t", "stat=true/"} {
		n := 0
		for _, l := range lines {
			if matches(want, l) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no file of the corpus has %q: the comparison does not cover it", want)
		}
	}
}

// matches reports whether l has want, where a trailing "[^\t]" asks for a
// non-empty value.
func matches(want, l string) bool {
	if prefix, ok := strings.CutSuffix(want, "[^\t]"); ok {
		i := strings.Index(l, prefix)
		return i >= 0 && i+len(prefix) < len(l) && l[i+len(prefix)] != '\t'
	}
	return strings.Contains(l, want)
}

// TestLazyInit wants go-enry's package inits to allocate under 1 MiB in
// the lazy build (the stock one allocates about 16 MiB: the frequency map
// and ~600 compiled regexps). Init allocations are deterministic, unlike
// init times; the benchmarks (docs/benchmarks.md) measure the times.
func TestLazyInit(t *testing.T) {
	bins := detectorsFor(t)
	const limit = 1 << 20
	stock, lazy := enryInitBytes(t, bins["stock"]), enryInitBytes(t, bins["lazy"])
	t.Logf("go-enry's inits allocate %d bytes (stock build: %d)", lazy, stock)
	if lazy >= limit {
		t.Errorf("go-enry's inits allocate %d bytes in the lazy build, want < %d", lazy, limit)
	}
	if stock < 8*limit {
		t.Errorf("go-enry's inits allocate %d bytes in the stock build: this check no longer tells the builds apart", stock)
	}
}

// enryInitBytes runs bin with GODEBUG=inittrace=1 and sums the bytes
// allocated by go-enry's package inits.
func enryInitBytes(t *testing.T, bin string) int {
	t.Helper()
	cmd := exec.Command(bin, t.TempDir())
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", bin, err, stderr.Bytes())
	}
	total, seen := 0, 0
	// init github.com/go-enry/go-enry/v2/data @0.5 ms, 0.84 ms clock, 642280 bytes, 6281 allocs
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 || f[0] != "init" || !strings.HasPrefix(f[1], "github.com/go-enry/") || f[8] != "bytes," {
			continue
		}
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("inittrace line %q: %v", sc.Text(), err)
		}
		total += n
		seen++
	}
	if seen == 0 {
		t.Fatalf("%s printed no inittrace line for go-enry:\n%s", bin, stderr.Bytes())
	}
	return total
}
