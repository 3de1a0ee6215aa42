// Package prometheus holds Sightline's Prometheus alerting rules
// (sightline-alerts.yml) and the test that checks them; it has no Go code
// of its own.
package prometheus

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/sightline-dev/sightline/pipeline/metrics/metricstest"
)

// TestAlertingRules parses every rules file here as Prometheus does
// (rulefmt, strict fields, PromQL, templates) and checks that each rule's
// expression names only metrics the sightline binary exports.
func TestAlertingRules(t *testing.T) {
	exported, err := metricstest.Exported()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob("*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no rules files in ops/prometheus (%v)", err)
	}
	for _, file := range files {
		groups, errs := rulefmt.ParseFile(file, false, model.UTF8Validation, metricstest.Parser, slog.New(slog.DiscardHandler))
		for _, err := range errs {
			t.Errorf("%s: %v", file, err)
		}
		if groups == nil {
			continue
		}
		rules := 0
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				rules++
				names, err := metricstest.MetricNames(r.Expr)
				if err != nil {
					t.Errorf("%s: rule %s: %v", file, r.Alert, err)
				}
				for _, n := range names {
					if !exported[n] {
						t.Errorf("%s: rule %s names metric %s, which sightline does not export", file, r.Alert, n)
					}
				}
			}
		}
		if rules == 0 {
			t.Errorf("%s has no rules", file)
		}
	}
}
