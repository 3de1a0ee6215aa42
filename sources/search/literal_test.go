package search

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestFinderCount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pat     string
		fold    bool
		content string
		limit   int
		want    int
	}{
		{"overlapping", "aa", false, "aaaa", 0, 2},
		{"overlapping odd", "aa", false, "aaaaa", 0, 2},
		{"aba", "aba", false, "ababa", 0, 1},
		{"none", "xyz", false, "xy yz", 0, 0},
		{"at edges", "ab", false, "ab__ab", 0, 2},
		{"longer than content", "abc", false, "ab", 0, 0},
		{"case sensitive", "Foo", false, "foo Foo FOO", 0, 1},
		{"fold", "Foo", true, "foo Foo FOO fOo", 0, 4},
		{"fold non-letter anchor", "a_b", true, "A_B a_b", 0, 2},
		{"fold digits", "v1", true, "V1 v1 v2", 0, 2},
		{"fold keeps non-ASCII exact", "é", true, "é É", 0, 1},
		{"limit", "a", false, "aaaa", 2, 2},
		{"across newline", "a\nb", false, "a\nb", 0, 1}, // the finder itself does not split lines
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := newFinder(tt.pat, tt.fold).count([]byte(tt.content), tt.limit); got != tt.want {
				t.Errorf("count(%q in %q) = %d, want %d", tt.pat, tt.content, got, tt.want)
			}
		})
	}
}

// TestFinderRandom compares the finder with a naive scan on random text
// over a small alphabet, where matches and near misses are frequent.
func TestFinderRandom(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "abAB_\n"
	randString := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 5000 {
		pat, content, fold := randString(1+r.IntN(4)), randString(r.IntN(200)), r.IntN(2) == 0
		want := naiveCount(pat, content, fold)
		if got := newFinder(pat, fold).count([]byte(content), 0); got != want {
			t.Fatalf("count(%q in %q, fold %v) = %d, want %d", pat, content, fold, got, want)
		}
	}
}

func naiveCount(pat, content string, fold bool) int {
	if fold {
		pat, content = asciiLower(pat), asciiLower(content)
	}
	n := 0
	for i := 0; i+len(pat) <= len(content); {
		if content[i:i+len(pat)] == pat {
			n++
			i += len(pat)
			continue
		}
		i++
	}
	return n
}

func TestFinderAnchorIsRare(t *testing.T) {
	t.Parallel()
	f := newFinder("return errFoo", false)
	if c := f.pat[f.anchor]; c != 'F' {
		t.Errorf("anchor = %q, want the rarest byte 'F'", c)
	}
	if f := newFinder("equal", true); f.lo != 'q' || f.up != 'Q' {
		t.Errorf("folded anchor = %q/%q, want q/Q", f.lo, f.up)
	}
}

func TestLiteralMatcherNewline(t *testing.T) {
	t.Parallel()
	m, err := newMatcher("a\nb", false, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.count([]byte("a\nb"), 0); got != 0 {
		t.Errorf("a literal with a newline matched %d times; matches never span lines", got)
	}
}

// TestLiteralFoldUnicode checks that case-insensitive literals agree with
// Go's (?i) folding, where k also matches KELVIN SIGN and s LONG S, and
// non-ASCII letters fold too.
func TestLiteralFoldUnicode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pat, content string
		want         int
	}{
		{"kind", "kind KIND \u212Aind", 3},
		{"kind", "kind KIND", 2},
		{"has", "has HA\u017F", 2},
		{"straße", "STRASSE straße STRAẞE", 2},
		{"σ", "Σ σ ς", 3},
	}
	for _, tt := range tests {
		m, err := newMatcher(tt.pat, false, true)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.count([]byte(tt.content), 0); got != tt.want {
			t.Errorf("count(%q in %q) = %d, want %d", tt.pat, tt.content, got, tt.want)
		}
	}
}

func TestIsBinary(t *testing.T) {
	t.Parallel()
	text := bytes.Repeat([]byte("x"), 9000)
	for _, tt := range []struct {
		nul  int
		want bool
	}{{-1, false}, {0, true}, {7999, true}, {8000, false}} {
		b := bytes.Clone(text)
		if tt.nul >= 0 {
			b[tt.nul] = 0
		}
		if got := isBinary(b); got != tt.want {
			t.Errorf("isBinary(NUL at %d) = %v, want %v", tt.nul, got, tt.want)
		}
	}
	if isBinary([]byte(strings.Repeat("\n", 10))) {
		t.Error("text is binary")
	}
}
