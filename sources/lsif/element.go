package lsif

import (
	"fmt"
)

// field names a top-level member of an element that some handler reads.
type field uint8

const (
	fID field = iota
	fType
	fLabel
	fOutV
	fInV
	fInVs
	fDocument
	fShard
	fProperty
	fStart
	fEnd
	fURI
	fProjectRoot
	fRootURI
	fScheme
	fIdentifier
	fKind
	fUnique
	fName
	fManager
	fVersion
	fResult
	fToolInfo
	fTag
	fLanguageID
	numFields
)

func fieldOf(key []byte) (field, bool) {
	switch string(key) {
	case "id":
		return fID, true
	case "type":
		return fType, true
	case "label":
		return fLabel, true
	case "outV":
		return fOutV, true
	case "inV":
		return fInV, true
	case "inVs":
		return fInVs, true
	case "document":
		return fDocument, true
	case "shard":
		return fShard, true
	case "property":
		return fProperty, true
	case "start":
		return fStart, true
	case "end":
		return fEnd, true
	case "uri":
		return fURI, true
	case "projectRoot":
		return fProjectRoot, true
	case "rootUri":
		return fRootURI, true
	case "scheme":
		return fScheme, true
	case "identifier":
		return fIdentifier, true
	case "kind":
		return fKind, true
	case "unique":
		return fUnique, true
	case "name":
		return fName, true
	case "manager":
		return fManager, true
	case "version":
		return fVersion, true
	case "result":
		return fResult, true
	case "toolInfo":
		return fToolInfo, true
	case "tag":
		return fTag, true
	case "languageId":
		return fLanguageID, true
	}
	return 0, false
}

// element is one parsed line: the raw JSON of the members handlers read.
// Values and decoded strings alias the line or buf and are valid until the
// next line.
type element struct {
	vals [numFields][]byte
	buf  []byte
}

// parse validates line as one JSON object and records its known members.
func (e *element) parse(line []byte) error {
	e.vals = [numFields][]byte{}
	e.buf = e.buf[:0]
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] != '{' {
		return expected(line, i, "'{' starting an element")
	}
	i = skipSpace(line, i+1)
	if i < len(line) && line[i] == '}' {
		return e.trailing(line, i+1)
	}
	for {
		if i >= len(line) || line[i] != '"' {
			return expected(line, i, "a string key")
		}
		kend, escaped, err := scanString(line, i)
		if err != nil {
			return err
		}
		key := line[i+1 : kend-1]
		if escaped {
			key = unquote(line[i:kend], &e.buf)
		}
		i = skipSpace(line, kend)
		if i >= len(line) || line[i] != ':' {
			return expected(line, i, "':' after an object key")
		}
		vstart := skipSpace(line, i+1)
		vend, err := skipValue(line, vstart, 1)
		if err != nil {
			return err
		}
		if f, ok := fieldOf(key); ok {
			e.vals[f] = line[vstart:vend]
		}
		i = skipSpace(line, vend)
		if i < len(line) && line[i] == ',' {
			i = skipSpace(line, i+1)
			continue
		}
		if i < len(line) && line[i] == '}' {
			return e.trailing(line, i+1)
		}
		return expected(line, i, "',' or '}' in an object")
	}
}

func (e *element) trailing(line []byte, i int) error {
	if i = skipSpace(line, i); i < len(line) {
		return errAt(i, "unexpected %s after the element (one element per line)", quoteChar(line[i]))
	}
	return nil
}

// str returns a string member's bytes (unescaped, aliasing the line or
// buf), or ok false when it is absent or not a string.
func (e *element) str(f field) (v []byte, ok bool) {
	raw := e.vals[f]
	if len(raw) == 0 || raw[0] != '"' {
		return nil, false
	}
	return unquote(raw, &e.buf), true
}

// string returns a string member as a valid UTF-8 Go string ("" when
// absent).
func (e *element) string(f field) string {
	v, _ := e.str(f)
	return validString(v)
}

// rawID is a vertex id as written: a number, or a string that is not a
// decimal number.
type rawID struct {
	num   int64
	str   []byte
	isStr bool
}

func (id rawID) String() string {
	if id.isStr {
		return fmt.Sprintf("%q", id.str)
	}
	return fmt.Sprint(id.num)
}

// parseID reads an id value: a JSON integer or string. A string of decimal
// digits is the same id as the number, as in the reference reader.
func parseID(raw []byte, buf *[]byte) (rawID, error) {
	if len(raw) == 0 {
		return rawID{}, fmt.Errorf("missing")
	}
	if raw[0] == '"' {
		s := unquote(raw, buf)
		if n, ok := parseInt(s); ok && len(s) > 0 && s[0] != '-' && (len(s) == 1 || s[0] != '0') {
			return rawID{num: n}, nil
		}
		return rawID{str: s, isStr: true}, nil
	}
	if n, ok := parseInt(raw); ok {
		return rawID{num: n}, nil
	}
	return rawID{}, fmt.Errorf("%s is not an integer or a string", truncate(raw))
}

func truncate(b []byte) string {
	if len(b) > 40 {
		return string(b[:37]) + "..."
	}
	return string(b)
}

// parsePosition parses {"line":L,"character":C}.
func parsePosition(raw []byte) (line, char int32, err error) {
	it, ok := newObjIter(raw)
	if !ok {
		return 0, 0, fmt.Errorf("want an object {line, character}, got %s", truncate(raw))
	}
	var haveLine, haveChar bool
	for {
		k, v, ok := it.next()
		if !ok {
			break
		}
		switch {
		case keyIs(k, "line"):
			n, ok := parseInt(v)
			if !ok || n < 0 || n > 1<<31-1 {
				return 0, 0, fmt.Errorf("line %s is not a non-negative integer", truncate(v))
			}
			line, haveLine = int32(n), true
		case keyIs(k, "character"):
			n, ok := parseInt(v)
			if !ok || n < 0 || n > 1<<31-1 {
				return 0, 0, fmt.Errorf("character %s is not a non-negative integer", truncate(v))
			}
			char, haveChar = int32(n), true
		}
	}
	if !haveLine || !haveChar {
		return 0, 0, fmt.Errorf("want {line, character}, got %s", truncate(raw))
	}
	return line, char, nil
}
