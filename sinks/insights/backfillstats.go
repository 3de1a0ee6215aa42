package insights

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// BackfillStates are every state a backfill can be in.
var BackfillStates = []string{"new", "processing", "completed", "failed"}

// BackfillStats is the backfills at a moment: how many per state (every
// state listed, 0 when none), and the repositories of the open (new or
// processing) ones: in total, done and errored.
type BackfillStats struct {
	ByState                             map[string]int64
	ReposTotal, ReposDone, ReposErrored int64
}

// BackfillStatsGet reads the BackfillStats in one statement.
func BackfillStatsGet(ctx context.Context, db *pgxpool.Pool) (BackfillStats, error) {
	st := BackfillStats{ByState: make(map[string]int64, len(BackfillStates))}
	for _, s := range BackfillStates {
		st.ByState[s] = 0
	}
	rows, err := db.Query(ctx, `
		SELECT state, count(*), coalesce(sum(repos_total), 0), coalesce(sum(repos_done), 0), coalesce(sum(repos_errored), 0)
		FROM backfills GROUP BY state`)
	if err != nil {
		return st, fmt.Errorf("read backfill stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n, total, done, errored int64
		if err := rows.Scan(&state, &n, &total, &done, &errored); err != nil {
			return st, fmt.Errorf("read backfill stats: %w", err)
		}
		st.ByState[state] = n
		if state == "new" || state == "processing" {
			st.ReposTotal, st.ReposDone, st.ReposErrored = st.ReposTotal+total, st.ReposDone+done, st.ReposErrored+errored
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("read backfill stats: %w", err)
	}
	return st, nil
}
