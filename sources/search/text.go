package search

import (
	"bytes"
	"sync"
	"time"
)

// Text is a file's content prepared for matching by several queries: what
// every query would otherwise compute again from the same bytes is
// computed once, when the first query needs it. That is whether the file
// is binary, which of the non-ASCII letters that Go's case folding matches
// with k and s it contains, and, for a Text made with [NewSharedText], a
// copy with ASCII letters lower-cased, in which every case-insensitive
// literal and regexp prefilter then scans for one byte sequence instead of
// testing both cases of each byte. A Text is not safe for concurrent use.
type Text struct {
	b      []byte
	shared bool // lower-case a copy for the case-insensitive scans
	lower  *[]byte
	known  textFacts // which of the facts below have been computed
	facts  textFacts
	// group, when not nil, finds the case-insensitive literals of its
	// queries; occurrences are what it found, by pattern, once computed.
	group       *Group
	occurrences [][]int32
	// sharedTime is the time spent making the lower-cased copy and
	// finding the group's literals (see Text.SharedTime).
	sharedTime time.Duration
}

// textFacts is a set of facts about a text.
type textFacts uint8

const (
	factBinary textFacts = 1 << iota // a NUL byte where git looks for one
	factKelvin                       // U+212A KELVIN SIGN, which (?i)k matches
	factLongS                        // U+017F LATIN SMALL LETTER LONG S, which (?i)s matches
	factLower                        // the lower-cased copy is made (see Text.folded)
)

// NewText returns content prepared for matching. It keeps content, which
// must not change while the Text is in use.
func NewText(content []byte) *Text {
	return &Text{b: content}
}

// NewSharedText is NewText for content that several case-insensitive
// queries will scan: the first that needs it makes an ASCII lower-cased
// copy of the content (one pass over it, in a buffer from a pool) that the
// others scan too. Call [Text.Release] when done with the Text.
func NewSharedText(content []byte) *Text {
	return &Text{b: content, shared: true}
}

// Bytes returns the content.
func (t *Text) Bytes() []byte { return t.b }

// SharedTime returns the time spent so far preparing what the Text shares
// between its queries: the lower-cased copy and, for a Text of a [Group],
// the one pass that finds all the group's literals. The query that first
// needs them does that work for every query, so a caller timing each
// query's matching on its own should charge it to none of them.
func (t *Text) SharedTime() time.Duration { return t.sharedTime }

// Release returns the lower-cased copy's buffer to the pool. The Text must
// not be used afterwards.
func (t *Text) Release() {
	if t.lower != nil {
		lowerPool.Put(t.lower)
		t.lower = nil
	}
}

// lowerPool holds the buffers of lower-cased copies.
var lowerPool = sync.Pool{New: func() any { return new([]byte) }}

// has reports whether the text has fact f, computing it on first use.
func (t *Text) has(f textFacts) bool {
	if t.known&f == 0 {
		t.known |= f
		if t.compute(f) {
			t.facts |= f
		}
	}
	return t.facts&f != 0
}

func (t *Text) compute(f textFacts) bool {
	switch f {
	case factBinary:
		return isBinary(t.b)
	case factKelvin:
		return bytes.Contains(t.b, []byte("\u212A"))
	case factLongS:
		return bytes.Contains(t.b, []byte("\u017F"))
	}
	return false
}

// hasAny reports whether the text contains any of the non-ASCII letters
// Go's folding matches with the ASCII letters in variants (see
// literalMatcher.variants).
func (t *Text) hasAny(variants [][]byte) bool {
	for _, v := range variants {
		if string(v) == "\u212A" && t.has(factKelvin) || string(v) == "\u017F" && t.has(factLongS) {
			return true
		}
	}
	return false
}

// folded returns the content with ASCII letters lower-cased, making it on
// first use, or nil for a Text that is not shared.
func (t *Text) folded() []byte {
	if !t.shared {
		return nil
	}
	if t.known&factLower == 0 {
		start := time.Now()
		t.known |= factLower
		t.lower = lowerPool.Get().(*[]byte)
		*t.lower = lowerASCII((*t.lower)[:0], t.b)
		t.sharedTime += time.Since(start)
	}
	return *t.lower
}
