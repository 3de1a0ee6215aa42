package commitindex_test

import (
	"context"
	"testing"

	"github.com/sightline-dev/sightline/sinks/commitindex"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

func TestIntact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	var repo int64
	if err := db.QueryRow(ctx, `INSERT INTO repos (name, path) VALUES ('demo', '/demo') RETURNING id`).Scan(&repo); err != nil {
		t.Fatal(err)
	}
	// The index holds positions 0, 1, 2 and 4: c0, c1, c2, c4.
	_, err := db.Exec(ctx, `INSERT INTO repo_commits (repo_id, position, commit_oid, committed_at)
		SELECT $1, p, 'c' || p, now() FROM unnest(ARRAY[0, 1, 2, 4]) AS p`, repo)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		head  string
		count int
		want  bool
	}{
		{"nothing indexed", "", 0, true},
		{"a gap before the head", "c4", 5, false},
		{"rows past the head", "c2", 3, false},
		{"another head", "x", 4, false},
		{"more rows than recorded", "c1", 2, false},
	}
	for _, tt := range tests {
		got, err := commitindex.Intact(ctx, db, repo, tt.head, tt.count)
		if err != nil || got != tt.want {
			t.Errorf("%s: Intact(%q, %d) = %t, %v; want %t", tt.name, tt.head, tt.count, got, err, tt.want)
		}
	}
	// Positions 0, 2, 4: as many rows as recorded, the head where it
	// should be, and a gap.
	if _, err := db.Exec(ctx, `DELETE FROM repo_commits WHERE position = 1`); err != nil {
		t.Fatal(err)
	}
	if got, err := commitindex.Intact(ctx, db, repo, "c2", 3); err != nil || got {
		t.Errorf("positions 0, 2, 4 with head c2: Intact = %t, %v; want false", got, err)
	}
	// Positions 0, 1, 2: intact.
	if _, err := db.Exec(ctx, `DELETE FROM repo_commits WHERE position = 4`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `INSERT INTO repo_commits (repo_id, position, commit_oid, committed_at) VALUES ($1, 1, 'c1', now())`, repo); err != nil {
		t.Fatal(err)
	}
	if got, err := commitindex.Intact(ctx, db, repo, "c2", 3); err != nil || !got {
		t.Errorf("positions 0-2 with head c2: Intact = %t, %v; want true", got, err)
	}
}

func TestIndexed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	var repo, other int64
	if err := db.QueryRow(ctx, `INSERT INTO repos (name, path) VALUES ('demo', '/demo') RETURNING id`).Scan(&repo); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `INSERT INTO repos (name, path) VALUES ('other', '/other') RETURNING id`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	_, err := db.Exec(ctx, `INSERT INTO repo_commits (repo_id, position, commit_oid, committed_at)
		SELECT $1::bigint, p, 'c' || p, now() FROM generate_series(0, 3) AS p UNION ALL SELECT $2::bigint, 0, 'x0', now()`, repo, other)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		oids []string
		want bool
	}{
		{[]string{"c0", "c3"}, true},
		{[]string{"c2", "c2"}, true},
		{[]string{"c1", "c9"}, false},
		{[]string{"c1", "x0"}, false}, // another repository's
	} {
		if got, err := commitindex.Indexed(ctx, db, repo, tt.oids...); err != nil || got != tt.want {
			t.Errorf("Indexed(%q) = %t, %v; want %t", tt.oids, got, err, tt.want)
		}
	}
}
