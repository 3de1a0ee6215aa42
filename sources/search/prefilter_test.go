package search

import (
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRequiredLiterals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		re   string
		want *litSet
	}{
		{`foo`, &litSet{strs: []string{"foo"}}},
		{`foo\w+bar`, &litSet{strs: []string{"foo"}}},
		{`\w+Error\b`, &litSet{strs: []string{"Error"}}},
		{`ab[cd]ef`, &litSet{strs: []string{"abcef", "abdef"}}},
		{`colou?r`, &litSet{strs: []string{"color", "colour"}}},
		{`(foo|bar)baz`, &litSet{strs: []string{"barbaz", "foobaz"}}},
		{`(foo|bar)\d+`, &litSet{strs: []string{"bar", "foo"}}},
		{`foo|bar.*`, &litSet{strs: []string{"bar", "foo"}}},
		{`(?:TODO|FIXME)\(\w+\)`, &litSet{strs: []string{"FIXME(", "TODO("}}},
		{`x+yz`, &litSet{strs: []string{"yz"}}},
		{`(foo)?bar?`, &litSet{strs: []string{"ba"}}},
		{`(ab)+`, &litSet{strs: []string{"ab"}}},
		{`(?i)foo`, &litSet{strs: []string{"foo"}, fold: true}},
		{`(?i)Hello\s+World`, &litSet{strs: []string{"hello"}, fold: true}},
		// k may be a KELVIN SIGN and s a LONG S: both forms are required.
		{`(?i)kind`, &litSet{strs: []string{"kind", "\u212Aind"}, fold: true}},
		{`(?i)useState`, &litSet{strs: []string{"usestate", "useſtate", "uſestate", "uſeſtate"}, fold: true}},
		{`(?i)é+tude`, &litSet{strs: []string{"tude"}, fold: true}},
		{`a(?i)bc`, &litSet{strs: []string{"abc"}, fold: true}},
		{`^func \w+\(`, &litSet{strs: []string{"func "}}},
		{`\bimport\b`, &litSet{strs: []string{"import"}}},
		// No requirement worth scanning for.
		{`\w+`, nil},
		{`.*`, nil},
		{`a.b`, nil},
		{`foo|\d+`, nil},
		{`(foo)?b?`, nil},
		{`[a-z]{3}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.re, func(t *testing.T) {
			t.Parallel()
			tree, err := syntax.Parse(tt.re, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			got := requiredLiterals(tree)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(litSet{})); diff != "" {
				t.Errorf("requiredLiterals(%s) mismatch (-want +got):\n%s", tt.re, diff)
			}
		})
	}
}

// prefilterRegexps are regexps for the randomized tests below, chosen to
// cover literals, classes, alternations, repetition, anchors and folding.
var prefilterRegexps = []string{
	`ab`, `a+b`, `ab|ba`, `(a|b)c`, `a.c`, `[ab]c`, `(?i)ab`, `(?i)aK`, `(?i)s+b`,
	`^ab`, `ab$`, `\bab\b`, `a\nb`, `[^a]b`, `a\sb`, `\Aab`, `ab\z`, `(ab)+c?`,
	`a*`, `b?`, `^`, `$`, `(?m)^a`, `(?s)a.b`, `a{2,3}`, `(a)(b)?`, `x|`, `(?i)é`,
	`[\x{212A}k]a`, `a(?:b|c|)d`,
}

// randomText returns lines over a small alphabet that includes the
// characters Go folds specially, so matches and near misses are frequent.
func randomText(r *rand.Rand, n int) string {
	alphabet := []string{"a", "b", "c", "A", "B", "K", "k", "\u212A", "s", "\u017F", "é", "É", " ", "\n", "\n"}
	var b strings.Builder
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

// TestRequiredLiteralsSound checks that every line a regexp matches
// contains one of its required literals.
func TestRequiredLiteralsSound(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	for _, src := range prefilterRegexps {
		re := regexp.MustCompile(src)
		tree, _ := syntax.Parse(src, syntax.Perl)
		analyzed := analyze(tree.Simplify()).required()
		if analyzed == nil {
			continue
		}
		for range 300 {
			for _, line := range strings.Split(randomText(r, 40), "\n") {
				if re.MatchString(line) && !containsAny(line, analyzed) {
					t.Fatalf("%s matches %q, which contains none of %q (fold %v)", src, line, analyzed.strs, analyzed.fold)
				}
			}
		}
	}
}

func containsAny(line string, s *litSet) bool {
	if s.fold {
		line = asciiLower(line)
	}
	for _, x := range s.strs {
		if strings.Contains(line, x) {
			return true
		}
	}
	return false
}

// TestLineLocal checks that the line-local regexp finds, over a whole
// buffer, exactly the matches the regexp has on each line alone.
func TestLineLocal(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for _, src := range prefilterRegexps {
		re := regexp.MustCompile(src)
		tree, _ := syntax.Parse(src, syntax.Perl)
		local := regexp.MustCompile(lineLocal(tree).String())
		for range 200 {
			text := randomText(r, 60)
			if got, want := local.FindAllStringIndex(text, -1), perLineMatches(re, text); !sameNonEmpty(got, want) {
				t.Fatalf("%s (line-local %s) on %q:\n got %v\nwant %v", src, local, text, got, want)
			}
		}
	}
}

// perLineMatches returns re's matches on each line of text, as offsets in
// text.
func perLineMatches(re *regexp.Regexp, text string) [][]int {
	var out [][]int
	start := 0
	for _, line := range strings.SplitAfter(text, "\n") {
		for _, loc := range re.FindAllStringIndex(strings.TrimSuffix(line, "\n"), -1) {
			out = append(out, []int{start + loc[0], start + loc[1]})
		}
		start += len(line)
	}
	return out
}

// sameNonEmpty compares the non-empty matches: empty matches at a line's
// end differ (the whole buffer skips an empty match abutting a previous
// one across the newline) and are never counted.
func sameNonEmpty(a, b [][]int) bool {
	filter := func(m [][]int) [][]int {
		var out [][]int
		for _, loc := range m {
			if loc[0] != loc[1] {
				out = append(out, loc)
			}
		}
		return out
	}
	return cmp.Equal(filter(a), filter(b))
}
