package ops_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNothingImportsOps checks that the ops root package stays a leaf: the
// operator files live beside it, and no Go package depends on it (pgstore
// embeds its own postgres.sh).
func TestNothingImportsOps(t *testing.T) {
	t.Parallel()
	const module = "github.com/sightline-dev/sightline"
	const ops = module + "/ops"
	out, err := exec.Command("go", "list", "-test", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, module+"/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) < 20 {
		t.Fatalf("go list %s/... listed %d packages, want the whole module:\n%s", module, len(lines), out)
	}
	for _, line := range lines {
		fields := strings.Fields(line)
		if strings.HasSuffix(fields[0], ".test") {
			continue // a generated test main imports the package it tests
		}
		for _, imp := range fields[1:] {
			if imp == ops {
				t.Errorf("%s imports %s; the ops root package is a leaf, hand what it holds to the importer instead", fields[0], ops)
			}
		}
	}
}
