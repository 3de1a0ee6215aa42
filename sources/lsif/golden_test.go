package lsif_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestGolden pins the whole output for the lsif-tsc fixtures and the
// hand-written dump: testdata/NAME.golden, rewritten with -update.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"shapes.lsif.gz", "app.lsif.gz", "handwritten.lsif"} {
		t.Run(name, func(t *testing.T) {
			rec, _ := convertFixture(t, name)
			got := rec.Text()
			golden := "testdata/" + strings.TrimSuffix(strings.TrimSuffix(name, ".gz"), ".lsif") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got; go test -update rewrites it):\n%s", golden, diff)
			}
		})
	}
}
