package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/klauspost/compress/zstd"

	"github.com/sightline-dev/sightline/sources/search"
)

// filesVersion is the first byte of MarshalBinary's encoding.
const filesVersion = 1

// maxFilesBytes bounds the decoded size of a Files encoding (about ten
// million files), so that a damaged one cannot take the process's memory.
const maxFilesBytes = 512 << 20

// The flags of one file's record.
const (
	flagMissing = 1 << iota
	flagSkipped
	flagMatches
	flagCaptures
	flagLang
	flagStat
)

// One zstd encoder and decoder serve every call: EncodeAll and DecodeAll
// are safe for concurrent use, and each new encoder allocates megabytes.
var (
	filesEncoder = sync.OnceValue(func() *zstd.Encoder {
		e, err := zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1), zstd.WithEncoderLevel(zstd.SpeedFastest))
		if err != nil {
			panic(err) // only for invalid options
		}
		return e
	})
	filesDecoder = sync.OnceValue(func() *zstd.Decoder {
		d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(maxFilesBytes))
		if err != nil {
			panic(err) // only for invalid options
		}
		return d
	})
)

// MarshalBinary encodes the files compactly: sorted by path, each path
// stored as the length of the prefix it shares with the previous one and
// the rest, values as varints, the whole compressed with zstd.
func (f *Files) MarshalBinary() ([]byte, error) {
	var b []byte
	b = binary.AppendUvarint(b, uint64(len(f.m)))
	prev := ""
	for _, p := range slices.Sorted(maps.Keys(f.m)) {
		shared := commonPrefix(prev, p)
		b = binary.AppendUvarint(b, uint64(shared))
		b = appendString(b, p[shared:])
		b = appendValue(b, f.m[p])
		prev = p
	}
	return filesEncoder().EncodeAll(b, []byte{filesVersion}), nil
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func flagIf(on bool, flag byte) byte {
	if on {
		return flag
	}
	return 0
}

func appendValue(b []byte, v fileValue) []byte {
	flags := flagIf(v.missing, flagMissing) | flagIf(v.res.Skipped != search.SkipNone, flagSkipped) |
		flagIf(v.res.Matches != 0, flagMatches) | flagIf(len(v.res.Captures) > 0, flagCaptures) |
		flagIf(v.lang != "", flagLang) | flagIf(v.stat != nil, flagStat)
	b = append(b, flags)
	if flags&flagSkipped != 0 {
		b = append(b, byte(v.res.Skipped))
	}
	if flags&flagMatches != 0 {
		b = binary.AppendUvarint(b, uint64(v.res.Matches))
	}
	if flags&flagCaptures != 0 {
		b = binary.AppendUvarint(b, uint64(len(v.res.Captures)))
		for _, c := range slices.Sorted(maps.Keys(v.res.Captures)) {
			b = binary.AppendUvarint(appendString(b, c), uint64(v.res.Captures[c]))
		}
	}
	if flags&flagLang != 0 {
		b = appendString(b, v.lang)
	}
	if flags&flagStat != 0 {
		b = appendString(b, v.stat.Lang)
		b = binary.AppendUvarint(binary.AppendUvarint(b, uint64(v.stat.Lines)), uint64(v.stat.Bytes))
	}
	return b
}

// errFilesEncoding is wrapped by the errors of UnmarshalBinary.
var errFilesEncoding = errors.New("not an encoding of engine.Files")

// UnmarshalBinary decodes what MarshalBinary encoded. It fails on any
// other input, a damaged or truncated encoding included.
func (f *Files) UnmarshalBinary(data []byte) error {
	if len(data) == 0 || data[0] != filesVersion {
		return fmt.Errorf("%w: unknown version", errFilesEncoding)
	}
	raw, err := filesDecoder().DecodeAll(data[1:], nil)
	if err != nil {
		return fmt.Errorf("%w: %w", errFilesEncoding, err)
	}
	r := &reader{b: raw}
	m, err := r.files()
	if err != nil {
		return fmt.Errorf("%w: %w", errFilesEncoding, err)
	}
	f.m = m
	return nil
}
