package metrics

import (
	"context"
	"maps"
	"sync"
)

// RowTally adds up rows loaded into Postgres per batch kind during one run.
// It is safe for concurrent use.
type RowTally struct {
	mu   sync.Mutex
	rows map[string]int64
}

type tallyKey struct{}

// WithRowTally returns a context carrying a new tally: the loader adds to
// it (AddRows) whatever it loads under that context, wherever in the job
// the load happens.
func WithRowTally(ctx context.Context) (context.Context, *RowTally) {
	t := &RowTally{rows: map[string]int64{}}
	return context.WithValue(ctx, tallyKey{}, t), t
}

// AddRows adds n rows of kind to ctx's tally; without one it does nothing.
func AddRows(ctx context.Context, kind string, n int64) {
	t, _ := ctx.Value(tallyKey{}).(*RowTally)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.rows[kind] += n
}

// Rows returns a copy of the tally. A nil tally has none.
func (t *RowTally) Rows() map[string]int64 {
	if t == nil {
		return map[string]int64{}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.rows)
}
