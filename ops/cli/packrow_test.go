package cli_test

import (
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
)

// packRow is the packrow command of the scripts: it prints, as a bytea
// literal ("\x" and hex), the data of a packed row made by packed's
// writers, for scripts that write code navigation rows with SQL:
//
//	packrow document RANGE...   a range: "L:C-L:C definition reference hover [moniker...]"
//	packrow chunk RESULT...     a result: "id definitions|references path:L:C-L:C..."
func packRow() int {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: packrow document|chunk ITEM...")
		return 2
	}
	var (
		data []byte
		err  error
	)
	switch os.Args[1] {
	case "document":
		data, err = packDocument(os.Args[2:])
	case "chunk":
		data, err = packChunk(os.Args[2:])
	default:
		err = fmt.Errorf("%q is not document or chunk", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "packrow:", err)
		return 1
	}
	fmt.Printf(`\x%s`, hex.EncodeToString(data))
	return 0
}

func packDocument(ranges []string) ([]byte, error) {
	var w packed.DocumentWriter
	w.Reset()
	for _, r := range ranges {
		f := strings.Fields(r)
		if len(f) < 4 {
			return nil, fmt.Errorf("range %q: want position, definition, reference, hover and monikers", r)
		}
		pos, err := parsePos(f[0])
		if err != nil {
			return nil, fmt.Errorf("range %q: %w", r, err)
		}
		var ids [3]int32
		for i := range ids {
			n, err := strconv.ParseInt(f[1+i], 10, 32)
			if err != nil {
				return nil, fmt.Errorf("range %q: %w", r, err)
			}
			ids[i] = int32(n)
		}
		var monikers [][]byte
		for _, m := range f[4:] {
			monikers = append(monikers, []byte(m))
		}
		w.AddRange(pos, ids[0], ids[1], ids[2], monikers)
	}
	return w.Bytes(), nil
}

func packChunk(results []string) ([]byte, error) {
	kinds := map[string]byte{"definitions": packed.Definitions, "references": packed.References}
	var w packed.ChunkWriter
	w.Reset()
	for _, r := range results {
		f := strings.Fields(r)
		if len(f) < 2 || kinds[f[1]] == 0 {
			return nil, fmt.Errorf("result %q: want id, definitions or references, and locations", r)
		}
		id, err := strconv.ParseInt(f[0], 10, 32)
		if err != nil {
			return nil, fmt.Errorf("result %q: %w", r, err)
		}
		w.AddResult(int32(id), kinds[f[1]], len(f)-2)
		for _, l := range f[2:] {
			path, at, ok := strings.Cut(l, ":")
			pos, err := parsePos(at)
			if !ok || err != nil {
				return nil, fmt.Errorf("result %q: location %q: want path:L:C-L:C", r, l)
			}
			w.AddLocation(path, pos)
		}
	}
	return w.Bytes(), nil
}

// parsePos parses "L:C-L:C".
func parsePos(s string) ([4]int32, error) {
	var p [4]int32
	if _, err := fmt.Sscanf(s, "%d:%d-%d:%d", &p[0], &p[1], &p[2], &p[3]); err != nil {
		return p, fmt.Errorf("position %q: want L:C-L:C: %w", s, err)
	}
	return p, nil
}
