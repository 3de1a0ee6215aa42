package insights

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

// check finds the file's mistakes that need the database, before anything
// is written: unknown repositories, and titles that match several views.
func (a *applier) check(ctx context.Context) error {
	var errs insightspec.Errors
	known, err := a.knownRepos(ctx)
	if err != nil {
		return err
	}
	for _, in := range a.f.Insights {
		for j, name := range in.Scope.Repos {
			if known[name] {
				continue
			}
			errs = append(errs, &insightspec.Error{File: a.f.Name, Line: in.Scope.Line, Insight: in.Name(),
				Field: fmt.Sprintf("repos[%d]", j),
				Msg: fmt.Sprintf("repository %q is not registered: declare it in the file's repos: list, or run `sightline repos add %s --path DIR` (or --url URL)",
					name, name)})
		}
	}
	a.matched = map[int]string{}
	for _, in := range a.f.Insights {
		if in.ID != "" {
			continue
		}
		ids, err := a.viewsTitled(ctx, in.Title)
		if err != nil {
			return err
		}
		switch len(ids) {
		case 0:
			a.matched[in.Index] = ""
		case 1:
			a.matched[in.Index] = ids[0]
		default:
			errs = append(errs, &insightspec.Error{File: a.f.Name, Line: in.Line, Insight: in.Name(), Field: "title",
				Msg: fmt.Sprintf("%d views have this title (ids %s), so it does not say which to update: give the insight the id of the one to keep",
					len(ids), strings.Join(ids, ", "))})
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// knownRepos returns the set of repository names the file may list: the
// registered ones it lists and the ones it declares.
func (a *applier) knownRepos(ctx context.Context) (map[string]bool, error) {
	known := map[string]bool{}
	for _, r := range a.f.Repos {
		known[r.Name] = true
	}
	var listed []string
	for _, in := range a.f.Insights {
		listed = append(listed, in.Scope.Repos...)
	}
	if len(listed) == 0 {
		return known, nil
	}
	names, err := repos.Registered(ctx, a.tx, listed)
	if err != nil {
		return nil, fmt.Errorf("apply %s: %w", a.f.Name, err)
	}
	for _, n := range names {
		known[n] = true
	}
	return known, nil
}

// viewsTitled returns the unique ids of the live views titled title, except
// those the file names by id (an insight with an id may be renaming its view
// to another insight's old title).
func (a *applier) viewsTitled(ctx context.Context, title string) ([]string, error) {
	fileIDs := []string{} // not nil: ANY(NULL) would match nothing
	for _, in := range a.f.Insights {
		if in.ID != "" {
			fileIDs = append(fileIDs, in.ID)
		}
	}
	rows, err := a.tx.Query(ctx, `SELECT unique_id FROM insight_views
		WHERE deleted_at IS NULL AND title = $1 AND NOT (unique_id = ANY($2)) ORDER BY id`, title, fileIDs)
	if err != nil {
		return nil, fmt.Errorf("apply %s: find view %q: %w", a.f.Name, title, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("apply %s: find view %q: %w", a.f.Name, title, err)
	}
	return ids, nil
}

// upsertRepos registers the file's repositories or updates them where they
// differ (restoring removed ones); unchanged ones are not written.
func (a *applier) upsertRepos(ctx context.Context) error {
	for _, s := range a.f.Repos {
		change, err := repos.Save(ctx, a.tx, s, a.now)
		if err != nil {
			return err
		}
		switch change {
		case repos.Unchanged:
			a.res.ReposUnchanged++
		case repos.Created:
			a.res.ReposCreated++
		case repos.Updated:
			a.res.ReposUpdated++
		}
	}
	return nil
}
