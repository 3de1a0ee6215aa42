package jobs_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// pendingEdges are job-to-job imports allowed until a parallel change of
// issue 10 lands; each names why. Delete an entry when the test says it is
// unused.
var pendingEdges = map[[2]string]string{}

// TestNoJobImportsAnotherJob fails when a job package (jobs/X/...)
// depends on another job package (jobs/Y/...), directly or through other
// packages. A job is orchestration: what two jobs share belongs in a
// package that is not a job — jobs/internal/... (e.g. jobs/internal/planning),
// a store under sinks/, or sources/ and pipeline/. The jobs root (the
// runner), jobs/internal/... and test-support packages (…test) are not
// jobs; test files are not checked (a test may run several jobs).
func TestNoJobImportsAnotherJob(t *testing.T) {
	t.Parallel()
	root, pkgs := listJobPackages(t)
	used := map[[2]string]bool{}
	for _, p := range pkgs {
		from := jobOf(root, p.ImportPath)
		if from == "" {
			continue
		}
		for _, dep := range p.Deps {
			to := jobOf(root, dep)
			if to == "" || to == from {
				continue
			}
			edge := [2]string{from, to}
			if _, ok := pendingEdges[edge]; ok {
				used[edge] = true
				continue
			}
			how := "depends on (through another package)"
			if slices.Contains(p.Imports, dep) {
				how = "imports"
			}
			t.Errorf("%s %s %s: a job must not use another job; move what they share to a package that is not a job (jobs/internal/..., a store under sinks/)",
				p.ImportPath, how, dep)
		}
	}
	for edge, what := range pendingEdges {
		if !used[edge] {
			t.Errorf("jobs/%s no longer depends on jobs/%s (%s): delete its pendingEdges entry", edge[0], edge[1], what)
		}
	}
}

// goPackage is the part of `go list -json` the test reads.
type goPackage struct {
	ImportPath string
	Imports    []string // direct, without test files
	Deps       []string // transitive, without test files
}

// listJobPackages returns the jobs root's import path and every package
// under it, as the go command sees them.
func listJobPackages(t *testing.T) (string, []goPackage) {
	t.Helper()
	out, err := exec.Command("go", "list", "-json=ImportPath,Imports,Deps", "./...").Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		t.Fatalf("go list ./...: %v\n%s", err, ee.Stderr)
	}
	if err != nil {
		t.Fatalf("go list ./...: %v", err)
	}
	var pkgs []goPackage
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p goPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("decode go list output: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 || !strings.HasSuffix(pkgs[0].ImportPath, "/jobs") {
		t.Fatalf("go list ./... in jobs/ listed %d packages; want the jobs root first", len(pkgs))
	}
	return pkgs[0].ImportPath, pkgs
}

// jobOf returns the job package that import path path belongs to (the
// first element under the jobs root), or "" when it is not part of a job.
func jobOf(root, path string) string {
	rest, ok := strings.CutPrefix(path, root+"/")
	if !ok {
		return ""
	}
	first, _, _ := strings.Cut(rest, "/")
	if first == "internal" || strings.HasSuffix(first, "test") {
		return ""
	}
	return first
}
