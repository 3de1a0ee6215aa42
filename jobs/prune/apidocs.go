package prune

import (
	"context"

	"github.com/sightline-dev/sightline/sinks/apidocs"
)

// pruneAPIDocsIndex is the index-size step: it enforces the API docs
// search index's row limit (the other jobs enforce it after each write;
// this catches a limit lowered since, or a write whose enforcement
// failed). Excess rows go oldest upload first, counted in
// apidocs_pruned_uploads and apidocs_pruned_rows.
func (p *pruner) pruneAPIDocsIndex(ctx context.Context, limit *apidocs.Limit) error {
	if limit == nil {
		limit = &apidocs.Limit{Logger: p.env.Logger}
	}
	// Counted before the error: the public table's prune is committed
	// when the private one's fails.
	res, err := limit.Enforce(ctx, p.env.DB)
	p.counts["apidocs_pruned_uploads"] += res.Uploads
	p.counts["apidocs_pruned_rows"] += res.Rows
	if err != nil {
		return p.failed(ctx, err, "step", "api docs index size")
	}
	return nil
}
