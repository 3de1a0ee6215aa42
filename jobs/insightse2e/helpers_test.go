// Package insightse2e tests code insights end to end: insights applied from
// YAML, the jobs sync-repos → index-commits → plan-backfills → run-searches →
// enqueue-snapshots on real Postgres, a file bucket and git repositories
// built in the test, and the series read back as users see them, checked
// against git grep. It also holds the backfill benchmark (make bench). It
// has test files only: nothing imports it.
package insightse2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sources/gittest"
)

// grepCaptures counts each value of re's first group at commit: git grep
// -o -h -i -P prints every match of pcre (re without the group), and re
// takes the group from each.
func grepCaptures(t testing.TB, dir, commit, pcre string, re *regexp.Regexp) map[string]int64 {
	out := gittest.Output(t, dir, "grep", "-o", "-h", "-i", "-P", "-e", pcre, commit)
	counts := map[string]int64{}
	if out == "" {
		return counts
	}
	for _, line := range strings.Split(out, "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("git grep printed %q, which %v does not match", line, re)
		}
		counts[m[1]]++
	}
	return counts
}

// count returns the result of a count(*) query.
func count(t testing.TB, db *pgxpool.Pool, sql string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
