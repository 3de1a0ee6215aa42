package search

import "bytes"

// finder finds a literal in a buffer. Rather than scan for the literal's
// first byte (what bytes.Index does), it scans for its rarest byte with
// bytes.IndexByte (SIMD) and verifies around each hit: source code is full
// of the common letters literals start with, and a rare anchor keeps the
// number of verifications, and so the cost, near one IndexByte pass.
//
// With fold set the literal is matched ignoring ASCII case only: pat is
// lower-cased and a letter anchor is looked for in both cases.
type finder struct {
	pat    []byte
	fold   bool
	anchor int  // index in pat of the rarest byte
	lo, up byte // pat[anchor] in lower and upper case (equal unless a folded letter)
	// lowered, for a folding finder, finds pat case-sensitively, with the
	// same anchor: in a lower-cased copy of a text (see Text.folded) it
	// finds what the folding finder finds in the text, at the same
	// offsets, scanning for one byte instead of two.
	lowered *finder
}

// newFinder returns a finder for a non-empty literal.
func newFinder(lit string, fold bool) *finder {
	f := &finder{pat: []byte(lit), fold: fold}
	if fold {
		f.pat = bytes.Map(asciiLowerRune, f.pat)
	}
	for i, c := range f.pat {
		if f.freq(c) < f.freq(f.pat[f.anchor]) {
			f.anchor = i
		}
	}
	f.lo, f.up = f.pat[f.anchor], f.pat[f.anchor]
	if fold && 'a' <= f.lo && f.lo <= 'z' {
		f.up = f.lo - 'a' + 'A'
	}
	if fold {
		f.lowered = &finder{pat: f.pat, anchor: f.anchor, lo: f.lo, up: f.lo}
	}
	return f
}

// freq estimates how often c occurs in the text scanned for it, in either
// case when folding.
func (f *finder) freq(c byte) uint32 {
	if f.fold && 'a' <= c && c <= 'z' {
		return byteFreq[c] + byteFreq[c-'a'+'A']
	}
	return byteFreq[c]
}

// asciiLowerRune lower-cases ASCII letters only. Folding other letters
// (Σ → σ) would make a case-insensitive scan miss the original text.
func asciiLowerRune(r rune) rune {
	if 'A' <= r && r <= 'Z' {
		return r + 'a' - 'A'
	}
	return r
}

// equalAt reports whether w, of the literal's length, equals the literal.
func (f *finder) equalAt(w []byte) bool {
	if !f.fold {
		return bytes.Equal(w, f.pat)
	}
	for i, c := range w {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != f.pat[i] {
			return false
		}
	}
	return true
}

// count returns the number of non-overlapping occurrences in b, scanning
// left to right, stopping at limit if it is positive.
func (f *finder) count(b []byte, limit int) int {
	s := f.scanner(b)
	return s.count(limit)
}

// scanner returns a scanner of b for the literal.
func (f *finder) scanner(b []byte) scanner {
	return scanner{f: f, b: b, nlo: -2, nup: -2, last: -2}
}

// scannerIn returns a scanner of t's content for the literal: over the
// occurrences t's group found (see Group), else over t's lower-cased
// copy, else over the content itself. Offsets are the content's in every
// case.
func (f *finder) scannerIn(t *Text) scanner {
	if f.fold {
		if found, ok := t.found(f); ok {
			return scanner{f: f, found: found, listed: true, last: -2}
		}
		if lower := t.folded(); lower != nil {
			return f.lowered.scanner(lower)
		}
	}
	return f.scanner(t.b)
}

// scanner finds successive occurrences of a finder's literal in one buffer,
// remembering where it last found the anchor byte in each case so that
// scanning for both cases stays linear; or, when listed, it walks a list
// of the occurrences found beforehand.
type scanner struct {
	f        *finder
	b        []byte
	nlo, nup int // next known position of f.lo, f.up: -2 unknown, -1 none left
	last     int // last result of next: -2 none yet, -1 no more occurrences
	listed   bool
	found    []int32 // when listed: the starts of all occurrences, overlapping, in order
}

// count returns the number of non-overlapping occurrences from the start,
// left to right, stopping at limit if it is positive.
func (s *scanner) count(limit int) int {
	n := 0
	for pos := 0; limit <= 0 || n < limit; n++ {
		i := s.next(pos)
		if i < 0 {
			break
		}
		pos = i + len(s.f.pat)
	}
	return n
}

// next returns the start of the leftmost occurrence at or after from, or -1.
// Calls must not decrease from.
func (s *scanner) next(from int) int {
	if s.last == -1 || s.last >= from {
		return s.last
	}
	if s.listed {
		return s.nextListed(from)
	}
	f := s.f
	for {
		p := s.anchorAt(from + f.anchor)
		if p < 0 {
			s.last = -1
			return -1
		}
		start := p - f.anchor
		if start+len(f.pat) > len(s.b) {
			s.last = -1
			return -1
		}
		if f.equalAt(s.b[start : start+len(f.pat)]) {
			s.last = start
			return start
		}
		from = start + 1
	}
}

// nextListed is next over the list of occurrences.
func (s *scanner) nextListed(from int) int {
	for len(s.found) > 0 && int(s.found[0]) < from {
		s.found = s.found[1:]
	}
	s.last = -1
	if len(s.found) > 0 {
		s.last = int(s.found[0])
	}
	return s.last
}

// anchorAt returns the first position at or after i holding the anchor byte
// in either case, or -1.
func (s *scanner) anchorAt(i int) int {
	if s.f.lo == s.f.up {
		return indexByteFrom(s.b, s.f.lo, i)
	}
	if s.nlo != -1 && s.nlo < i {
		s.nlo = indexByteFrom(s.b, s.f.lo, i)
	}
	if s.nup != -1 && s.nup < i {
		s.nup = indexByteFrom(s.b, s.f.up, i)
	}
	switch {
	case s.nlo < 0:
		return s.nup
	case s.nup < 0:
		return s.nlo
	}
	return min(s.nlo, s.nup)
}

// indexByteFrom is bytes.IndexByte starting at i, as an index into b.
func indexByteFrom(b []byte, c byte, i int) int {
	if i >= len(b) {
		return -1
	}
	if j := bytes.IndexByte(b[i:], c); j >= 0 {
		return i + j
	}
	return -1
}
