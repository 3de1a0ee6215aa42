package engine

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/sightline-dev/sightline/sources/search"
)

// reader decodes the uncompressed records of a Files encoding.
type reader struct {
	b   []byte
	err error
}

var errTruncated = errors.New("truncated")

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errTruncated
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a length or count, which cannot exceed the bytes left.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = cmp.Or(r.err, errTruncated)
		return 0
	}
	return int(n)
}

func (r *reader) next() byte {
	if r.err != nil || len(r.b) == 0 {
		r.err = cmp.Or(r.err, errTruncated)
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) str() string {
	n := r.count()
	if r.err != nil {
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// num reads a non-negative int.
func (r *reader) num() int {
	v := r.uvarint()
	if v > 1<<62 {
		r.err = cmp.Or(r.err, errors.New("value out of range"))
	}
	return int(v)
}

// files reads every record; paths must be sorted and distinct.
func (r *reader) files() (map[string]fileValue, error) {
	n := r.count()
	m := make(map[string]fileValue, n)
	prev := ""
	for i := 0; i < n && r.err == nil; i++ {
		shared := r.num()
		if shared > len(prev) {
			return nil, fmt.Errorf("file %d: shares %d bytes of a %d-byte path", i, shared, len(prev))
		}
		p := prev[:shared] + r.str()
		if r.err == nil && p <= prev && i > 0 {
			return nil, fmt.Errorf("file %d: %q not after %q", i, p, prev)
		}
		m[p], prev = r.value(), p
	}
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("%d bytes after the last file", len(r.b))
	}
	if r.err != nil {
		return nil, r.err
	}
	return m, nil
}

func (r *reader) value() fileValue {
	var v fileValue
	flags := r.next()
	if flags >= flagStat<<1 {
		r.err = cmp.Or(r.err, fmt.Errorf("unknown flags %#x", flags))
	}
	v.missing = flags&flagMissing != 0
	if flags&flagSkipped != 0 {
		v.res.Skipped = search.SkipReason(r.next())
	}
	if flags&flagMatches != 0 {
		v.res.Matches = r.num()
	}
	if flags&flagCaptures != 0 {
		n := r.count()
		v.res.Captures = make(map[string]int, n)
		for j := 0; j < n && r.err == nil; j++ {
			c := r.str()
			v.res.Captures[c] = r.num()
		}
	}
	if flags&flagLang != 0 {
		v.lang = r.str()
	}
	if flags&flagStat != 0 {
		v.stat = &search.LangStat{Lang: r.str(), Lines: r.num(), Bytes: r.num()}
	}
	return v
}
