package search

import (
	"encoding/binary"
	"slices"
)

// SWAR constants: each byte of the word set to the value.
const (
	ones     = 0x0101010101010101
	highBits = 0x80 * ones
)

// lowerASCII appends src with its ASCII upper-case letters lower-cased to
// dst, growing it as needed, and returns the result. Other bytes,
// including those of non-ASCII characters, are copied unchanged, so the
// result has src's length and its offsets.
//
// It works on eight bytes at a time: Go has no vector instructions for it
// and a byte loop would cost more than the scans it saves.
func lowerASCII(dst, src []byte) []byte {
	dst = slices.Grow(dst[:0], len(src))[:len(src)]
	i := 0
	for ; i+8 <= len(src); i += 8 {
		binary.LittleEndian.PutUint64(dst[i:], lowerWord(binary.LittleEndian.Uint64(src[i:])))
	}
	for ; i < len(src); i++ {
		c := src[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return dst
}

// lowerWord lower-cases the ASCII letters among the eight bytes of w.
// With the high bit of each byte cleared, adding 0x80-'A' sets it in the
// bytes >= 'A' and adding 0x80-'Z'-1 in those > 'Z', without carries
// between bytes; bytes that had the high bit set are not ASCII and are
// left alone.
func lowerWord(w uint64) uint64 {
	low := w &^ highBits
	geA := low + (0x80-'A')*ones
	gtZ := low + (0x80-'Z'-1)*ones
	upper := geA &^ gtZ &^ w & highBits
	return w | upper>>2 // 0x80>>2 is 0x20, the case bit
}
