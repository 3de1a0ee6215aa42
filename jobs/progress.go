package jobs

import (
	"context"

	"github.com/sightline-dev/sightline/pipeline/progress"
)

// StartProgress starts reporting the run's progress through total items of
// unit, as e.Progress says (by default a log line through e.Logger every
// progress.DefaultInterval). The caller calls Add per item done and Stop
// when the run ends.
func (e *Env) StartProgress(ctx context.Context, job, unit string, total int64) *progress.Reporter {
	opts := e.Progress
	if opts.Logger == nil {
		opts.Logger = e.Logger
	}
	r := progress.New(job, unit, total, opts)
	r.Start(ctx)
	return r
}
