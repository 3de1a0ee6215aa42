package search

import (
	"math/rand/v2"
	"os/exec"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// textModes are the ways a pass prepares a file's content for several
// queries: found together by a Group, or shared (one lower-cased copy).
func textModes(g *Group) map[string]func([]byte) *Text {
	return map[string]func([]byte) *Text{"group": g.Text, "shared": NewSharedText}
}

// TestOracleGroupGitGrep evaluates every oracle case together, as a pass
// evaluates a dashboard: each file's content is one Text that all the
// queries match, through a Group or shared. Per-file counts, and the
// values of a capture group, must be git grep's.
func TestOracleGroupGitGrep(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git not installed: the oracle is git grep")
	}
	t.Parallel()
	files := oracleFiles(rand.New(rand.NewPCG(15, 16)))
	repo := gittest.New(t)
	repo.Commit(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "files", files)
	var qs []*Query
	want := make([]map[string]int, len(oracleCases))
	for i, c := range oracleCases {
		qs = append(qs, mustParse(t, c.query))
		want[i] = gitGrepCounts(t, repo.Dir, c.git)
	}
	capture := mustParse(t, `/(\w+)Error/`)
	qs = append(qs, capture)
	wantValues := map[string]int{}
	for _, line := range gitGrepLines(t, repo.Dir, []string{"-h", "-P", "-i", "-e", `(\w+)Error`}) {
		wantValues[line[:len(line)-len("Error")]]++
	}
	g := NewGroup(qs)
	if len(g.ids) < 15 {
		t.Fatalf("the group finds %d literals of the oracle cases; the test needs most of them", len(g.ids))
	}
	for mode, newText := range textModes(g) {
		got := make([]map[string]int, len(qs))
		for i := range got {
			got[i] = map[string]int{}
		}
		values := map[string]int{}
		opts := MatchOpts{MaxFileSize: oracleMaxFileSize}
		for path, content := range files {
			text := newText([]byte(content))
			for i, q := range qs {
				r := q.MatchText(path, text, opts)
				if r.Matches > 0 {
					got[i][path] = r.Matches
				}
				if q == capture {
					for v, n := range r.Captures {
						values[v] += n
					}
				}
			}
			text.Release()
		}
		for i, c := range oracleCases {
			if diff := cmp.Diff(want[i], got[i]); diff != "" {
				t.Errorf("%s: %s: counts per file differ from git grep %q (-git +ours):\n%s", mode, c.query, c.git, diff)
			}
		}
		if diff := cmp.Diff(wantValues, values); diff != "" {
			t.Errorf("%s: capture values differ from git grep (-git +ours):\n%s", mode, diff)
		}
	}
}

// TestGroupFoldsAndBinary checks what git grep cannot judge (it does not
// fold U+212A KELVIN SIGN to k, nor U+017F LONG S to s, as Go's (?i)
// does) and binary files: a Group's or shared Text gives the same result
// as matching each query on its own, which TestOracleGitGrep checks
// against git grep.
func TestGroupFoldsAndBinary(t *testing.T) {
	t.Parallel()
	queries := []string{"kind", "Status", "errors.New", "if err", "TODO", "K", `/errors\.New\("(\w+)/`,
		`/(?:todo|fixme)\(\w+\)/`, "select:file kind", "case:yes Kind", "straße", `/\bKind\b/`}
	contents := []string{
		"Kind kind KIND \u212Aind\nstatu\u017F Status errors.New(\"x\") errorſ.New(\"y\")\n",
		"if err != nil { TODO(ann) }\nFIXME(bob) todo(carl) ſtraße STRASSE\n",
		"\u212A \u212A \u212A k K\nerrors.new(\"a\") ERRORS.NEW(\"B\")\n",
		"kind\x00binary kind\n",
		"TODOTODO todotodo toDOTODO\n",
	}
	var qs []*Query
	for _, s := range queries {
		qs = append(qs, mustParse(t, s))
	}
	g := NewGroup(qs)
	for mode, newText := range textModes(g) {
		for _, c := range contents {
			text := newText([]byte(c))
			for _, q := range qs {
				want := q.Match("a.go", []byte(c), MatchOpts{})
				if diff := cmp.Diff(want, q.MatchText("a.go", text, MatchOpts{})); diff != "" {
					t.Errorf("%s: %s in %q: differs from the query alone (-alone +%s):\n%s", mode, q, c, mode, diff)
				}
			}
			text.Release()
		}
	}
}
