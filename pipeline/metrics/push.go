package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// WithoutLabel returns a Gatherer that gathers g and drops label name from
// every series. A run pushes its metrics with the Pushgateway grouping
// label sightline_job=JOB, which the gateway adds to every series of the
// group and which pushed series must therefore not carry themselves.
func WithoutLabel(g prometheus.Gatherer, name string) prometheus.Gatherer {
	return prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		fams, err := g.Gather()
		for _, f := range fams {
			for _, m := range f.Metric {
				kept := m.Label[:0]
				for _, l := range m.Label {
					if l.GetName() != name {
						kept = append(kept, l)
					}
				}
				m.Label = kept
			}
		}
		return fams, err
	})
}
