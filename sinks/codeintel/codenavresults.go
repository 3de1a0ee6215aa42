package codeintel

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
)

// navRange is a range of an upload at the queried position.
type navRange struct {
	upload           navUpload
	definitionResult int32
	referenceResult  int32
	hoverID          int32
	monikers         []navMoniker
}

// navMoniker is a parsed "kind:scheme:identifier" of a packed range.
type navMoniker struct {
	kind, scheme, identifier string
}

func parseMonikers(ss []string) []navMoniker {
	var out []navMoniker
	for _, s := range ss {
		kind, rest, ok1 := strings.Cut(s, ":")
		scheme, ident, ok2 := strings.Cut(rest, ":")
		if ok1 && ok2 {
			out = append(out, navMoniker{kind, scheme, ident})
		}
	}
	return out
}

// rangesAt returns the upload's ranges in path that contain pos, innermost
// first (the latest start first, then the earliest end). A range contains
// the positions from its start to its end, inclusive, so a cursor just
// after a name is on it.
func (n *navigator) rangesAt(u navUpload, path string, pos Position) ([]navRange, error) {
	if pos.Line > math.MaxInt32 || pos.Character > math.MaxInt32 {
		return nil, nil // beyond any range: positions are int32s
	}
	rows, err := n.db.Query(n.ctx, `SELECT data FROM lsif_documents WHERE upload_id = $1 AND path = $2`, u.ID, path)
	if err != nil {
		return nil, fmt.Errorf("ranges of %s at %s: %w", u, path, err)
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("ranges of %s at %s: %w", u, path, err)
	}
	var found []packed.Range
	for _, data := range docs {
		ranges, err := packed.DecodeDocumentAt(data, int32(pos.Line), int32(pos.Character))
		if err != nil {
			return nil, fmt.Errorf("ranges of %s at %s: %w", u, path, err)
		}
		found = append(found, ranges...)
	}
	slices.SortStableFunc(found, func(a, b packed.Range) int {
		return cmp.Or(cmp.Compare(b.StartLine, a.StartLine), cmp.Compare(b.StartCharacter, a.StartCharacter),
			cmp.Compare(a.EndLine, b.EndLine), cmp.Compare(a.EndCharacter, b.EndCharacter))
	})
	out := make([]navRange, len(found))
	for i, r := range found {
		out[i] = navRange{upload: u, definitionResult: r.DefinitionResult, referenceResult: r.ReferenceResult,
			hoverID: r.HoverID, monikers: parseMonikers(r.Monikers)}
	}
	return out, nil
}

// resultKinds are the packed kinds of "definitions" and "references".
var resultKinds = map[string]byte{"definitions": packed.Definitions, "references": packed.References}

// resultLocations returns the locations of a definition or reference
// result of u, sorted by path and range.
func (n *navigator) resultLocations(u navUpload, kind string, id int32) ([]Location, error) {
	locs, err := n.results(u, []int32{id}, kind)
	if err != nil {
		return nil, fmt.Errorf("%s result %d of %s: %w", kind, id, u, err)
	}
	return locs, nil
}

// results returns the locations of u's results ids of kind, sorted by
// path and range (repeats kept): it reads each chunk holding one of them
// once, and decodes only those results.
func (n *navigator) results(u navUpload, ids []int32, kind string) ([]Location, error) {
	byChunk := make(map[int32][]int32)
	for _, id := range ids {
		byChunk[packed.Chunk(id)] = append(byChunk[packed.Chunk(id)], id)
	}
	rows, err := n.db.Query(n.ctx, `SELECT chunk, data FROM lsif_result_chunks WHERE upload_id = $1 AND chunk = ANY ($2)`,
		u.ID, slices.Collect(maps.Keys(byChunk)))
	if err != nil {
		return nil, fmt.Errorf("result chunks of %s: %w", u, err)
	}
	var (
		out   []Location
		chunk int32
		data  []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&chunk, &data}, func() error {
		results, err := packed.DecodeChunkResults(data, byChunk[chunk], resultKinds[kind])
		if err != nil {
			return fmt.Errorf("chunk %d: %w", chunk, err)
		}
		for _, r := range results {
			for _, l := range r.Locations {
				out = append(out, u.location(l.Path, Range{
					Start: Position{Line: int(l.StartLine), Character: int(l.StartCharacter)},
					End:   Position{Line: int(l.EndLine), Character: int(l.EndCharacter)}}))
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("result chunks of %s: %w", u, err)
	}
	slices.SortStableFunc(out, compareLocations)
	return out, nil
}

// compareLocations orders locations of one upload by path and range.
func compareLocations(a, b Location) int {
	return cmp.Or(strings.Compare(a.Path, b.Path),
		cmp.Compare(a.Range.Start.Line, b.Range.Start.Line), cmp.Compare(a.Range.Start.Character, b.Range.Start.Character),
		cmp.Compare(a.Range.End.Line, b.Range.End.Line), cmp.Compare(a.Range.End.Character, b.Range.End.Character))
}

// definitions implements CodenavDefinitions.
func (n *navigator) definitions(ranges []navRange) (CodenavResult, error) {
	res, err := firstFound(ranges, func(r navRange) ([]Location, error) {
		if r.definitionResult == 0 {
			return nil, nil
		}
		return n.resultLocations(r.upload, "definitions", r.definitionResult)
	})
	if err != nil || len(res.Locations) > 0 {
		return res, err
	}
	return firstFound(ranges, func(r navRange) ([]Location, error) {
		var locs []Location
		for _, m := range r.monikers {
			uploads := []navUpload{r.upload}
			if m.kind == "import" {
				defs, err := n.packageUploads(r.upload, m)
				if err != nil {
					return nil, err
				}
				uploads = append(uploads, defs...)
			}
			found, err := n.monikerLocations(uploads, m, "definitions")
			if err != nil {
				return nil, err
			}
			locs = append(locs, found...)
		}
		return locs, nil
	})
}

// references implements CodenavReferences: the innermost range with a
// reference result or a moniker answers.
func (n *navigator) references(ranges []navRange) (CodenavResult, error) {
	return firstFound(ranges, func(r navRange) ([]Location, error) {
		var locs []Location
		if r.referenceResult != 0 {
			found, err := n.resultLocations(r.upload, "references", r.referenceResult)
			if err != nil {
				return nil, err
			}
			locs = append(locs, found...)
		}
		for _, m := range r.monikers {
			found, err := n.crossReferences(r.upload, m)
			if err != nil {
				return nil, err
			}
			locs = append(locs, found...)
		}
		return locs, nil
	})
}

// firstFound returns the locations find finds for the first of ranges
// (innermost first) for which it finds any, without repeats.
func firstFound(ranges []navRange, find func(navRange) ([]Location, error)) (CodenavResult, error) {
	for _, r := range ranges {
		locs, err := find(r)
		if err != nil {
			return CodenavResult{}, err
		}
		if len(locs) > 0 {
			return CodenavResult{Locations: dedupe(locs)}, nil
		}
	}
	return CodenavResult{}, nil
}

// hover implements CodenavHover.
func (n *navigator) hover(ranges []navRange) (CodenavResult, error) {
	if text, err := n.firstHover(ranges); err != nil || text != "" {
		return CodenavResult{Hover: text}, err
	}
	// No hover here: try the definition of an imported symbol, in the
	// upload that exports it.
	defs, err := n.definitions(ranges)
	if err != nil {
		return CodenavResult{}, err
	}
	for _, loc := range defs.Locations {
		text, err := n.hoverAt(loc)
		if err != nil || text != "" {
			return CodenavResult{Hover: text}, err
		}
	}
	return CodenavResult{}, nil
}

// firstHover returns the hover text of the first of ranges (innermost
// first) that has one.
func (n *navigator) firstHover(ranges []navRange) (string, error) {
	for _, r := range ranges {
		if r.hoverID == 0 {
			continue
		}
		if text, err := n.hoverText(r.upload.ID, r.hoverID); err != nil || text != "" {
			return text, err
		}
	}
	return "", nil
}

func (n *navigator) hoverText(uploadID int64, hoverID int32) (string, error) {
	var text string
	err := n.db.QueryRow(n.ctx, `SELECT text FROM lsif_hovers WHERE upload_id = $1 AND hover_id = $2`, uploadID, hoverID).Scan(&text)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("hover %d of upload %d: %w", hoverID, uploadID, err)
	}
	return text, nil
}

// hoverAt returns the hover text of the innermost range with one at loc's
// start, in the completed upload of loc's repository and commit.
func (n *navigator) hoverAt(loc Location) (string, error) {
	rows, err := n.db.Query(n.ctx, `
		SELECT `+navUploadColumns+` FROM lsif_uploads u JOIN repos r ON r.id = u.repo_id
		WHERE r.name = $1 AND u.commit_oid = $2 AND u.state = 'completed' ORDER BY u.id DESC`, loc.Repo, loc.Commit)
	if err != nil {
		return "", fmt.Errorf("uploads of %s at %s: %w", loc.Repo, loc.Commit, err)
	}
	uploads, err := pgx.CollectRows(rows, scanNavUpload)
	if err != nil {
		return "", fmt.Errorf("uploads of %s at %s: %w", loc.Repo, loc.Commit, err)
	}
	for _, u := range uploads {
		if !u.covers(loc.Path) {
			continue
		}
		ranges, err := n.rangesAt(u, loc.Path, loc.Range.Start)
		if err != nil {
			return "", err
		}
		if text, err := n.firstHover(ranges); err != nil || text != "" {
			return text, err
		}
	}
	return "", nil
}

// dedupe drops repeated locations, keeping the first of each.
func dedupe(locs []Location) []Location {
	seen := make(map[Location]bool, len(locs))
	return slices.DeleteFunc(locs, func(l Location) bool {
		if seen[l] {
			return true
		}
		seen[l] = true
		return false
	})
}
