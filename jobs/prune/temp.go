package prune

import (
	"context"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// pruneTemp removes the temporary files that crashed writes left in the
// bucket before cutoff, if the bucket keeps any (bucket.TempCleaner).
func (p *pruner) pruneTemp(ctx context.Context, cutoff time.Time) error {
	p.counts["temp_files"] = 0
	cleaner, ok := p.env.Bucket.(bucket.TempCleaner)
	if !ok {
		return nil
	}
	n, err := cleaner.CleanTemp(ctx, cutoff)
	p.counts["temp_files"] += int64(n)
	if err != nil {
		return p.failed(ctx, err, "bucket", p.env.Bucket.String())
	}
	return nil
}
