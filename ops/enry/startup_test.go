package main

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkStartup runs sightline commands built against go-enry as
// published (stock) and with its lazy init (lazy, as `make build` builds
// it), alternating, and reports each build's minimum and median wall time
// per process. Each iteration runs every build once, in alternating order.
// The repository searched is SIGHTLINE_BENCH_REPO (a git directory, e.g. a
// bare mirror of etcd-io/etcd), else this one; the git-grep case is the
// baseline a cold point is compared with: `git grep -o -I -F` at HEAD; the
// hello case, a Go program that prints one line, is the floor of a process.
// SIGHTLINE_STARTUP_BASE names another sightline binary to run alongside
// as "base" (e.g. main's, from `make build` in a worktree of main), so that
// a change is measured against it in the same run.
//
//	SIGHTLINE_STARTUP_BASE=/tmp/sightline-main go test -run '^$' -bench Startup -benchtime 40x ./ops/enry
func BenchmarkStartup(b *testing.B) {
	bins, err := sightlineBuilds()
	if err != nil {
		b.Fatal(err)
	}
	hello, err := buildHello(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	repo := cmp.Or(os.Getenv("SIGHTLINE_BENCH_REPO"), repoRoot)
	for _, c := range []struct {
		name string
		args []string
	}{
		{"help", []string{"--help"}},
		{"jobs", []string{"jobs"}},
		{"search-count", []string{"search", "count", "--repo", repo, "TODO"}},
		{"search-langs", []string{"search", "langs", "--repo", repo}},
	} {
		b.Run(c.name, func(b *testing.B) {
			cmds := map[string]func() *exec.Cmd{
				"stock": func() *exec.Cmd { return exec.Command(bins["stock"], c.args...) },
				"lazy":  func() *exec.Cmd { return exec.Command(bins["lazy"], c.args...) },
			}
			if base := os.Getenv("SIGHTLINE_STARTUP_BASE"); base != "" {
				cmds["base"] = func() *exec.Cmd { return exec.Command(base, c.args...) }
			}
			if c.name == "help" {
				cmds["hello"] = func() *exec.Cmd { return exec.Command(hello) }
			}
			if c.name == "search-count" {
				cmds["git-grep"] = func() *exec.Cmd {
					return exec.Command("git", "-C", repo, "grep", "-o", "-I", "-F", "-e", "TODO", "HEAD")
				}
			}
			alternate(b, cmds)
		})
	}
	b.Run("inittrace-help", func(b *testing.B) { initTrace(b, bins) })
}

// buildHello builds a Go program that prints one line: the floor of a Go
// process's start on this machine.
func buildHello(dir string) (string, error) {
	src := filepath.Join(dir, "hello.go")
	if err := os.WriteFile(src, []byte("package main\n\nfunc main() { println(\"hello\") }\n"), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "hello")
	cmd := exec.Command("go", "build", "-o", bin, src)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build hello.go: %v\n%s", err, out)
	}
	return bin, nil
}

// alternate runs each command once per iteration, rotating the order, and
// reports per command the minimum and median wall time in ms, and the
// minimum CPU time (user and system), which the machine's load inflates
// less.
func alternate(b *testing.B, cmds map[string]func() *exec.Cmd) {
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range cmds {
			if !yield(n) {
				return
			}
		}
	})
	walls, cpus := map[string][]float64{}, map[string][]float64{}
	for i := 0; b.Loop(); i++ {
		for j := range names {
			name := names[(i+j)%len(names)]
			cmd := cmds[name]()
			start := time.Now()
			if out, err := cmd.CombinedOutput(); err != nil {
				b.Fatalf("%s: %v\n%s", cmd, err, out)
			}
			walls[name] = append(walls[name], ms(time.Since(start)))
			cpus[name] = append(cpus[name], ms(cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime()))
		}
	}
	for _, name := range names {
		min, med := minMedian(walls[name])
		b.ReportMetric(min, name+"-min-ms")
		b.ReportMetric(med, name+"-median-ms")
		min, _ = minMedian(cpus[name])
		b.ReportMetric(min, name+"-min-cpu-ms")
	}
}

// initTrace runs `sightline --help` of both builds with GODEBUG=inittrace=1,
// alternating, and reports the minimum of the summed init clocks and the
// bytes the inits allocate (all packages, and go-enry's).
func initTrace(b *testing.B, bins map[string]string) {
	names := []string{"stock", "lazy"}
	if base := os.Getenv("SIGHTLINE_STARTUP_BASE"); base != "" {
		bins = maps.Clone(bins)
		bins["base"] = base
		names = append(names, "base")
	}
	clocks, gcs := map[string][]float64{}, map[string]int{}
	for i := 0; b.Loop(); i++ {
		for _, name := range names {
			t, err := traceInits(bins[name], "--help")
			if err != nil {
				b.Fatal(err)
			}
			clocks[name] = append(clocks[name], t.clock)
			gcs[name] += t.gcs
			b.ReportMetric(float64(t.bytes), name+"-init-bytes")
			b.ReportMetric(float64(t.enry), name+"-enry-init-bytes")
		}
	}
	for name, c := range clocks {
		min, med := minMedian(c)
		b.ReportMetric(min, name+"-init-min-ms")
		b.ReportMetric(med, name+"-init-median-ms")
		b.ReportMetric(float64(gcs[name])/float64(len(c)), name+"-gcs/run")
	}
}

// trace is what traceInits reads: the inits' summed clock (ms) and
// allocations (bytes), go-enry's allocations, and the garbage collections
// of the whole process.
type trace struct {
	clock            float64
	bytes, enry, gcs int
}

// traceInits runs bin with GODEBUG=inittrace=1,gctrace=1.
func traceInits(bin string, args ...string) (trace, error) {
	var t trace
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1,gctrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return t, fmt.Errorf("%s: %v\n%s", bin, err, stderr.Bytes())
	}
	sc := bufio.NewScanner(&stderr)
	for sc.Scan() {
		// init github.com/go-enry/go-enry/v2/data @0.5 ms, 0.84 ms clock, 642280 bytes, 6281 allocs
		f := strings.Fields(sc.Text())
		if len(f) > 1 && f[0] == "gc" {
			t.gcs++
		}
		if len(f) < 10 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		c, cerr := strconv.ParseFloat(f[4], 64)
		n, nerr := strconv.Atoi(f[7])
		if cerr != nil || nerr != nil {
			return t, fmt.Errorf("inittrace line %q: %v %v", sc.Text(), cerr, nerr)
		}
		t.clock += c
		t.bytes += n
		if strings.HasPrefix(f[1], "github.com/go-enry/") {
			t.enry += n
		}
	}
	return t, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func minMedian(xs []float64) (min, median float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := slices.Sorted(slices.Values(xs))
	return s[0], s[len(s)/2]
}
