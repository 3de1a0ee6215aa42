package commitindex_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/commitindex"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sources/gitsource"
)

// TestHistoryList reads an index where one commit is dated before its
// parent and checks, for sample times from several days on, that exactly
// the commits back to the newest one at or before the earliest time are
// read, newest first, and that every time maps to the same commit in them
// as in the whole history.
func TestHistoryList(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	var repo int64
	if err := db.QueryRow(ctx, `INSERT INTO repos (name, path) VALUES ('h', '/h') RETURNING id`).Scan(&repo); err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2024, 1, d, 0, 0, 0, 0, time.UTC) }
	var all []gitsource.Commit                        // newest first
	for i, d := range []int{1, 5, 9, 7, 12, 20, 25} { // the 4th is dated before the 3rd
		c := gitsource.Commit{OID: fmt.Sprintf("c%d", i), CommittedAt: day(d)}
		all = append([]gitsource.Commit{c}, all...)
		if _, err := db.Exec(ctx, `INSERT INTO repo_commits (repo_id, position, commit_oid, committed_at) VALUES ($1, $2, $3, $4)`,
			repo, i, c.OID, c.CommittedAt); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		from int // the first sample day
		want int // commits read, newest first
	}{
		{0, 7},  // before the first commit: the whole history
		{3, 7},  // back to c0 (day 1)
		{6, 6},  // back to c1 (day 5)
		{8, 4},  // back to c3 (day 7): c2 (day 9) comes before it
		{10, 4}, // still c3, the newest by position at or before day 10
		{21, 2}, // c5 (day 20) and c6
		{30, 1}, // c6 alone
	}
	for _, tt := range tests {
		var times []time.Time
		for d := tt.from; d <= 31; d += 2 {
			times = append(times, day(1).AddDate(0, 0, d-1).Add(12*time.Hour))
		}
		got, err := commitindex.HistoryList(ctx, db, repo, times)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(all[:tt.want], got); d != "" {
			t.Errorf("times from day %d (-want +got):\n%s", tt.from, d)
		}
		for _, at := range times {
			want, _ := gitsource.CommitAt(all, at)
			if c, _ := gitsource.CommitAt(got, at); c != want {
				t.Errorf("times from day %d: %s maps to %q in what was read, %q in the whole history", tt.from, at, c.OID, want.OID)
			}
		}
	}
	if got, err := commitindex.HistoryList(ctx, db, repo+1, nil); err != nil || len(got) != 0 {
		t.Errorf("HistoryList(unknown repository) = %v, %v; want none", got, err)
	}
}
