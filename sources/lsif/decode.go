package lsif

import (
	"bytes"
	"unicode/utf16"
	"unicode/utf8"
)

// The decoding half of the JSON scanner in scan.go: once scan.go has
// validated a line, these read the values it needs, in place where they can.

// unquote decodes a validated JSON string value (with its quotes). Without
// escapes it returns a sub-slice of v; with them it appends the decoded
// bytes to *buf and returns them. Earlier results stay valid: growing *buf
// leaves them in the old array.
func unquote(v []byte, buf *[]byte) []byte {
	s := v[1 : len(v)-1]
	i := 0
	for i < len(s) && s[i] != '\\' {
		i++
	}
	if i == len(s) {
		return s
	}
	start := len(*buf)
	out := append(*buf, s[:i]...)
	defer func() { *buf = out }()
	for i < len(s) {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		switch s[i+1] {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := rune(hex4(s[i+2:]))
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if r2 := utf16.DecodeRune(r, rune(hex4(s[i+2:]))); r2 != utf8.RuneError {
						out = utf8.AppendRune(out, r2)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // '"', '\\', '/'
			out = append(out, s[i+1])
		}
		i += 2
	}
	return out[start:]
}

func hex4(b []byte) uint16 {
	var v uint16
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		v = v<<4 | uint16(c)
	}
	return v
}

// validString returns v as a string with invalid UTF-8 replaced: output
// strings go to Arrow and Postgres, which both require UTF-8.
func validString(v []byte) string {
	if utf8.Valid(v) {
		return string(v)
	}
	return string(bytesToValidUTF8(v))
}

func bytesToValidUTF8(v []byte) []byte {
	out := make([]byte, 0, len(v))
	for len(v) > 0 {
		r, n := utf8.DecodeRune(v)
		if r == utf8.RuneError && n == 1 {
			out = append(out, "\uFFFD"...)
		} else {
			out = append(out, v[:n]...)
		}
		v = v[n:]
	}
	return out
}

// parseInt parses a validated JSON number that must be an integer.
func parseInt(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 19 {
		return 0, false
	}
	neg := v[0] == '-'
	if neg {
		v = v[1:]
	}
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// objIter walks the members of a validated JSON object value.
type objIter struct {
	b []byte
	i int
}

func newObjIter(v []byte) (objIter, bool) {
	if len(v) == 0 || v[0] != '{' {
		return objIter{}, false
	}
	return objIter{b: v, i: skipSpace(v, 1)}, true
}

// next returns the next key (raw, with quotes) and value.
func (it *objIter) next() (key, val []byte, ok bool) {
	b := it.b
	if it.i >= len(b) || b[it.i] == '}' {
		return nil, nil, false
	}
	kend, _, _ := scanString(b, it.i)
	key = b[it.i:kend]
	vstart := skipSpace(b, skipSpace(b, kend)+1)
	vend, _ := skipValue(b, vstart, 0)
	val = b[vstart:vend]
	i := skipSpace(b, vend)
	if i < len(b) && b[i] == ',' {
		i = skipSpace(b, i+1)
	}
	it.i = i
	return key, val, true
}

// arrIter walks the elements of a validated JSON array value.
type arrIter struct {
	b []byte
	i int
}

func newArrIter(v []byte) (arrIter, bool) {
	if len(v) == 0 || v[0] != '[' {
		return arrIter{}, false
	}
	return arrIter{b: v, i: skipSpace(v, 1)}, true
}

func (it *arrIter) next() (val []byte, ok bool) {
	b := it.b
	if it.i >= len(b) || b[it.i] == ']' {
		return nil, false
	}
	end, _ := skipValue(b, it.i, 0)
	val = b[it.i:end]
	i := skipSpace(b, end)
	if i < len(b) && b[i] == ',' {
		i = skipSpace(b, i+1)
	}
	it.i = i
	return val, true
}

// keyIs compares a raw key (with quotes, possibly escaped) to name.
func keyIs(key []byte, name string) bool {
	if len(key) == len(name)+2 && string(key[1:len(key)-1]) == name {
		return true
	}
	if len(key) <= len(name)+2 || bytes.IndexByte(key, '\\') < 0 {
		return false
	}
	var buf []byte // rare: a key with escapes
	return string(unquote(key, &buf)) == name
}
