package scip

import (
	"bytes"
	"errors"

	"google.golang.org/protobuf/encoding/protowire"
)

// Format is the format of an upload: an LSIF dump or a SCIP index.
type Format string

// The formats Sniff tells apart.
const (
	FormatLSIF Format = "lsif"
	FormatSCIP Format = "scip"
)

// ErrUnknownFormat is returned by Sniff for content that is neither an
// LSIF dump nor a SCIP index.
var ErrUnknownFormat = errors.New("neither an LSIF dump (JSON lines) nor a SCIP index (protobuf), plain or gzipped: upload the file the indexer wrote (dump.lsif, index.scip)")

// Sniff tells, from the first bytes of an uncompressed upload (at least a
// few kilobytes when the upload is that long), whether it is an LSIF dump
// or a SCIP index. A SCIP index starts with a field of the Index message
// (metadata, a document or an external symbol) whose content, as far as
// head holds it, decodes with the wire types scip.proto gives its fields;
// an LSIF dump starts, after white space, with a JSON object.
func Sniff(head []byte) (Format, error) {
	if len(bytes.TrimSpace(head)) == 0 {
		return "", errors.New("the file is empty: check that the indexer wrote it")
	}
	if looksSCIP(head) {
		return FormatSCIP, nil
	}
	if bytes.TrimLeft(head, " \t\r\n")[0] == '{' {
		return FormatLSIF, nil
	}
	return "", ErrUnknownFormat
}

// wireTypes are the wire types of the fields of the Index's top-level
// messages, by field number.
var wireTypes = map[protowire.Number]map[protowire.Number]protowire.Type{
	indexMetadata: {1: protowire.VarintType, 2: protowire.BytesType, 3: protowire.BytesType, 4: protowire.VarintType},
	indexDocuments: {1: protowire.BytesType, 2: protowire.BytesType, 3: protowire.BytesType, 4: protowire.BytesType,
		5: protowire.BytesType, 6: protowire.VarintType},
	indexExternalSymbols: {1: protowire.BytesType, 3: protowire.BytesType, 4: protowire.BytesType, 5: protowire.VarintType,
		6: protowire.BytesType, 7: protowire.BytesType, 8: protowire.BytesType},
}

func looksSCIP(head []byte) bool {
	num, typ, n := protowire.ConsumeTag(head)
	if n < 0 || typ != protowire.BytesType || wireTypes[num] == nil {
		return false
	}
	size, m := protowire.ConsumeVarint(head[n:])
	if m < 0 {
		return false
	}
	body := head[n+m:]
	if uint64(len(body)) >= size {
		body = body[:size]
	} else if len(head) < 4<<10 {
		return false // the whole file is shorter than its first field says
	}
	want := wireTypes[num]
	for len(body) > 0 {
		fnum, ftyp, k := protowire.ConsumeTag(body)
		if k < 0 {
			return false
		}
		if t, ok := want[fnum]; ok && t != ftyp {
			return false
		}
		v := protowire.ConsumeFieldValue(fnum, ftyp, body[k:])
		if v < 0 {
			return uint64(len(head[n+m:])) < size // cut off by the end of head
		}
		body = body[k+v:]
	}
	return true
}

// ToolName returns the indexer's name from a SCIP index's metadata
// (metadata.tool_info.name), when head starts with it, or "".
func ToolName(head []byte) string {
	num, typ, n := protowire.ConsumeTag(head)
	if n < 0 || num != indexMetadata || typ != protowire.BytesType {
		return ""
	}
	b, m := protowire.ConsumeBytes(head[n:])
	if m < 0 {
		return ""
	}
	c := &converter{}
	if err := c.metadata(b); err != nil {
		return ""
	}
	return c.stats.ToolName
}
