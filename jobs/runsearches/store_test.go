package runsearches_test

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// incompleteReadFault fails the first read of a run-searches incomplete
// batch, as a reset connection would.
type incompleteReadFault struct {
	bucket.Bucket
	failed atomic.Bool
}

func (f *incompleteReadFault) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if strings.HasPrefix(key, "runs/"+runsearches.Name+"/") && strings.HasSuffix(key, "/incomplete.arrow") && f.failed.CompareAndSwap(false, true) {
		return nil, errors.New("connection reset by peer (injected)")
	}
	return f.Bucket.Get(ctx, key)
}

// TestFailedStoreStoresNothing fails the load of a shard's incomplete
// points on its last attempt: its answers are not stored either (they used
// to be, beside the incomplete points the failed shard then records for
// the same repository and times), and the run counts no commits searched
// into stored answers.
func TestFailedStoreStoresNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	good, gone := gittest.New(t), gittest.New(t)
	good.Commit(day(2, 1), "c", map[string]string{"a": "TODO"})
	gone.Commit(day(2, 1), "c", map[string]string{"a": "TODO"})
	e.addRepo("good", good.Dir)
	e.addRepo("gone", gone.Dir)
	e.syncAndIndex()
	seriesID, _ := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 3})
	e.run(&planbackfills.Job{MaxAttempts: 1})
	if err := os.RemoveAll(gone.Dir); err != nil {
		t.Fatal(err)
	}
	fault := &incompleteReadFault{Bucket: e.r.Bucket}
	e.r.Bucket = fault
	counts := e.run(&runsearches.Job{RetryAfter: -1})
	if !fault.failed.Load() || counts["settled"] != 1 {
		t.Fatalf("counts %v: want the store failed and the shard settled", counts)
	}
	if counts["commits"] != 0 || counts["answers"] != 0 || counts["points"] != 0 {
		t.Errorf("counts %v: want no commits, answers or points of the failed store counted", counts)
	}
	if values, _ := e.points("series_points", seriesID); len(values) != 0 {
		t.Errorf("points of the failed shard stored: %v", values)
	}
	lost, err := insights.IncompleteList(e.ctx, e.db, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) != 6 {
		t.Errorf("incomplete = %+v, want both repositories at each of 3 times", lost)
	}
}
