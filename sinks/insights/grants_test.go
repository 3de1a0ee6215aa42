package insights_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/repos"
)

func TestGrants(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	if err := repos.Upsert(ctx, db, repos.Spec{Name: "secret", Path: "/srv/secret", Private: true},
		repos.Spec{Name: "open", Path: "/srv/open"}); err != nil {
		t.Fatal(err)
	}

	g, added, err := insights.GrantAdd(ctx, db, "ann", "secret", applyT0)
	if err != nil || !added || g.Repo != "secret" || !g.Private || !g.CreatedAt.Equal(applyT0) {
		t.Fatalf("GrantAdd = %+v, %v, %v", g, added, err)
	}
	if _, added, err := insights.GrantAdd(ctx, db, "ann", "secret", applyT0.Add(1)); err != nil || added {
		t.Errorf("second GrantAdd: added %v, %v; want an existing grant", added, err)
	}
	// A public repository may be granted; Private says it changes nothing.
	if g, _, err := insights.GrantAdd(ctx, db, "bob", "open", applyT0); err != nil || g.Private {
		t.Errorf("GrantAdd(public) = %+v, %v", g, err)
	}
	if _, _, err := insights.GrantAdd(ctx, db, "ann", "nope", applyT0); !errors.Is(err, repos.ErrNotFound) {
		t.Errorf("GrantAdd(unknown repo) = %v", err)
	}
	if _, _, err := insights.GrantAdd(ctx, db, "a b", "secret", applyT0); err == nil {
		t.Error("GrantAdd with a space in the user name succeeded")
	}

	users := func(user string) []string {
		t.Helper()
		list, err := insights.GrantsList(ctx, db, user)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, g := range list {
			out = append(out, g.User+"/"+g.Repo)
		}
		return out
	}
	if diff := cmp.Diff([]string{"ann/secret", "bob/open"}, users("")); diff != "" {
		t.Errorf("GrantsList (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ann/secret"}, users("ann")); diff != "" {
		t.Errorf("GrantsList(ann) (-want +got):\n%s", diff)
	}

	if err := insights.GrantRemove(ctx, db, "ann", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := insights.GrantRemove(ctx, db, "ann", "secret"); !errors.Is(err, insights.ErrNotFound) {
		t.Errorf("second GrantRemove = %v", err)
	}
	if got := users("ann"); got != nil {
		t.Errorf("GrantsList(ann) after remove = %v", got)
	}
}
