package prune

import (
	"context"
	"time"

	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// pruneInbox deletes the upload inbox entries last written before cutoff:
// those without a manifest (an upload interrupted while sending its
// parts), counted in inbox_incomplete, and those process-uploads never
// registered (their repository is unknown, or no process-uploads ran),
// counted in inbox_unregistered. Each count appears once there are any.
// process-uploads deletes the entries it registers, so the inbox holds at
// most a retention period's uploads.
func (p *pruner) pruneInbox(ctx context.Context, cutoff time.Time) error {
	entries, err := codeintel.InboxList(ctx, p.env.Bucket)
	if err != nil {
		return p.failed(ctx, err)
	}
	for _, e := range entries {
		if !e.Newest().Before(cutoff) {
			continue
		}
		if err := codeintel.InboxDelete(ctx, p.env.Bucket, e); err != nil {
			if err := p.failed(ctx, err, "entry", e.Name); err != nil {
				return err
			}
			continue
		}
		if e.HasManifest {
			p.counts["inbox_unregistered"]++
			p.env.Logger.Warn("prune: deleted an upload inbox entry process-uploads never registered (unknown repository?)", "entry", e.Name)
		} else {
			p.counts["inbox_incomplete"]++
		}
		p.counts["objects"] += int64(len(e.Objects))
		p.counts["bytes"] += e.Bytes()
	}
	return nil
}
