package codeintel

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Position is a 0-based position in a document, as in LSP.
type Position struct {
	Line      int `json:"line"`
	Character int `json:"character"`
}

// Range is a span of a document, from Start to End.
type Range struct {
	Start Position `json:"start"`
	End   Position `json:"end"`
}

// Location is a range in a file of a repository at a commit: the commit of
// the upload the data comes from, which may differ from the commit asked
// about (the nearest upload's commit).
type Location struct {
	Repo   string `json:"repo"`
	Commit string `json:"commit"`
	// Path is relative to the repository root (the upload's root joined
	// with the indexed document's path).
	Path  string `json:"path"`
	Range Range  `json:"range"`
}

// CodenavQuery is a position in a file of a repository at a commit.
type CodenavQuery struct {
	Repo string
	// Commit is a full 40-character commit id.
	Commit string
	// Path is relative to the repository root.
	Path     string
	Position Position
}

// CodenavResult is the answer to a navigation query. When it holds nothing
// (no locations, no hover text), Reason says why in words a person can act
// on: an unknown repository, no upload visible at the commit, no data at
// the position.
type CodenavResult struct {
	Locations   []Location
	Hover       string
	Diagnostics []Diagnostic
	Reason      string
}

// CodenavDefinitions returns the definitions of the symbol at q: the
// definition result of the innermost range at the position that has one in
// the visible uploads, else the definitions of its monikers, in the same
// upload and, for import monikers, in the uploads that export the
// package (matched by scheme and name; an empty version on either side
// matches any version).
//
// Only completed uploads are read. Positions are the upload's: when the
// commit asked about differs from the upload's commit, nothing shifts the
// position to account for edits in between.
func CodenavDefinitions(ctx context.Context, db DB, q CodenavQuery) (CodenavResult, error) {
	return codenav(ctx, db, q, "definitions", (*navigator).definitions)
}

// CodenavReferences returns the references of the symbol at q: the
// reference result of the innermost range that has one, plus, for its
// import and export monikers, the moniker's locations (through its results) in the uploads that
// define the package and in the uploads that depend on it (the newest
// completed upload of each repository, root and indexer).
func CodenavReferences(ctx context.Context, db DB, q CodenavQuery) (CodenavResult, error) {
	return codenav(ctx, db, q, "references", (*navigator).references)
}

// CodenavHover returns the hover text of the innermost range at q that has
// one, else the hover text at the definition of one of its import monikers
// in the package's upload.
func CodenavHover(ctx context.Context, db DB, q CodenavQuery) (CodenavResult, error) {
	return codenav(ctx, db, q, "hover text", (*navigator).hover)
}

// codenav finds the uploads visible at q that cover q.Path and the ranges at
// the position in each, and runs answer on them.
func codenav(ctx context.Context, db DB, q CodenavQuery, what string,
	answer func(*navigator, []navRange) (CodenavResult, error)) (CodenavResult, error) {
	n := &navigator{ctx: ctx, db: db}
	uploads, reason, err := n.uploadsFor(q)
	if err != nil || reason != "" {
		return CodenavResult{Reason: reason}, err
	}
	var ranges []navRange
	for _, u := range uploads {
		rs, err := n.rangesAt(u, q.Path, q.Position)
		if err != nil {
			return CodenavResult{}, err
		}
		ranges = append(ranges, rs...)
	}
	if len(ranges) == 0 {
		return CodenavResult{Reason: n.noRangeReason(uploads, q)}, nil
	}
	res, err := answer(n, ranges)
	if err != nil {
		return CodenavResult{}, err
	}
	if len(res.Locations) == 0 && res.Hover == "" {
		res.Reason = fmt.Sprintf("no %s for the symbol at %s:%d:%d in %s", what, q.Path, q.Position.Line, q.Position.Character,
			uploadList(uploads))
	}
	return res, nil
}

// uploadsFor returns the completed uploads of q.Repo visible at q.Commit
// whose root covers q.Path, nearest first; when there are none (or no such
// repository), reason says why.
func (n *navigator) uploadsFor(q CodenavQuery) (uploads []navUpload, reason string, err error) {
	var repoID int64
	err = n.db.QueryRow(n.ctx, `SELECT id FROM repos WHERE name = $1`, q.Repo).Scan(&repoID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Sprintf("repository %q is not registered (sightline repos list shows the known repositories)", q.Repo), nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("look up repository %q: %w", q.Repo, err)
	}
	return n.visibleUploads(repoID, q)
}
