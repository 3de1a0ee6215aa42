package search

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// oracleMaxFileSize keeps the generated large file above the limit.
const oracleMaxFileSize = 64 << 10

// oracleCase is a query and the `git grep` arguments that should count the
// same matches per file. Pathspecs follow "--".
type oracleCase struct {
	query string
	git   []string
}

var oracleCases = []oracleCase{
	{"foo", []string{"-F", "-i", "-e", "foo"}},
	{"case:yes Foo", []string{"-F", "-e", "Foo"}},
	{"aa", []string{"-F", "-i", "-e", "aa"}},
	{"return err", []string{"-F", "-i", "-e", "return err"}},
	{"TODO(", []string{"-F", "-i", "-e", "TODO("}},
	{"x :=", []string{"-F", "-i", "-e", "x :="}},
	{"useState", []string{"-F", "-i", "-e", "useState"}},
	{"case:yes useState", []string{"-F", "-e", "useState"}},
	{"/fo+/", []string{"-P", "-i", "-e", "fo+"}},
	{"/a.*b/", []string{"-P", "-i", "-e", "a.*b"}},
	{`case:yes /\bfunc\b/`, []string{"-P", "-e", `\bfunc\b`}},
	{`/(?:TODO|FIXME)\(\w+\)/`, []string{"-P", "-i", "-e", `(?:TODO|FIXME)\(\w+\)`}},
	{`/^\s+return/`, []string{"-P", "-i", "-e", `^\s+return`}},
	{`/err\s*!=\s*nil/`, []string{"-P", "-i", "-e", `err\s*!=\s*nil`}},
	{`case:yes /[A-Z]\w+/`, []string{"-P", "-e", `[A-Z]\w+`}},
	{`/\d+/`, []string{"-P", "-e", `\d+`}},
	{`/a*/`, []string{"-P", "-i", "-e", `a*`}},
	{`/\w+$/`, []string{"-P", "-i", "-e", `\w+$`}},
	{`/;$/`, []string{"-P", "-e", `;$`}},
	{`patterntype:regexp foo|bar`, []string{"-P", "-i", "-e", "foo|bar"}},
	{`/(a|ab)(c|bcd)/`, []string{"-P", "-i", "-e", "(a|ab)(c|bcd)"}},
	{`/x?y/`, []string{"-E", "-i", "-e", "x?y"}},
	{`case:yes /\ba/`, []string{"-P", "-e", `\ba`}},
	{`/a\b/`, []string{"-P", "-i", "-e", `a\b`}},
	{`/^\tfoo/`, []string{"-P", "-i", "-e", `^\tfoo`}},
	{`/(?i)kind|s(ta)te/`, []string{"-P", "-i", "-e", `kind|s(ta)te`}},
	{`lang:go foo`, []string{"-F", "-i", "-e", "foo", "--", "*.go"}},
	{`lang:python -lang:go foo`, []string{"-F", "-i", "-e", "foo", "--", "*.py"}},
	{`file:^cmd/ foo`, []string{"-F", "-i", "-e", "foo", "--", "cmd/"}},
	{`-file:_test\.go$ foo`, []string{"-F", "-i", "-e", "foo", "--", ".", ":(exclude)*_test.go"}},
	{`file:\.go$ -file:^vendor/ /\bfunc\b/`, []string{"-P", "-i", "-e", `\bfunc\b`, "--", "*.go", ":(exclude)vendor/"}},
	{`select:file foo`, []string{"-l", "-F", "-i", "-e", "foo"}},
	{`select:file case:yes /[A-Z]{3}/`, []string{"-l", "-P", "-e", "[A-Z]{3}"}},
}

// TestOracleGitGrep compares per-file counts with `git grep -o` (an
// independent implementation) on generated files committed to a real
// repository.
func TestOracleGitGrep(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	t.Parallel()
	files := oracleFiles(rand.New(rand.NewPCG(9, 10)))
	repo := gittest.New(t)
	repo.Commit(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "files", files)
	opts := MatchOpts{MaxFileSize: oracleMaxFileSize}
	for _, c := range oracleCases {
		t.Run(c.query, func(t *testing.T) {
			t.Parallel()
			q := mustParse(t, c.query)
			got := map[string]int{}
			for path, content := range files {
				if r := q.Match(path, []byte(content), opts); r.Matches > 0 {
					got[path] = r.Matches
				}
			}
			want := gitGrepCounts(t, repo.Dir, c.git)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("counts per file differ from git grep %q (-git +ours):\n%s", c.git, diff)
			}
			if r := q.Match("big/data.txt", []byte(files["big/data.txt"]), opts); q.InScope("big/data.txt", nil) && r.Skipped != SkipTooLarge {
				t.Errorf("large file: got %+v, want SkipTooLarge", r)
			}
		})
	}
}

// TestOracleCaptures compares capture-group values with the matches `git
// grep -o` prints.
func TestOracleCaptures(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	t.Parallel()
	files := oracleFiles(rand.New(rand.NewPCG(11, 12)))
	repo := gittest.New(t)
	repo.Commit(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "files", files)
	q := mustParse(t, `/(\w+)Error/`)
	got := map[string]int{}
	for path, content := range files {
		for v, n := range q.Match(path, []byte(content), MatchOpts{MaxFileSize: oracleMaxFileSize}).Captures {
			got[v] += n
		}
	}
	want := map[string]int{}
	for _, line := range gitGrepLines(t, repo.Dir, []string{"-h", "-P", "-i", "-e", `(\w+)Error`}) {
		want[line[:len(line)-len("Error")]]++
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("capture values differ from git grep (-git +ours):\n%s", diff)
	}
}

// TestOraclePath compares type:path with git's own pathspec matching.
func TestOraclePath(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	t.Parallel()
	files := oracleFiles(rand.New(rand.NewPCG(13, 14)))
	repo := gittest.New(t)
	repo.Commit(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "files", files)
	for query, pathspec := range map[string]string{
		"case:yes type:path main": "*main*",
		"type:path UTIL":          ":(icase)*util*",
	} {
		want := strings.Fields(repo.Git(time.Time{}, "ls-files", "--", pathspec))
		q := mustParse(t, query)
		var got []string
		for path := range files {
			if q.Match(path, nil, MatchOpts{}).Matches == 1 {
				got = append(got, path)
			}
		}
		if diff := cmp.Diff(want, got, cmpSorted); diff != "" {
			t.Errorf("%s: paths differ from git ls-files %s (-git +ours):\n%s", query, pathspec, diff)
		}
	}
}

var cmpSorted = cmp.Transformer("sort", func(s []string) []string {
	s = append([]string(nil), s...)
	slices.Sort(s)
	return s
})

// gitGrepCounts runs git grep -o (or -l) and counts output lines per file.
func gitGrepCounts(t *testing.T, dir string, args []string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for _, line := range gitGrepLines(t, dir, append([]string{"-z"}, args...)) {
		// -l -z ends names with NUL instead of a newline.
		for _, path := range strings.Split(strings.TrimSuffix(line, "\x00"), "\x00") {
			counts[path]++
			if !slices.Contains(args, "-l") {
				break // -o -z prints path NUL match
			}
		}
	}
	return counts
}

// gitGrepLines runs `git grep -I -o ARGS` in dir, leaving out the large
// file, and returns its output lines.
func gitGrepLines(t *testing.T, dir string, args []string) []string {
	t.Helper()
	if !slices.Contains(args, "--") {
		args = append(args, "--", ".")
	}
	args = append(append([]string{"grep", "-I", "-o"}, args...), ":(exclude)big/")
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	out, err := cmd.Output()
	if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() == 1 {
		return nil // no match
	} else if err != nil {
		t.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
}

// oracleFiles generates source-like files over a vocabulary that makes
// overlapping, case-varied and near-miss matches common, plus a binary file
// and a file over oracleMaxFileSize.
func oracleFiles(r *rand.Rand) map[string]string {
	dirs := []string{"", "cmd/", "pkg/util/", "web/src/", "docs/", "vendor/x/"}
	names := []string{"main", "util", "foo_test", "index", "README", "server"}
	exts := []string{".go", ".py", ".ts", ".md", ".h", ""}
	files := map[string]string{}
	for len(files) < 60 {
		path := dirs[r.IntN(len(dirs))] + names[r.IntN(len(names))] + exts[r.IntN(len(exts))]
		files[path] = oracleContent(r, 20+r.IntN(150))
	}
	files["assets/logo.bin"] = "foo\x00bar foo\n"
	var big strings.Builder
	for big.Len() <= oracleMaxFileSize {
		big.WriteString("foo Foo func main() { return err } TODO(x) FooError\n")
	}
	files["big/data.txt"] = big.String()
	return files
}

var oracleVocabulary = []string{
	"foo", "Foo", "FOO", "fooo", "bar", "a", "aa", "aab", "aaaa", "b", "ab", "abcd", "return", "err",
	"!=", "nil", "func", "main", "x", ":=", "1", "42", "TODO(alice)", "FIXME(bob)", "todo",
	"FooError", "barError", "ERROR", "Kind", "useState", "USESTATE", "y", "xy", ";", "{", "}",
}

func oracleContent(r *rand.Rand, lines int) string {
	seps := []string{" ", " ", " ", "", "\t", "(", ")", ";", "."}
	var b bytes.Buffer
	for i := range lines {
		if r.IntN(4) == 0 {
			b.WriteString("\t")
		}
		for j := range r.IntN(9) {
			if j > 0 {
				b.WriteString(seps[r.IntN(len(seps))])
			}
			b.WriteString(oracleVocabulary[r.IntN(len(oracleVocabulary))])
		}
		switch {
		case i == lines-1 && r.IntN(2) == 0: // no final newline
		case r.IntN(20) == 0:
			b.WriteString("\r\n")
		default:
			b.WriteString("\n")
		}
	}
	return b.String()
}

func TestOracleFilesAreDeterministic(t *testing.T) {
	t.Parallel()
	a, b := oracleFiles(rand.New(rand.NewPCG(1, 1))), oracleFiles(rand.New(rand.NewPCG(1, 1)))
	if !cmp.Equal(a, b) {
		t.Fatal("oracleFiles is not deterministic")
	}
	if len(a) < 60 {
		t.Fatal(fmt.Sprint("too few files: ", len(a)))
	}
}
