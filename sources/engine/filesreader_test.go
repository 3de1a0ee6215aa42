package engine

import (
	"encoding/binary"
	"testing"
)

// TestFilesReaderRefusesMalformed feeds the decoder of the uncompressed
// records inputs that zstd's checksum would pass if they were framed: each
// must be refused, not decoded into other files.
func TestFilesReaderRefusesMalformed(t *testing.T) {
	t.Parallel()
	file := func(b []byte, shared int, rest string, flags byte, more ...byte) []byte {
		b = binary.AppendUvarint(b, uint64(shared))
		return append(appendString(b, rest), append([]byte{flags}, more...)...)
	}
	two := func(second []byte) []byte {
		return append(file(binary.AppendUvarint(nil, 2), 0, "b.go", flagMatches, 3), second...)
	}
	good := two(file(nil, 0, "c.go", flagMatches, 1))
	if m, err := (&reader{b: good}).files(); err != nil || len(m) != 2 || m["c.go"].res.Matches != 1 {
		t.Fatalf("well-formed records: %v, %v", m, err)
	}
	for name, raw := range map[string][]byte{
		"paths out of order":       two(file(nil, 0, "a.go", flagMatches, 1)),
		"a path repeated":          two(file(nil, 4, "", flagMatches, 1)),
		"a longer shared prefix":   two(file(nil, 9, "x", flagMatches, 1)),
		"unknown flags":            two(file(nil, 0, "c.go", 0x80)),
		"bytes after the last":     append(good, 0),
		"truncated value":          good[:len(good)-1],
		"more files than bytes":    binary.AppendUvarint(nil, 1<<40),
		"a string past the end":    append(binary.AppendUvarint(binary.AppendUvarint(nil, 1), 0), 0x7f),
		"a count past the end":     two(file(nil, 0, "c.go", flagCaptures, 0x7f)),
		"a value out of int range": two(file(nil, 0, "c.go", flagMatches, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)),
	} {
		if m, err := (&reader{b: raw}).files(); err == nil {
			t.Errorf("%s: decoded %v", name, m)
		}
	}
}
