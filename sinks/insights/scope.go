package insights

import (
	"context"
	"fmt"
	"regexp"
	"slices"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/repos"
)

// ResolveRepos returns the registered repositories in s's scope, by name.
// A listed repository that is not registered is an error naming it, so a
// typo is not silently an empty series.
func ResolveRepos(ctx context.Context, db *pgxpool.Pool, s Series) ([]repos.Repo, error) {
	all, err := repos.List(ctx, db)
	if err != nil {
		return nil, err
	}
	switch s.Scope {
	case ScopeAll:
		return all, nil
	case ScopeCriteria:
		re, err := regexp.Compile(s.RepoCriteria)
		if err != nil {
			return nil, fmt.Errorf("series %d: repo criteria %q: %w", s.ID, s.RepoCriteria, err)
		}
		return slices.DeleteFunc(all, func(r repos.Repo) bool { return !re.MatchString(r.Name) }), nil
	}
	byName := make(map[string]repos.Repo, len(all))
	for _, r := range all {
		byName[r.Name] = r
	}
	out := make([]repos.Repo, 0, len(s.Repos))
	for _, name := range s.Repos {
		r, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("series %d: repository %q: %w (register it with `sightline repos add` or in the insights file)",
				s.ID, name, repos.ErrNotFound)
		}
		out = append(out, r)
	}
	return out, nil
}
