package prune

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// DefaultUploadRetention is how long a completed upload is kept when
// nothing else keeps it (the tip of its default branch, a younger upload's
// commit).
const DefaultUploadRetention = 90 * 24 * time.Hour

// expireUploads applies the upload expiration policy: in each repository
// with completed uploads older than cutoff, those uploaded before cutoff that neither the
// tip of the default branch nor a younger upload's commit needs become
// deleted (expired_uploads), their rows deleted. A repository whose
// commit graph is not current (uploads changed since update-commit-graph
// ran, or the tip moved past it) is skipped (expiry_skipped_repos): what
// its kept commits need is not known, and nothing is expired on a guess;
// so is one whose graph goes stale while prune runs (an upload completes,
// the tip moves), which UploadsExpire checks again in its transaction.
func (p *pruner) expireUploads(ctx context.Context, cutoff time.Time, retention time.Duration) error {
	list, err := codeintel.RetentionReposList(ctx, p.env.DB, cutoff)
	if err != nil {
		return err
	}
	reason := fmt.Sprintf("expired: uploaded more than %s ago, and neither visible at the tip of the default branch nor needed by a younger upload's commit (SIGHTLINE_UPLOAD_RETENTION)", retention)
	for _, r := range list {
		if err := ctx.Err(); err != nil {
			return err
		}
		if why := skipExpiry(r); why != "" {
			p.counts["expiry_skipped_repos"]++
			p.env.Logger.Info("prune: not expiring uploads of a repository", "repo", r.Name, "why", why)
			continue
		}
		ids, err := codeintel.UploadsExpire(ctx, p.env.DB, codeintel.UploadsExpireParams{
			RepoID: r.ID, Head: r.Head, Before: cutoff, Reason: reason})
		if errors.Is(err, codeintel.ErrGraphNotCurrent) {
			// An upload completed, or the tip moved, since the list was read.
			p.counts["expiry_skipped_repos"]++
			p.env.Logger.Info("prune: not expiring uploads of a repository", "repo", r.Name, "why", "its commit graph changed while prune ran")
			continue
		}
		if err != nil {
			if err := p.failed(ctx, err, "repo", r.Name); err != nil {
				return err
			}
			continue
		}
		p.counts["expired_uploads"] += int64(len(ids))
		if len(ids) > 0 {
			p.env.Logger.Info("prune: expired uploads", "repo", r.Name, "uploads", ids)
		}
	}
	return nil
}

// skipExpiry says why r's uploads cannot be expired now, or "".
func skipExpiry(r codeintel.RetentionRepo) string {
	switch {
	case r.Head == "":
		return "not synced yet: the tip of its default branch is unknown"
	case r.Dirty:
		return "its uploads changed since update-commit-graph last ran"
	case !r.TipKnown:
		return "the commit graph has no upload visible at the tip of its default branch (the branch moved since update-commit-graph ran?)"
	}
	return ""
}
