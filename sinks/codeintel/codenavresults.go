package codeintel

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
)

// navRange is a range of an upload at the queried position.
type navRange struct {
	upload           navUpload
	definitionResult int32
	referenceResult  int32
	hoverID          int32
	monikers         []navMoniker
}

// navMoniker is a parsed "kind:scheme:identifier" of lsif_ranges.monikers.
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
// first. A range contains the positions from its start to its end,
// inclusive, so a cursor just after a name is on it.
func (n *navigator) rangesAt(u navUpload, path string, pos Position) ([]navRange, error) {
	rows, err := n.db.Query(n.ctx, `
		SELECT definition_result, reference_result, hover_id, monikers FROM lsif_ranges
		WHERE upload_id = $1 AND path = $2 AND start_line <= $3 AND end_line >= $3
		  AND (start_line < $3 OR start_character <= $4) AND (end_line > $3 OR end_character >= $4)
		ORDER BY start_line DESC, start_character DESC, end_line, end_character`, u.ID, path, pos.Line, pos.Character)
	if err != nil {
		return nil, fmt.Errorf("ranges of %s at %s: %w", u, path, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (navRange, error) {
		r := navRange{upload: u}
		var monikers []string
		err := row.Scan(&r.definitionResult, &r.referenceResult, &r.hoverID, &monikers)
		r.monikers = parseMonikers(monikers)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("ranges of %s at %s: %w", u, path, err)
	}
	return out, nil
}

// resultLocations returns the locations of a definition or reference
// result of u.
func (n *navigator) resultLocations(u navUpload, kind string, id int32) ([]Location, error) {
	rows, err := n.db.Query(n.ctx, `
		SELECT upload_id, path, start_line, start_character, end_line, end_character FROM lsif_result_locations
		WHERE upload_id = $1 AND result_id = $2 AND kind = $3
		ORDER BY path, start_line, start_character`, u.ID, id, kind)
	if err != nil {
		return nil, fmt.Errorf("%s result %d of %s: %w", kind, id, u, err)
	}
	out, err := pgx.CollectRows(rows, scanLocation(map[int64]navUpload{u.ID: u}))
	if err != nil {
		return nil, fmt.Errorf("%s result %d of %s: %w", kind, id, u, err)
	}
	return out, nil
}

// scanLocation scans (upload id, path, range) into a location of that
// upload, one of uploads.
func scanLocation(uploads map[int64]navUpload) pgx.RowToFunc[Location] {
	return func(row pgx.CollectableRow) (Location, error) {
		var (
			id   int64
			path string
			r    Range
		)
		if err := row.Scan(&id, &path, &r.Start.Line, &r.Start.Character, &r.End.Line, &r.End.Character); err != nil {
			return Location{}, err
		}
		return uploads[id].location(path, r), nil
	}
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
