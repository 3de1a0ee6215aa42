package search

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMatchContent(t *testing.T) {
	t.Parallel()
	const goFile = "package main\n\nfunc main() {\n\tfmt.Println(\"Hello, World\") // TODO: hello\n\tfoo := FooBar{}\n}\n"
	tests := []struct {
		name    string
		query   string
		content string
		want    FileResult
	}{
		{"literal", "hello", goFile, FileResult{Matches: 2}},
		{"literal case:yes", "case:yes hello", goFile, FileResult{Matches: 1}},
		{"literal overlapping", "aa", "aaaa\naaa", FileResult{Matches: 3}},
		{"literal with spaces", "func main", goFile, FileResult{Matches: 1}},
		{"literal no match", "nothere", goFile, FileResult{}},
		{"literal regexp chars", "FooBar{}", goFile, FileResult{Matches: 1}},
		{"select:file", "select:file o", goFile, FileResult{Matches: 1}},
		{"select:file no match", "select:file zzz", goFile, FileResult{}},
		{"regexp", `/fo+/`, goFile, FileResult{Matches: 2}},
		{"regexp greedy per line", `/a.*b/`, "xaybxab\nab\nb a\n", FileResult{Matches: 2}},
		{"regexp never spans lines", `/a\s+b/`, "a\nb\na b", FileResult{Matches: 1}},
		{"regexp newline never matches", `/a\nb/`, "a\nb", FileResult{}},
		{"regexp anchors per line", `/^\tf/`, goFile, FileResult{Matches: 2}},
		{"regexp caret once per line", `/^a/`, "aaa\naa", FileResult{Matches: 2}},
		{"regexp dollar per line", `/\w+$/`, "ab cd\nef\n", FileResult{Matches: 2}},
		{"regexp no required literal", `case:yes /[A-Z]\w+/`, goFile, FileResult{Matches: 5}},
		{"regexp alternation", `/TODO|FIXME|Hello/`, goFile, FileResult{Matches: 3}},
		{"regexp (?i)", `/(?i)HELLO/`, goFile, FileResult{Matches: 2}},
		{"regexp case:yes", `case:yes /Hello/`, goFile, FileResult{Matches: 1}},
		{"regexp case:yes with (?i)", `case:yes /(?i)HELLO/`, goFile, FileResult{Matches: 2}},
		{"regexp empty match stops the line", `/a*/`, "baa\naab\naab a\n", FileResult{Matches: 2}},
		{"regexp rest of line is a new subject", `case:yes /\ba/`, "aa\nxaa\n^a^a\n", FileResult{Matches: 4}},
		{"regexp select:file", `select:file /o/`, goFile, FileResult{Matches: 1}},
		{"captures", `/(\w+)Error/`, "FooError BarError\nFooError\n", FileResult{Matches: 3, Captures: map[string]int{"Foo": 2, "Bar": 1}}},
		{"captures case-insensitive", `/(\w+)error/`, "FooError fooerror\n", FileResult{Matches: 2, Captures: map[string]int{"Foo": 1, "foo": 1}}},
		{"captures optional group", `/x(y)?/`, "xy x xy\n", FileResult{Matches: 3, Captures: map[string]int{"y": 2}}},
		{"captures first group only", `/(a)(b)/`, "ab ab\n", FileResult{Matches: 2, Captures: map[string]int{"a": 2}}},
		{"captures non-overlapping", `/(aa)/`, "aaaa\n", FileResult{Matches: 2, Captures: map[string]int{"aa": 2}}},
		{"captures select:file", `select:file /(\w+)Error/`, "FooError FooError BarError\n", FileResult{Matches: 1, Captures: map[string]int{"Foo": 1, "Bar": 1}}},
		{"captures none", `/(\w+)Error/`, "nothing\n", FileResult{}},
		{"binary", "hello", "hello\x00world", FileResult{Skipped: SkipBinary}},
		{"empty file", "hello", "", FileResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q := mustParse(t, tt.query)
			got := q.MatchContent([]byte(tt.content), MatchOpts{})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MatchContent mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCaptureTruncation(t *testing.T) {
	t.Parallel()
	q := mustParse(t, `/v=(\S+)/`)
	long := strings.Repeat("x", 150)
	// 99 ASCII bytes then a 2-byte character straddling the 100-byte cut.
	straddle := strings.Repeat("y", 99) + "éé"
	content := "v=" + long + "\nv=" + long + "z\nv=" + straddle + "\n"
	got := q.MatchContent([]byte(content), MatchOpts{})
	want := FileResult{Matches: 3, Captures: map[string]int{
		strings.Repeat("x", 100): 2,
		strings.Repeat("y", 99):  1,
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestMatchSkipsLargeFiles(t *testing.T) {
	t.Parallel()
	q := mustParse(t, "x")
	big := bytes.Repeat([]byte("x"), DefaultMaxFileSize+1)
	if got := q.MatchContent(big, MatchOpts{}); got.Skipped != SkipTooLarge {
		t.Errorf("over the default limit: got %+v, want SkipTooLarge", got)
	}
	if got := q.MatchContent(big[:DefaultMaxFileSize], MatchOpts{}); got.Matches != DefaultMaxFileSize {
		t.Errorf("at the default limit: got %+v", got)
	}
	if got := q.MatchContent(big[:11], MatchOpts{MaxFileSize: 10}); got.Skipped != SkipTooLarge {
		t.Errorf("over a configured limit: got %+v", got)
	}
	if got := q.MatchContent(big, MatchOpts{MaxFileSize: 2 << 20}); got.Matches != len(big) {
		t.Errorf("under a configured limit: got %d matches", got.Matches)
	}
	if SkipTooLarge.String() != "too-large" || SkipBinary.String() != "binary" || SkipNone.String() != "" {
		t.Error("SkipReason strings changed")
	}
}

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		query   string
		path    string
		content string
		want    FileResult
	}{
		{"file filter in", `file:\.go$ x`, "a/b.go", "x x", FileResult{Matches: 2}},
		{"file filter out", `file:\.go$ x`, "a/b.py", "x x", FileResult{}},
		{"file filter case-insensitive", `file:readme x`, "README.md", "x", FileResult{Matches: 1}},
		{"file filter case:yes", `case:yes file:readme x`, "README.md", "x", FileResult{}},
		{"-file", `-file:_test\.go$ x`, "a_test.go", "x", FileResult{}},
		{"two file filters", `file:^cmd/ file:\.go$ x`, "cmd/a.go", "x", FileResult{Matches: 1}},
		{"two file filters one fails", `file:^cmd/ file:\.go$ x`, "pkg/a.go", "x", FileResult{}},
		{"lang in", `lang:go x`, "a.go", "x", FileResult{Matches: 1}},
		{"lang out", `lang:go x`, "a.py", "x", FileResult{}},
		{"-lang", `-lang:go x`, "a.go", "x", FileResult{}},
		{"lang by content", `lang:c++ x`, "a.h", "#include <iostream>\nclass X { public: std::string x; };\n", FileResult{Matches: 2}},
		{"lang by content out", `lang:c++ x`, "a.h", "#include <stdio.h>\nint x(void);\n", FileResult{}},
		{"lang by shebang", `lang:python x`, "bin/tool", "#!/usr/bin/env python\nx\n", FileResult{Matches: 1}},
		{"type:path", `type:path main`, "cmd/main.go", "nothing", FileResult{Matches: 1}},
		{"type:path no match", `type:path main`, "cmd/util.go", "main main", FileResult{}},
		{"type:path binary", `type:path main`, "main.bin", "\x00", FileResult{Matches: 1}},
		{"type:path regexp", `type:path /_test\.go$/`, "a_test.go", "", FileResult{Matches: 1}},
		{"no pattern counts files", `lang:go`, "a.go", "anything", FileResult{Matches: 1}},
		{"no pattern out of scope", `lang:go`, "a.rs", "anything", FileResult{}},
		{"out of scope binary not skipped", `file:\.go$ x`, "a.bin", "\x00", FileResult{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := mustParse(t, tt.query).Match(tt.path, []byte(tt.content), MatchOpts{})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Match mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPathScope(t *testing.T) {
	t.Parallel()
	tests := []struct {
		query, path string
		want        Scope
	}{
		{"x", "anything", ScopeIn},
		{`file:\.go$ x`, "a.go", ScopeIn},
		{`file:\.go$ x`, "a.c", ScopeOut},
		{"lang:go x", "a.go", ScopeIn},
		{"lang:go x", "Makefile", ScopeOut},
		{"lang:makefile x", "Makefile", ScopeIn},
		{"lang:go x", "a.h", ScopeOut},        // .h is C, C++ or Objective-C: never Go
		{"-lang:go x", "a.h", ScopeIn},        // ... so never excluded as Go
		{"lang:c x", "a.h", ScopeContent},     // but C or not depends on the content
		{"-lang:c x", "a.h", ScopeContent},    // likewise
		{"lang:go x", "README", ScopeContent}, // no extension: a shebang could tell
		{"lang:go lang:c x", "a.go", ScopeOut},
		{`-file:vendor/ lang:go x`, "vendor/a.go", ScopeOut},
	}
	for _, tt := range tests {
		if got := mustParse(t, tt.query).PathScope(tt.path); got != tt.want {
			t.Errorf("PathScope(%q) for %q = %v, want %v", tt.path, tt.query, got, tt.want)
		}
	}
}

// TestRegexpMatcherRandom compares the line-skipping matcher, with and
// without its prefilter, with running the regexp on every line.
func TestRegexpMatcherRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	for _, src := range prefilterRegexps {
		m, err := newRegexpMatcher(src, false)
		if err != nil {
			t.Fatal(err)
		}
		noPre := *m
		noPre.pre = nil
		for range 200 {
			text := []byte(randomText(r, 80))
			want := referenceCount(m.re, m.rest, text)
			if got := m.count(text, 0); got != want {
				t.Fatalf("%s on %q: count = %d, want %d", src, text, got, want)
			}
			if got := noPre.count(text, 0); got != want {
				t.Fatalf("%s on %q without prefilter: count = %d, want %d", src, text, got, want)
			}
		}
	}
}

// referenceCount counts like `git grep -o`: on each line, the first match
// of re, then matches of rest (re with ^ disabled) in what follows each
// match, up to the first empty match.
func referenceCount(re, rest *regexp.Regexp, content []byte) int {
	n := 0
	for _, line := range strings.Split(string(content), "\n") {
		for r := re; ; r = rest {
			loc := r.FindStringIndex(line)
			if loc == nil || loc[0] == loc[1] {
				break
			}
			n++
			line = line[loc[1]:]
		}
	}
	return n
}

func TestFileResultSize(t *testing.T) {
	t.Parallel()
	small := FileResult{Matches: 3}.Size()
	withCaptures := FileResult{Captures: map[string]int{"abc": 1}}.Size()
	if small <= 0 || withCaptures <= small {
		t.Errorf("Size() = %d without captures, %d with", small, withCaptures)
	}
}
