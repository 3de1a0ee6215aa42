package updatecommitgraph_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/jobs/updatecommitgraph"
)

// TestAPIDocsCountsShareNames runs both jobs that maintain the API docs
// search index: every apidocs_* count process-uploads reports (including
// its failure count) is reported under the same name by
// update-commit-graph, so one dashboard query or README line covers both.
func TestAPIDocsCountsShareNames(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	uploads := apidocsKeys(jobstest.MustRun(t, r, &processuploads.Job{}))
	graph := apidocsKeys(jobstest.MustRun(t, r, &updatecommitgraph.Job{}))
	if !slices.Contains(uploads, "apidocs_errors") {
		t.Fatalf("process-uploads reports %v: want its failure count, apidocs_errors", uploads)
	}
	for _, k := range uploads {
		if !slices.Contains(graph, k) {
			t.Errorf("process-uploads reports %s, update-commit-graph does not (it reports %v)", k, graph)
		}
	}
}

// apidocsKeys returns the sorted names of the apidocs_* counts.
func apidocsKeys(c jobs.Counts) []string {
	var out []string
	for k := range c {
		if strings.HasPrefix(k, "apidocs_") {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}
