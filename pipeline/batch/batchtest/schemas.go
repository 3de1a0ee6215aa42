// Package batchtest helps tests of the packages that declare batch kinds.
// Only tests import it.
package batchtest

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/batch"
)

var update = flag.Bool("update-schemas", false, "rewrite testdata/schemas/*.schema from the kinds")

// CheckSchemas compares each kind's Arrow schema, metadata included, with
// testdata/schemas/NAME.vVERSION.schema in the test's package. A batch
// stored by one binary is read by the next, so a kind's fields must not
// change within a version: a changed schema needs a new version (a new
// file), and `go test -update-schemas` writes the files of new versions.
func CheckSchemas(t *testing.T, kinds ...batch.Kind) {
	t.Helper()
	for _, k := range kinds {
		path := filepath.Join("testdata", "schemas", fmt.Sprintf("%s.v%d.schema", k.Name(), k.Version()))
		got := k.Schema().String() + "\n"
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("kind %s: %v (a new kind or version: run go test -update-schemas)", k, err)
			continue
		}
		if diff := cmp.Diff(string(want), got); diff != "" {
			t.Errorf("kind %s: schema differs from %s (-want +got); a changed kind needs a new version:\n%s", k, path, diff)
		}
	}
}
