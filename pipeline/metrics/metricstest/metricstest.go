// Package metricstest helps tests check PromQL written for Sightline's
// metrics (alerting rules, dashboards) against what the binary exports. It
// is for tests only.
package metricstest

import (
	"fmt"
	"slices"
	"time"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/sightline-dev/sightline/pipeline/metrics"
)

// Exported returns the names of every metric family a Sightline process
// exports, gathered from a metrics.Set's registries after recording a run,
// a job interval and the queues, so that every labelled family has a
// series.
func Exported() (map[string]bool, error) {
	s := metrics.New(true)
	now := time.Now()
	s.JobInterval("sync-repos", time.Hour)
	s.RunFinished(metrics.Run{Job: "sync-repos", Status: "succeeded", Started: now.Add(-time.Second), Finished: now,
		Counts: map[string]int64{"repos": 1}, RowsLoaded: map[string]int64{"repo-sync": 1}})
	s.SetQueues(metrics.Queues{At: now,
		Queues:    []metrics.Queue{{Name: metrics.QueueShards, States: map[string]int64{"queued": 1}, OldestQueued: now}},
		Backfills: metrics.Backfills{States: map[string]int64{"failed": 1}}})
	fams, err := s.Gatherer().Gather()
	if err != nil {
		return nil, err
	}
	names := make(map[string]bool, len(fams))
	for _, f := range fams {
		names[f.GetName()] = true
	}
	return names, nil
}

// Parser is the PromQL parser with Prometheus's default options.
var Parser = parser.NewParser(parser.Options{})

// MetricNames parses the PromQL expression expr and returns the metric
// names its selectors name, sorted. A selector without a metric name is an
// error: it could match anything.
func MetricNames(expr string) ([]string, error) {
	e, err := Parser.ParseExpr(expr)
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", expr, err)
	}
	var names []string
	var selErr error
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		switch {
		case !ok:
		case vs.Name == "":
			selErr = fmt.Errorf("%q: selector %s names no metric", expr, vs)
		default:
			names = append(names, vs.Name)
		}
		return nil
	})
	slices.Sort(names)
	return slices.Compact(names), selErr
}
