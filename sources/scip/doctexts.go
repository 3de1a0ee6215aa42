package scip

import (
	"bufio"
	"fmt"
	"os"
	"slices"
)

// docTexts keeps, for the API docs entries, the documentation of the
// global symbols documents declare, until grouping. The texts (a third of
// what a conversion would otherwise hold on scip-typescript's output) go
// to a temporary file as they are read; memory holds 24 bytes a symbol.
type docTexts struct {
	dir  string
	f    *os.File
	w    *bufio.Writer
	off  int64
	refs []docRef // in the order kept; sorted by symbol for reading
	buf  []byte
}

// docRef locates one symbol's signature and detail in the file.
type docRef struct {
	sym               uint32
	sigLen, detailLen uint32
	off               int64
}

// keep writes symbol s's signature and detail to the file.
func (t *docTexts) keep(s uint32, signature, detail string) error {
	if t.f == nil {
		f, err := os.CreateTemp(t.dir, "sightline-scip-docs-*")
		if err != nil {
			return fmt.Errorf("keep documentation texts: %w", err)
		}
		t.f, t.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	t.refs = append(t.refs, docRef{sym: s, sigLen: uint32(len(signature)), detailLen: uint32(len(detail)), off: t.off})
	t.w.WriteString(signature)
	t.w.WriteString(detail)
	t.off += int64(len(signature) + len(detail))
	return nil
}

// sorted finishes writing and orders the texts by symbol.
func (t *docTexts) sorted() error {
	slices.SortFunc(t.refs, func(a, b docRef) int { return int(a.sym) - int(b.sym) })
	if t.w == nil {
		return nil
	}
	if err := t.w.Flush(); err != nil {
		return fmt.Errorf("write documentation texts to %s: %w", t.f.Name(), err)
	}
	return nil
}

// read returns the texts of ref.
func (t *docTexts) read(ref docRef) (signature, detail string, err error) {
	n := int(ref.sigLen + ref.detailLen)
	t.buf = slices.Grow(t.buf[:0], n)[:n]
	if _, err := t.f.ReadAt(t.buf, ref.off); err != nil {
		return "", "", fmt.Errorf("read documentation texts from %s: %w", t.f.Name(), err)
	}
	return string(t.buf[:ref.sigLen]), string(t.buf[ref.sigLen:]), nil
}

// close removes the file.
func (t *docTexts) close() {
	if t.f != nil {
		t.f.Close()
		os.Remove(t.f.Name())
		t.f = nil
	}
}

// bytes is what the texts hold in memory.
func (t *docTexts) bytes() int64 { return int64(cap(t.refs)) * 24 }
