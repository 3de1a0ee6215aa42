package scip

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// Field numbers of scip.proto (github.com/sourcegraph/scip), the public
// schema of the format.
const (
	indexMetadata        = 1
	indexDocuments       = 2
	indexExternalSymbols = 3

	metadataToolInfo    = 2
	metadataProjectRoot = 3
	toolInfoName        = 1
	toolInfoVersion     = 2

	documentRelativePath = 1
	documentOccurrences  = 2
	documentSymbols      = 3
	documentLanguage     = 4

	occurrenceRange                 = 1
	occurrenceSymbol                = 2
	occurrenceSymbolRoles           = 3
	occurrenceOverrideDocumentation = 4
	occurrenceDiagnostics           = 6

	symbolSymbol                 = 1
	symbolDocumentation          = 3
	symbolRelationships          = 4
	symbolKind                   = 5
	symbolDisplayName            = 6
	symbolSignatureDocumentation = 7

	relationshipSymbol           = 1
	relationshipIsReference      = 2
	relationshipIsImplementation = 3
	relationshipIsTypeDefinition = 4
	relationshipIsDefinition     = 5

	diagnosticSeverity = 1
	diagnosticCode     = 2
	diagnosticMessage  = 3
	diagnosticSource   = 4

	signatureText     = 5
	signatureLanguage = 4
)

// roleDefinition is SymbolRole.Definition; the other roles (import, read
// and write access, generated, test, forward definition) make an
// occurrence a reference.
const roleDefinition = 0x1

// DefaultMaxMessageSize bounds one top-level message (a document with its
// occurrences, or an external symbol) unless Opts say otherwise.
const DefaultMaxMessageSize = 1 << 30

// malformed returns an error wrapping lsif.ErrMalformed, so that the job
// errors the upload at once instead of retrying it.
func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: SCIP index: %s", lsif.ErrMalformed, fmt.Sprintf(format, args...))
}

// stream reads the top-level fields of an Index one at a time.
type stream struct {
	br     *bufio.Reader
	off    int64 // bytes consumed
	buf    []byte
	maxMsg int
}

// countingByteReader counts the bytes a varint read takes.
type countingByteReader struct{ s *stream }

func (c countingByteReader) ReadByte() (byte, error) {
	b, err := c.s.br.ReadByte()
	if err == nil {
		c.s.off++
	}
	return b, err
}

// next returns the next top-level field: its number and, for a
// length-delimited field, its bytes (valid until the next call). Other wire
// types are skipped. At the end of the stream it returns io.EOF.
func (s *stream) next() (protowire.Number, []byte, error) {
	for {
		start := s.off
		tag, err := binary.ReadUvarint(countingByteReader{s})
		if errors.Is(err, io.EOF) && s.off == start {
			return 0, nil, io.EOF
		}
		if err != nil {
			return 0, nil, s.readErr(start, "field tag", err)
		}
		num, typ := protowire.DecodeTag(tag)
		if num < protowire.MinValidNumber {
			return 0, nil, malformed("invalid field tag %#x at byte %d", tag, start)
		}
		if typ == protowire.BytesType {
			b, err := s.bytes(num, start)
			return num, b, err
		}
		if err := s.skip(typ, start); err != nil {
			return 0, nil, err
		}
	}
}

// bytes reads the payload of a length-delimited field.
func (s *stream) bytes(num protowire.Number, start int64) ([]byte, error) {
	n, err := binary.ReadUvarint(countingByteReader{s})
	if err != nil {
		return nil, s.readErr(start, "field length", err)
	}
	if n > uint64(s.maxMsg) {
		return nil, malformed("field %d at byte %d is %d bytes long, more than the %d bytes allowed for one message", num, start, n, s.maxMsg)
	}
	if cap(s.buf) < int(n) {
		s.buf = make([]byte, n)
	}
	s.buf = s.buf[:n]
	m, err := io.ReadFull(s.br, s.buf)
	s.off += int64(m)
	if err != nil {
		return nil, s.readErr(start, fmt.Sprintf("field %d (%d bytes)", num, n), err)
	}
	if cap(s.buf) > 64<<20 && n < 1<<20 {
		s.buf = nil // do not keep one huge document's buffer
	}
	return s.buf, nil
}

// skip reads past a top-level field that is not length-delimited.
func (s *stream) skip(typ protowire.Type, start int64) error {
	var n int
	switch typ {
	case protowire.VarintType:
		_, err := binary.ReadUvarint(countingByteReader{s})
		if err != nil {
			return s.readErr(start, "varint field", err)
		}
		return nil
	case protowire.Fixed32Type:
		n = 4
	case protowire.Fixed64Type:
		n = 8
	default:
		return malformed("unsupported wire type %d at byte %d (not a SCIP index?)", typ, start)
	}
	m, err := s.br.Discard(n)
	s.off += int64(m)
	if err != nil {
		return s.readErr(start, "fixed-size field", err)
	}
	return nil
}

// readErr tells a stream cut short (the index's fault) from a failure of
// the underlying reader, which passes through.
func (s *stream) readErr(start int64, what string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		if errors.Is(err, lsif.ErrMalformed) {
			return err
		}
		return malformed("truncated in the %s at byte %d", what, start)
	}
	if errors.Is(err, lsif.ErrMalformed) {
		return err
	}
	if strings.Contains(err.Error(), "varint overflows") {
		return malformed("invalid varint in the %s at byte %d", what, start)
	}
	return fmt.Errorf("read SCIP index at byte %d: %w", start, err)
}

// field is one field of a message being decoded.
type field struct {
	num    protowire.Number
	typ    protowire.Type
	varint uint64
	bytes  []byte
}

// fields iterates over the fields of a message.
type fields struct {
	b   []byte
	f   field
	err error
}

// next advances to the next field; it returns false at the end of the
// message or on an error (then err is set).
func (it *fields) next() bool {
	if len(it.b) == 0 || it.err != nil {
		return false
	}
	num, typ, n := protowire.ConsumeTag(it.b)
	if n < 0 {
		it.err = protowire.ParseError(n)
		return false
	}
	it.b = it.b[n:]
	it.f = field{num: num, typ: typ}
	switch typ {
	case protowire.VarintType:
		it.f.varint, n = protowire.ConsumeVarint(it.b)
	case protowire.BytesType:
		it.f.bytes, n = protowire.ConsumeBytes(it.b)
	default:
		n = protowire.ConsumeFieldValue(num, typ, it.b)
	}
	if n < 0 {
		it.err = protowire.ParseError(n)
		return false
	}
	it.b = it.b[n:]
	return true
}

// int32s appends a repeated int32 field's values, packed or not.
func (f *field) int32s(dst []int32) ([]int32, error) {
	if f.typ == protowire.VarintType {
		return append(dst, int32(f.varint)), nil
	}
	if f.typ != protowire.BytesType {
		return dst, fmt.Errorf("field %d: wire type %d for a repeated int32", f.num, f.typ)
	}
	b := f.bytes
	for len(b) > 0 {
		v, n := protowire.ConsumeVarint(b)
		if n < 0 {
			return dst, protowire.ParseError(n)
		}
		dst = append(dst, int32(v))
		b = b[n:]
	}
	return dst, nil
}
