package search

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// allStarts lists every occurrence of each pattern in b, overlapping, by
// trying every offset.
func allStarts(patterns [][]byte, b []byte) [][]int32 {
	out := make([][]int32, len(patterns))
	for id, p := range patterns {
		for i := 0; i+len(p) <= len(b); i++ {
			if bytes.Equal(b[i:i+len(p)], p) {
				out[id] = append(out[id], int32(i))
			}
		}
	}
	return out
}

// TestAutomatonFindsEveryOccurrence compares the automaton with trying
// every offset, on patterns that are prefixes, suffixes and infixes of
// one another over a small alphabet (so that failure links and outputs
// reached by them matter), including a two-byte character, in texts from
// empty to long enough for the four streams of a scan, whose quarter
// boundaries then fall inside occurrences.
func TestAutomatonFindsEveryOccurrence(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "c", "\u017F"}
	word := func(n int) []byte {
		var w []byte
		for range n {
			w = append(w, alphabet[r.IntN(len(alphabet))]...)
		}
		return w
	}
	for iter := range 3000 {
		var patterns [][]byte
		seen := map[string]bool{}
		for len(patterns) < 1+r.IntN(6) {
			if p := word(1 + r.IntN(4)); !seen[string(p)] {
				seen[string(p)] = true
				patterns = append(patterns, p)
			}
		}
		text := word(r.IntN(3 + iter%60))
		got := newAutomaton(patterns).find(text)
		want := allStarts(patterns, text)
		for id := range want {
			if len(got[id]) == 0 && len(want[id]) == 0 {
				continue
			}
			if diff := cmp.Diff(want[id], got[id]); diff != "" {
				t.Fatalf("pattern %q of %q in %q: starts differ (-want +got):\n%s", patterns[id], patterns, text, diff)
			}
		}
	}
}

// TestAutomatonDashboardLiterals checks the automaton with the dashboard's
// real literals on source text.
func TestAutomatonDashboardLiterals(t *testing.T) {
	t.Parallel()
	patterns := [][]byte{[]byte("todo"), []byte("todo("), []byte("if err != nil"), []byte("err"),
		[]byte("errors.new(\""), []byte("errorſ.new(\""), []byte("const")}
	text := lowerASCII(nil, []byte("// TODO(ann): if err != nil {\n\treturn errors.New(\"bad\") // errorſ.New(\"x\")\n}\nconst todo = `TODO`\n"))
	if diff := cmp.Diff(allStarts(patterns, text), newAutomaton(patterns).find(text), cmp.Comparer(func(a, b []int32) bool {
		return slices.Equal(a, b)
	})); diff != "" {
		t.Errorf("starts differ (-want +got):\n%s", diff)
	}
}

// TestLowerASCII checks the eight-bytes-at-a-time lower-casing against a
// byte loop, for every byte value at every offset of a word and in the
// tail.
func TestLowerASCII(t *testing.T) {
	t.Parallel()
	for c := range 256 {
		for n := 1; n <= 19; n++ {
			src := bytes.Repeat([]byte{'Q'}, n)
			src[n-1] = byte(c)
			src[n/2] = byte(255 - c)
			want := make([]byte, n)
			for i, b := range src {
				if 'A' <= b && b <= 'Z' {
					b += 'a' - 'A'
				}
				want[i] = b
			}
			if got := lowerASCII(nil, src); !bytes.Equal(got, want) {
				t.Fatalf("lowerASCII(%q) = %q, want %q", src, got, want)
			}
		}
	}
}

// TestAutomatonEveryByte gives the automaton patterns with all 256 byte
// values, which need 257 byte classes (one for bytes in no pattern).
func TestAutomatonEveryByte(t *testing.T) {
	t.Parallel()
	var patterns [][]byte
	var text []byte
	for c := range 256 {
		patterns = append(patterns, []byte{byte(c), byte(255 - c)})
		text = append(text, byte(c))
	}
	text = append(text, text...)
	if diff := cmp.Diff(allStarts(patterns, text), newAutomaton(patterns).find(text), cmp.Comparer(slices.Equal[[]int32])); diff != "" {
		t.Errorf("starts differ (-want +got):\n%s", diff)
	}
}
