// Package grafana holds Sightline's Grafana dashboard (sightline.json) and
// the test that checks it; it has no Go code of its own.
package grafana

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/metrics/metricstest"
)

// dashboard is the part of a Grafana dashboard's JSON the test reads.
type dashboard struct {
	Title  string `json:"title"`
	Panels []struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name       string `json:"name"`
			Type       string `json:"type"`
			Definition string `json:"definition"`
		} `json:"list"`
	} `json:"templating"`
}

// labelValues is a query variable's label_values(METRIC, LABEL).
var labelValues = regexp.MustCompile(`^label_values\((\w+),\s*\w+\)$`)

// TestDashboard loads sightline.json and checks that every panel query
// parses as PromQL (with the dashboard's variables filled in) and names
// only metrics the sightline binary exports, as do the query variables.
func TestDashboard(t *testing.T) {
	exported, err := metricstest.Exported()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile("sightline.json")
	if err != nil {
		t.Fatal(err)
	}
	var d dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("sightline.json: %v", err)
	}
	vars := strings.NewReplacer("$sightline_job", ".*", "$__rate_interval", "5m", "$__interval", "1m")
	queries := 0
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, target := range p.Targets {
			queries++
			names, err := metricstest.MetricNames(vars.Replace(target.Expr))
			if err != nil {
				t.Errorf("panel %q: %v", p.Title, err)
			}
			checkNames(t, "panel "+p.Title, names, exported)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		m := labelValues.FindStringSubmatch(v.Definition)
		if m == nil {
			t.Errorf("variable %s: %q is not label_values(METRIC, LABEL)", v.Name, v.Definition)
			continue
		}
		checkNames(t, "variable "+v.Name, m[1:2], exported)
	}
	if queries < 5 {
		t.Errorf("sightline.json has %d queries; want a panel per metric group", queries)
	}
}

func checkNames(t *testing.T, where string, names []string, exported map[string]bool) {
	t.Helper()
	for _, n := range names {
		if !exported[n] {
			t.Errorf("%s names metric %s, which sightline does not export", where, n)
		}
	}
}
