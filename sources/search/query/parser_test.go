package query

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		query       string
		want        string // String() of the parsed query
		pattern     string
		isRegexp    bool
		wantCapture bool
	}{
		{name: "literal", query: "foo", want: `"foo"`, pattern: "foo"},
		{name: "spaces collapse", query: "  foo \t  bar  ", want: `"foo bar"`, pattern: "foo bar"},
		{name: "regexp chars are literal", query: "a.*b(", want: `"a.*b("`, pattern: "a.*b("},
		{name: "balanced parens are literal", query: "fmt.Println() (x)", want: `"fmt.Println() (x)"`, pattern: "fmt.Println() (x)"},
		{name: "slashed regexp", query: "/a.*b/", want: `patterntype:regexp "a.*b"`, pattern: "a.*b", isRegexp: true},
		{name: "slashed with inner slash", query: "/a/b/", want: `patterntype:regexp "a/b"`, pattern: "a/b", isRegexp: true},
		{name: "slashed with space", query: "/foo bar/", want: `patterntype:regexp "foo bar"`, pattern: "foo bar", isRegexp: true},
		{name: "slash not closed is literal", query: "/usr/bin", want: `"/usr/bin"`, pattern: "/usr/bin"},
		{name: "slashes literal in literal mode", query: "patterntype:literal /a/", want: `patterntype:literal "/a/"`, pattern: "/a/"},
		{name: "slashed spaces collapse in literal mode", query: "patterntype:literal /a   b/", want: `patterntype:literal "/a b/"`, pattern: "/a b/"},
		{name: "standard", query: "patterntype:standard foo", want: `patterntype:standard "foo"`, pattern: "foo"},
		{name: "standard slashed", query: "patterntype:standard /fo+/", want: `patterntype:regexp "fo+"`, pattern: "fo+", isRegexp: true},
		{name: "patterntype regexp", query: "patterntype:regexp fo+ ba?r", want: `patterntype:regexp "fo+ ba?r"`, pattern: "fo+ ba?r", isRegexp: true},
		{name: "patterntype regex alias", query: "PatternType:Regex x", want: `patterntype:regexp "x"`, pattern: "x", isRegexp: true},
		{name: "capture group", query: `/(\w+)Error/`, want: `patterntype:regexp "(\\w+)Error"`, pattern: `(\w+)Error`, isRegexp: true, wantCapture: true},
		{name: "non-capturing group", query: `/(?:\w+)Error/`, want: `patterntype:regexp "(?:\\w+)Error"`, pattern: `(?:\w+)Error`, isRegexp: true},
		{name: "double quoted", query: `"foo  bar"`, want: `"foo  bar"`, pattern: "foo  bar"},
		{name: "single quoted", query: `'a "b" c'`, want: `"a \"b\" c"`, pattern: `a "b" c`},
		{name: "quote escapes", query: `"a\"b\\c\n\t\d"`, want: `"a\"b\\c\n\t\\d"`, pattern: "a\"b\\c\n\t\\d"},
		{name: "quoted and/or", query: `"a and b"`, want: `"a and b"`, pattern: "a and b"},
		{name: "quoted filter-like", query: `"file:x"`, want: `"file:x"`, pattern: "file:x"},
		{name: "quoted regexp", query: `patterntype:regexp "a b+"`, want: `patterntype:regexp "a b+"`, pattern: "a b+", isRegexp: true},
		{name: "unknown field is text", query: "http://example.com std::vector", want: `"http://example.com std::vector"`, pattern: "http://example.com std::vector"},
		{name: "dash term is text", query: "-foo --bar", want: `"-foo --bar"`, pattern: "-foo --bar"},
		{name: "file filters", query: `file:\.go$ -file:_test\.go$ f:cmd -f:vendor x`,
			want: `file:\.go$ file:cmd -file:_test\.go$ -file:vendor "x"`, pattern: "x"},
		{name: "quoted file value", query: `file:"my dir/" x`, want: `file:"my dir/" "x"`, pattern: "x"},
		{name: "single quoted file value", query: `file:'a b' x`, want: `file:"a b" "x"`, pattern: "x"},
		{name: "repo filters", query: `repo:^github\.com/a/ -repo:fork r:b x`, want: `repo:^github\.com/a/ repo:b -repo:fork "x"`, pattern: "x"},
		{name: "lang names and aliases", query: "lang:go l:Go language:golang x", want: `lang:Go lang:Go lang:Go "x"`, pattern: "x"},
		{name: "lang c++", query: "lang:c++ lang:cpp -lang:typescript -lang:TS x", want: `lang:C++ lang:C++ -lang:TypeScript -lang:TypeScript "x"`, pattern: "x"},
		{name: "lang with space", query: `lang:"visual basic .net" x`, want: `lang:"Visual Basic .NET" "x"`, pattern: "x"},
		{name: "case", query: "case:yes X", want: `case:yes "X"`, pattern: "X"},
		{name: "case no", query: "CASE:NO X", want: `case:no "X"`, pattern: "X"},
		{name: "type path", query: "type:path main", want: `type:path "main"`, pattern: "main"},
		{name: "type file", query: "type:file main", want: `type:file "main"`, pattern: "main"},
		{name: "select file", query: "select:file x", want: `select:file "x"`, pattern: "x"},
		{name: "count all", query: "count:all x", want: `count:all "x"`, pattern: "x"},
		{name: "count n", query: "count:0100 x", want: `count:100 "x"`, pattern: "x"},
		{name: "fork archived timeout", query: "fork:yes archived:only timeout:90s x",
			want: `fork:yes archived:only timeout:1m30s "x"`, pattern: "x"},
		{name: "filters only", query: "lang:go", want: "lang:Go"},
		{name: "patterntype only", query: "patterntype:regexp", want: "patterntype:regexp"},
		{name: "filter order normalized", query: `x case:yes file:a repo:b`, want: `repo:b file:a case:yes "x"`, pattern: "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := Parse(tt.query)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.query, err)
			}
			if got := q.String(); got != tt.want {
				t.Errorf("String() = %s, want %s", got, tt.want)
			}
			pattern, isRegexp := q.Pattern()
			if pattern != tt.pattern || isRegexp != tt.isRegexp {
				t.Errorf("Pattern() = %q, %v, want %q, %v", pattern, isRegexp, tt.pattern, tt.isRegexp)
			}
			if q.HasCaptures() != tt.wantCapture {
				t.Errorf("HasCaptures() = %v", q.HasCaptures())
			}
			assertRoundTrip(t, q)
		})
	}
}

func TestParseAccessors(t *testing.T) {
	t.Parallel()
	q, err := Parse(`repo:a -repo:b fork:only archived:no timeout:5s lang:go -lang:c case:yes type:path select:file x`)
	if err != nil {
		t.Fatal(err)
	}
	want := RepoFilters{Include: []string{"a"}, Exclude: []string{"b"}, Fork: "only", Archived: "no", Timeout: 5 * time.Second}
	if diff := cmp.Diff(want, q.RepoFilters()); diff != "" {
		t.Errorf("RepoFilters() mismatch (-want +got):\n%s", diff)
	}
	include, exclude := q.Langs()
	if diff := cmp.Diff([][]string{{"Go"}, {"C"}}, [][]string{include, exclude}); diff != "" {
		t.Errorf("Langs() mismatch (-want +got):\n%s", diff)
	}
	if !q.CaseSensitive() || !q.PathOnly() || !q.SelectFile() || q.NeedsContent() {
		t.Errorf("flags: case %v path %v select %v needs content %v", q.CaseSensitive(), q.PathOnly(), q.SelectFile(), q.NeedsContent())
	}
}

func TestMatchRepo(t *testing.T) {
	t.Parallel()
	q := mustParse(t, `repo:^github\.com/acme/ -repo:-archive$ x`)
	for name, want := range map[string]bool{
		"github.com/acme/api":         true,
		"GitHub.com/Acme/web":         true,
		"github.com/acme/old-archive": false,
		"gitlab.com/acme/api":         false,
	} {
		if got := q.MatchRepo(name); got != want {
			t.Errorf("MatchRepo(%q) = %v, want %v", name, got, want)
		}
	}
	if !mustParse(t, "x").MatchRepo("anything") {
		t.Error("a query without repo: filters must match every repo")
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		query string
		want  string
	}{
		{"empty", "", `empty query at column 1; type a pattern or a filter such as file:`},
		{"blank", "  \t ", `empty query at column 1; type a pattern or a filter such as file:`},
		{"empty quoted", `""`, `empty query at column 1; type a pattern or a filter such as file:`},
		{"unknown filter", "foo fiel:bar", `unknown filter "fiel:" at column 5; did you mean "file:"?`},
		{"unknown negated filter", "x -lnag:go", `unknown filter "-lnag:" at column 3; did you mean "-lang:"?`},
		{"unknown long filter", "x patterntyp:regexp", `unknown filter "patterntyp:" at column 3; did you mean "patterntype:"?`},
		{"unknown filter two edits", "x langauge:go", `unknown filter "langauge:" at column 3; did you mean "language:"?`},
		{"unsupported filter", "x rev:main", `filter "rev:" is not supported at column 3`},
		{"not negatable", "x -case:yes", `filter "case:" cannot be negated at column 3`},
		{"missing value", "x file:", `filter "file:" needs a value at column 3`},
		{"missing value before space", "file: x", `filter "file:" needs a value at column 1`},
		{"case maybe", "x case:maybe", `invalid value "maybe" for "case:" at column 8; use case:yes or case:no`},
		{"patterntype structural", "x patterntype:structural", `invalid value "structural" for "patterntype:" at column 15; use patterntype:literal or patterntype:regexp or patterntype:standard`},
		{"type diff", "x type:diff", `invalid value "diff" for "type:" at column 8; use type:file or type:path`},
		{"select repo", "x select:repo", `invalid value "repo" for "select:" at column 10; use select:file`},
		{"count zero", "x count:0", `invalid value "0" for "count:" at column 9; use count:all or a positive number`},
		{"timeout", "x timeout:soon", `invalid value "soon" for "timeout:" at column 11; use a duration such as timeout:30s`},
		{"fork", "x fork:maybe", `invalid value "maybe" for "fork:" at column 8; use fork:yes or fork:no or fork:only`},
		{"repeated case", "x case:yes case:no", `filter "case:" appears more than once at column 12`},
		{"unknown lang", "x lang:golnag", `unknown language "golnag" at column 8; did you mean "lang:golang"?`},
		{"unknown negated lang", "x -lang:pyhton", `unknown language "pyhton" at column 9; did you mean "lang:python"?`},
		{"unknown lang far off", "x lang:qqqqqqqqqqqqqqqq", `unknown language "qqqqqqqqqqqqqqqq" at column 8`},
		{"invalid file regexp", "x file:a(b", "invalid regexp at column 8: error parsing regexp: missing closing ): `a(b`"},
		{"invalid repo regexp", "x -repo:*", "invalid regexp at column 9: error parsing regexp: missing argument to repetition operator: `*`"},
		{"invalid pattern regexp", "count:all /a(/", "invalid regexp at column 11: error parsing regexp: missing closing ): `a(`"},
		{"invalid patterntype regexp", "patterntype:regexp   a[", "invalid regexp at column 22: error parsing regexp: missing closing ]: `[`"},
		{"unterminated double", `x "foo`, `unterminated quoted string at column 3; add a closing "`},
		{"unterminated single", `x 'foo\'`, `unterminated quoted string at column 3; add a closing '`},
		{"unterminated filter value", `file:"x`, `unterminated quoted string at column 6; add a closing "`},
		{"text after quote", `"foo"bar`, `unexpected text after quoted string at column 6; separate terms with a space`},
		{"and", "foo AND bar", `operator "AND" is not supported at column 5; quote the pattern to search for the words literally`},
		{"or", "foo or bar", `operator "or" is not supported at column 5; quote the pattern to search for the words literally`},
		{"not", "NOT foo", `operator "NOT" is not supported at column 1; quote the pattern to search for the words literally`},
		{"grouping", "(foo bar)", `grouping with parentheses is not supported at column 1; quote the pattern to search for parentheses literally`},
		{"mixed regexp", "foo /ba+r/", `a /regexp/ cannot be combined with other pattern terms at column 5; put the whole pattern between slashes, or use patterntype:regexp`},
		{"column counts characters", "héllo fiel:x", `unknown filter "fiel:" at column 7; did you mean "file:"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, err := Parse(tt.query)
			if err == nil {
				t.Fatalf("Parse(%q) = %s, want error %s", tt.query, q, tt.want)
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("Parse(%q) error\n got: %s\nwant: %s", tt.query, got, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Column < 1 {
				t.Errorf("error %T is not a *ParseError with a column", err)
			}
		})
	}
}

func TestFingerprint(t *testing.T) {
	t.Parallel()
	fp := func(s string) string { return mustParse(t, s).Fingerprint() }
	same := [][2]string{
		{"foo", "repo:a -repo:b file:x -file:y lang:go foo"},
		{"foo bar", "foo   bar"},
		{"foo", `"foo"`},
		{"/fo+/", "patterntype:regexp fo+"},
		{"foo", "patterntype:literal foo"},
		{"foo", "count:all timeout:1s fork:yes foo"},
		{"foo", "case:no foo"},
	}
	for _, p := range same {
		if fp(p[0]) != fp(p[1]) {
			t.Errorf("Fingerprint(%q) != Fingerprint(%q)", p[0], p[1])
		}
	}
	different := [][2]string{
		{"foo", "Foo"},
		{"foo", "case:yes foo"},
		{"foo", "/foo/"},
		{"foo", "type:path foo"},
		{"foo", "select:file foo"},
		{"foo", "foo bar"},
	}
	for _, p := range different {
		if fp(p[0]) == fp(p[1]) {
			t.Errorf("Fingerprint(%q) == Fingerprint(%q)", p[0], p[1])
		}
	}
}

// TestLangRoundTrip checks that every go-enry language name reads back from
// String(): a lang: value is written as the canonical name.
func TestLangRoundTrip(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, key := range langKeys() {
		lang, _ := resolveLang(key)
		if seen[lang] {
			continue
		}
		seen[lang] = true
		q, err := Parse("lang:" + quoteValue(lang))
		if err != nil {
			t.Errorf("lang %q: %v", lang, err)
			continue
		}
		if include, _ := q.Langs(); len(include) != 1 || include[0] != lang {
			t.Errorf("lang %q parsed as %q", lang, include)
		}
	}
}

func mustParse(t testing.TB, s string) *Query {
	t.Helper()
	q, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return q
}

// assertRoundTrip checks that String() parses back to an equivalent query.
func assertRoundTrip(t testing.TB, q *Query) {
	t.Helper()
	s := q.String()
	q2, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(String()) of %s: %v", s, err)
	}
	if s2 := q2.String(); s2 != s {
		t.Fatalf("String() does not round-trip:\n first: %s\nsecond: %s", s, s2)
	}
	if q.Fingerprint() != q2.Fingerprint() {
		t.Fatalf("Fingerprint changed on round trip of %s", s)
	}
}
