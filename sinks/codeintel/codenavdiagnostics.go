package codeintel

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Diagnostic is an error, warning or note the indexer reported at a
// location.
type Diagnostic struct {
	Location
	// Severity is error, warning, information or hint (LSP's 1 to 4), or
	// empty when the indexer gave none.
	Severity string `json:"severity"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message"`
	Source   string `json:"source,omitempty"`
}

var severities = [...]string{1: "error", 2: "warning", 3: "information", 4: "hint"}

func severityName(s int32) string {
	if s > 0 && int(s) < len(severities) {
		return severities[s]
	}
	return ""
}

// CodenavDiagnostics returns the diagnostics of the uploads visible at
// q.Commit for the file q.Path, the files under it when it is a directory,
// or every file when it is empty, ordered by upload (nearest first), path
// and position. q.Position is not used.
func CodenavDiagnostics(ctx context.Context, db DB, q CodenavQuery) (CodenavResult, error) {
	n := &navigator{ctx: ctx, db: db}
	uploads, reason, err := n.uploadsFor(q)
	if err != nil || reason != "" {
		return CodenavResult{Reason: reason}, err
	}
	var res CodenavResult
	for _, u := range uploads {
		found, err := n.diagnostics(u, q.Path)
		if err != nil {
			return CodenavResult{}, err
		}
		res.Diagnostics = append(res.Diagnostics, found...)
	}
	if len(res.Diagnostics) == 0 {
		where := "any file"
		if q.Path != "" {
			where = q.Path
		}
		res.Reason = fmt.Sprintf("no diagnostics for %s in %s", where, uploadList(uploads))
	}
	return res, nil
}

// diagnostics returns u's diagnostics for path (repository-relative): the
// file, the files under the directory, or all when path is empty.
func (n *navigator) diagnostics(u navUpload, path string) ([]Diagnostic, error) {
	rows, err := n.db.Query(n.ctx, `
		SELECT path, start_line, start_character, end_line, end_character, severity, code, message, source
		FROM lsif_diagnostics
		WHERE upload_id = $1 AND ($2 = '' OR path = $2 OR starts_with(path, $2 || '/'))
		ORDER BY path, start_line, start_character, message`, u.ID, path)
	if err != nil {
		return nil, fmt.Errorf("diagnostics of %s: %w", u, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Diagnostic, error) {
		var (
			d        Diagnostic
			p        string
			r        Range
			severity int32
		)
		err := row.Scan(&p, &r.Start.Line, &r.Start.Character, &r.End.Line, &r.End.Character, &severity, &d.Code, &d.Message, &d.Source)
		d.Location = u.location(p, r)
		d.Severity = severityName(severity)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("diagnostics of %s: %w", u, err)
	}
	return out, nil
}
