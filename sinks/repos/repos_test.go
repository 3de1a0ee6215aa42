package repos_test

import (
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/sinks/repos"
)

// TestSourceMasksToken checks that a URL repository's source, as shown,
// does not show the token in its URL.
func TestSourceMasksToken(t *testing.T) {
	t.Parallel()
	byHTTPS := repos.Spec{Name: "h", URL: "https://user:tok3n@example.com/h.git"}
	if got := (repos.Repo{Spec: byHTTPS}).Source(); strings.Contains(got, "tok3n") {
		t.Errorf("Source() = %q shows the token", got)
	}
}
