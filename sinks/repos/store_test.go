package repos_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/repos"
)

func TestUpsertListRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	err := repos.Upsert(ctx, db,
		repos.Spec{Name: "local", Path: "/srv/local"},
		repos.Spec{Name: "github.com/org/app", URL: "https://example.com/org/app.git", Private: true})
	if err != nil {
		t.Fatal(err)
	}
	// Upserting again updates in place.
	if err := repos.Upsert(ctx, db, repos.Spec{Name: "local", Path: "/srv/moved"}); err != nil {
		t.Fatal(err)
	}
	list, err := repos.List(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "github.com/org/app" || !list[0].Private || list[1].Path != "/srv/moved" {
		t.Fatalf("List = %+v", list)
	}
	if err := repos.Remove(ctx, db, "local"); err != nil {
		t.Fatal(err)
	}
	if _, err := repos.Get(ctx, db, "local"); !errors.Is(err, repos.ErrNotFound) {
		t.Fatalf("Get(removed) = %v, want ErrNotFound", err)
	}
	if err := repos.Remove(ctx, db, "nope"); !errors.Is(err, repos.ErrNotFound) || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("Remove(unknown) = %v, want ErrNotFound naming it", err)
	}
}

func TestUpsertValidatesAllFirst(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	tests := []struct {
		spec    repos.Spec
		wantErr string
	}{
		{repos.Spec{Name: "x", Path: "/a", URL: "https://b"}, "path and url are both set"},
		{repos.Spec{Name: "x"}, "give a path"},
		{repos.Spec{Name: "../etc", Path: "/a"}, `repository name "../etc"`},
		{repos.Spec{Name: "x", Path: "relative/dir"}, "is not absolute"},
		{repos.Spec{Name: "x", URL: "--upload-pack=touch /tmp/pwned"}, `repository "x": repository URL "--upload-pack=touch /tmp/pwned" starts with '-'`},
		{repos.Spec{Name: "x", URL: "ext::sh -c id"}, "ext:: transport is not supported"},
		{repos.Spec{Name: "x", URL: "fd::17"}, "fd:: transport is not supported"},
		{repos.Spec{Name: "a//b", Path: "/a"}, `repository name "a//b"`},
		{repos.Spec{Name: "/abs", Path: "/a"}, `repository name "/abs"`},
		{repos.Spec{Name: "a/../b", Path: "/a"}, `repository name "a/../b"`},
	}
	for _, tt := range tests {
		err := repos.Upsert(ctx, db, repos.Spec{Name: "good", Path: "/good"}, tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("Upsert(%+v) = %v, want %q", tt.spec, err, tt.wantErr)
		}
	}
	list, err := repos.List(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 {
		t.Fatalf("a rejected batch of specs wrote %d repos", len(list))
	}
}
