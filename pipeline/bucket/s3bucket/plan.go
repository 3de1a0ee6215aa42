package s3bucket

// S3's multipart upload limits.
const (
	minPartSize = 5 << 20 // for every part but the last
	maxPartSize = 5 << 30
	maxParts    = 10000
)

// piece is a byte range of a source object.
type piece struct {
	name   string // the key as the caller gave it, for errors
	key    string // the S3 key
	etag   string // the version of the object the range is of
	offset int64
	size   int64
}

// part is one part of a multipart upload: either a server-side copy of one
// piece, or pieces streamed through this process.
type part struct {
	pieces []piece
	copy   bool
}

// planParts splits the concatenation of srcs into the parts of a multipart
// upload. With canCopy, each stretch of at least minPartSize within one
// source becomes a copied part, and only small sources, and the bytes
// needed to fill a streamed part up to minPartSize, stream through. Without
// it, everything streams, in parts of streamSize. An empty concatenation
// has no parts.
func planParts(srcs []piece, canCopy bool, streamSize int64) []part {
	target := streamSize
	if canCopy {
		target = minPartSize // stream as little as S3 allows
	}
	var parts []part
	var cur part
	var curSize int64
	for _, src := range srcs {
		for off := int64(0); off < src.size; {
			rest := src.size - off
			if canCopy && curSize == 0 && rest >= minPartSize {
				n := copySize(rest)
				parts = append(parts, part{pieces: []piece{src.slice(off, n)}, copy: true})
				off += n
				continue
			}
			n := min(rest, target-curSize)
			cur.pieces = append(cur.pieces, src.slice(off, n))
			curSize += n
			off += n
			if curSize == target {
				parts = append(parts, cur)
				cur, curSize = part{}, 0
			}
		}
	}
	if curSize > 0 {
		parts = append(parts, cur)
	}
	return parts
}

// copySize is how many of the rest bytes of a source to copy as one part:
// as many as S3 allows, leaving either nothing or enough for another part.
func copySize(rest int64) int64 {
	switch {
	case rest <= maxPartSize:
		return rest
	case rest-maxPartSize < minPartSize:
		return rest - minPartSize
	default:
		return maxPartSize
	}
}

// slice returns n bytes of p from off.
func (p piece) slice(off, n int64) piece {
	p.offset += off
	p.size = n
	return p
}

// size is the total length of p's pieces.
func (p part) size() int64 {
	var n int64
	for _, pc := range p.pieces {
		n += pc.size
	}
	return n
}
