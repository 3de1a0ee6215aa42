package repos_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/repos"
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
		{repos.SyncKind, `schema:
  fields: 7
    - name: type=utf8
    - git_dir: type=utf8, nullable
    - default_branch: type=utf8, nullable
    - head_commit: type=utf8, nullable
    - error: type=utf8, nullable
    - synced_at: type=timestamp[us, tz=UTC]
    - took_ms: type=int64
  metadata: ["sightline.kind": "repo-sync", "sightline.version": "1"]`},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.kind.Schema().String()); diff != "" {
			t.Errorf("kind %s: schema (-want +got):\n%s", tt.kind, diff)
		}
	}
}
