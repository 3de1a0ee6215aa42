package query_test

import (
	"errors"
	"testing"

	"github.com/sightline-dev/sightline/sources/search"
	"github.com/sightline-dev/sightline/sources/search/query"
)

// FuzzParse checks that Parse never panics, that its errors are
// *ParseError values with a column inside the query, and that a parsed
// query round-trips through String(). It compiles and matches every parsed
// query too (package search), as search.Parse does; compiling may reject
// what parsing accepts, with a *ParseError as well.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"foo", "foo   bar", `"foo bar"`, `'a\'b'`, `"a\"b\\c\n"`, "/a.*b/", "/a/b/ c",
		"patterntype:regexp (\\w+)Error", "patterntype:literal /x/", "patterntype:standard /x/",
		`file:\.go$ -file:_test -f:"my dir/" x`, "lang:go -lang:c++ l:ts x", "lang:golnag",
		"repo:^a$ -repo:b r:c x", "case:yes type:path select:file count:all x",
		"count:10 fork:only archived:yes timeout:1m x", "fiel:x", "foo AND bar", "(a b)",
		"fmt.Println(", "http://x", "std::vector", `"unterminated`, "-case:yes", "file:",
		"héllo wörld", "\xff\xfe", "a\u00a0b", `"\`, "/", "//", "/\\/", "x /(/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := query.Parse(s)
		var sq *search.Query
		if err == nil {
			query.AssertRoundTrip(t, q)
			sq, err = search.Compile(q)
		}
		if err != nil {
			var pe *query.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %v is %T, not *ParseError", s, err, err)
			}
			if pe.Column < 1 || pe.Column > len(s)+1 {
				t.Fatalf("Parse(%q) error column %d is outside the query", s, pe.Column)
			}
			return
		}
		// Matching any parsed query must not panic either.
		sq.Match("dir/file.go", []byte(s+"\n"+s), search.MatchOpts{})
	})
}
