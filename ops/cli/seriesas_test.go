package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeriesAsEmptyUser: an empty --as is not the administrator. In every output
// form it is a usage error that prints no data and writes no chart.
func TestSeriesAsEmptyUser(t *testing.T) {
	t.Parallel()
	f := newSeriesFixture(t)
	chart := filepath.Join(t.TempDir(), "c.svg")
	for _, args := range [][]string{
		{"--as", ""},
		{"--as="},
		{"--as", "  "},
		{"--as", "", "--format", "json"},
		{"--as", "", "--format", "csv"},
		{"--as", "", "--chart", chart},
	} {
		code, stdout, stderr := f.run(t, append([]string{"series", "debt"}, args...)...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "--as: user name") {
			t.Errorf("series debt %q: exit %d, stdout %q, stderr %q; want exit 2, no output, an error about --as",
				args, code, stdout, stderr)
		}
	}
	if _, err := os.Stat(chart); !os.IsNotExist(err) {
		t.Errorf("chart written for --as '': %v", err)
	}
}
