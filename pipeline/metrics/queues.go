package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The queues sightline_queue_items and sightline_queue_oldest_age_seconds
// report.
const (
	QueueShards  = "shards"
	QueueUploads = "uploads"
)

// Queue is one work queue's state at a moment.
type Queue struct {
	// Name is QueueShards or QueueUploads.
	Name string
	// States maps every state of the queue to its number of items; states
	// with none are listed with 0, so that a drained state reads 0, not
	// absent.
	States map[string]int64
	// OldestQueued is when the oldest waiting item was queued; zero when
	// none waits.
	OldestQueued time.Time
}

// Backfills is the insight backfills' state at a moment.
type Backfills struct {
	// States maps every backfill state to its number of backfills.
	States map[string]int64
	// ReposTotal, ReposDone and ReposErrored add up the open backfills.
	ReposTotal, ReposDone, ReposErrored int64
}

// Queues is what SetQueues records.
type Queues struct {
	Queues    []Queue
	Backfills Backfills
	// At is the time the ages are measured at.
	At time.Time
}

// SetQueues replaces the queue gauges with q.
func (s *Set) SetQueues(q Queues) {
	if s == nil {
		return
	}
	for _, queue := range q.Queues {
		s.queueItems.DeletePartialMatch(prometheus.Labels{"queue": queue.Name})
		for state, n := range queue.States {
			s.queueItems.WithLabelValues(queue.Name, state).Set(float64(n))
		}
		age := 0.0
		if !queue.OldestQueued.IsZero() {
			age = max(q.At.Sub(queue.OldestQueued).Seconds(), 0)
		}
		s.queueOldest.WithLabelValues(queue.Name).Set(age)
	}
	s.backfills.Reset()
	for state, n := range q.Backfills.States {
		s.backfills.WithLabelValues(state).Set(float64(n))
	}
	s.backfillRepos.WithLabelValues("total").Set(float64(q.Backfills.ReposTotal))
	s.backfillRepos.WithLabelValues("done").Set(float64(q.Backfills.ReposDone))
	s.backfillRepos.WithLabelValues("errored").Set(float64(q.Backfills.ReposErrored))
}
