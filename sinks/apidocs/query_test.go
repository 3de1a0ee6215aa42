package apidocs_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/apidocs"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, in string
		want     apidocs.Query
		err      string
	}{
		{"text only", "mux.Router", apidocs.Query{Text: "mux.Router"}, ""},
		{"terms anywhere", "repo:^github lang:go New Router kind:function",
			apidocs.Query{Text: "New Router", Repo: "^github", Lang: "go", Kind: "function"}, ""},
		{"other colons are text", "std::vector", apidocs.Query{Text: "std::vector"}, ""},
		{"no text", "repo:x lang:go", apidocs.Query{}, "empty query"},
		{"empty term", "Router lang:", apidocs.Query{}, `query term "lang:": want lang:VALUE`},
		{"repeated term", "Router repo:a repo:b", apidocs.Query{}, "repo: is given twice"},
		{"bad pattern", "Router repo:(", apidocs.Query{}, "query term repo:("},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := apidocs.ParseQuery(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseQuery(%q) error = %v, want one containing %q", tc.in, err, tc.err)
				}
				if tc.err == "empty query" && !errors.Is(err, apidocs.ErrEmptyQuery) {
					t.Errorf("error %v is not ErrEmptyQuery", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseQuery(%q) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}
