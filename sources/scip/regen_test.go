package scip_test

import (
	"bytes"
	"os"
	"os/exec"
	"testing"
)

// TestRegenerate, with SCIP_REGENERATE=1, runs testdata/regen.sh (which
// needs npm, and installs scip-typescript the first time) and fails if the
// committed indexes differ from what it writes: the fixtures stay
// reproducible. Without the variable it does nothing, so that make test
// needs neither npm nor the registry.
func TestRegenerate(t *testing.T) {
	if os.Getenv("SCIP_REGENERATE") == "" {
		t.Skip("set SCIP_REGENERATE=1 to regenerate testdata/*.scip with scip-typescript (needs npm)")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		t.Fatal("SCIP_REGENERATE is set but npm is not installed: install nodejs and npm")
	}
	before := map[string][]byte{}
	for _, f := range []string{"shapes.scip", "app.scip"} {
		b, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		before[f] = b
	}
	cmd := exec.Command("testdata/regen.sh")
	cmd.Stderr = os.Stderr
	if out, err := cmd.Output(); err != nil {
		t.Fatalf("regen.sh: %v\n%s", err, out)
	}
	for f, b := range before {
		after, err := os.ReadFile("testdata/" + f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, after) {
			t.Errorf("testdata/%s changed when regenerated (%d -> %d bytes): review and commit it", f, len(b), len(after))
		}
	}
}
