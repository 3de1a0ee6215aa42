package shardqueue_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// TestKindSchemas pins each kind's schema, metadata included, as written
// before the kinds were declared with columns: a stored batch of a version
// must keep its fields. A changed schema needs a new version, and this
// test changed with it.
func TestKindSchemas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind batch.Kind
		want string
	}{
		{shardqueue.TasksKind, `schema:
  fields: 4
    - series_id: type=int64
    - repo_id: type=int64
    - times: type=list<item: timestamp[s, tz=UTC], nullable>
    - commits: type=list<item: utf8, nullable>
  metadata: ["sightline.kind": "search-tasks", "sightline.version": "1"]`},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.kind.Schema().String()); diff != "" {
			t.Errorf("kind %s: schema (-want +got):\n%s", tt.kind, diff)
		}
	}
}
