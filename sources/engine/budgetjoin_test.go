package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestPassBudgetFromJoin shares a pass between a query evaluated in full
// from the first commit and two that join the walk at the last (as a
// recording continuing its stored answer joins a backfill's pass at its
// own commit): each is charged from when it joins, not for the history it
// does not walk. The one with the least budget there is runs out at the
// commit it joins at, never before; the one whose base cannot be continued
// fails before it joins and is charged nothing.
func TestPassBudgetFromJoin(t *testing.T) {
	t.Parallel()
	g := gittest.New(t)
	var commits []string
	for i := range 6 {
		files := map[string]string{}
		for f := range 10 {
			files[fmt.Sprintf("f%d.txt", f)] = fmt.Sprintf("%d foo %d\n", i, f)
		}
		commits = append(commits, g.Commit(day(i+1), fmt.Sprint("c", i), files))
	}
	repo := openRepo(t, g.Dir)
	foo := parse(t, "foo")
	last := len(commits) - 1
	base := series(t, &engine.Engine{}, repo, foo, commits[last-1:last], engine.Opts{})[0]
	broken := engine.Point{Commit: "not-a-commit"}
	queries := []engine.PassQuery{
		{Query: foo},
		{Query: foo, Base: &base, From: last, Budget: time.Nanosecond},
		{Query: foo, Base: &broken, From: last, Budget: time.Hour},
	}
	res, err := (&engine.Engine{}).Pass(context.Background(), repo, queries, commits)
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Err != nil {
		t.Fatal(res[0].Err)
	}
	if err := res[1].Err; !errors.Is(err, engine.ErrDeadline) || !strings.Contains(err.Error(), "at commit "+commits[last]+":") {
		t.Errorf("late query with a budget of 1ns: error %v; want it out of time at the commit it joins at, %s", err, commits[last])
	}
	if r := res[2]; !errors.Is(r.Err, engine.ErrBaseUnusable) || r.Spent != 0 {
		t.Errorf("late query with an unusable base: error %v, charged %s; want ErrBaseUnusable, charged nothing (it never joined the walk)",
			r.Err, r.Spent)
	}
}
