package planbackfills

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// resume plans the waiting repositories of a processing backfill that are
// indexed now; the others keep waiting, up to maxWait. A repository
// removed meanwhile has nothing left to compute.
func (p *plan) resume(ctx context.Context, env *jobs.Env, byID map[int64]repos.Repo, maxWait time.Duration) error {
	for _, w := range p.backfill.Waiting {
		r, ok := byID[w.RepoID]
		if !ok {
			p.step.Resolved = append(p.step.Resolved, w.RepoID)
			p.step.Done++
			continue
		}
		waits := len(p.step.Wait)
		if err := p.addRepo(ctx, env, r, w.Times, w.Waited, maxWait); err != nil {
			return err
		}
		if len(p.step.Wait) == waits {
			p.step.Resolved = append(p.step.Resolved, w.RepoID)
		}
	}
	return nil
}

// dropWaiting resolves every waiting repository of a backfill whose series
// was deleted.
func (p *plan) dropWaiting() {
	for _, w := range p.backfill.Waiting {
		p.step.Resolved = append(p.step.Resolved, w.RepoID)
		p.step.Done++
	}
}

// retry plans the series' repo-error incomplete points: each repository's
// own at their times, and a whole point (no repository) at its time in
// every repository in scope. Whole points are cleared now; a repository's
// when it is planned (a failure records them again).
func (p *plan) retry(ctx context.Context, env *jobs.Env) error {
	points, err := insights.RetryPoints(ctx, env.DB, p.series.ID)
	if err != nil {
		return err
	}
	byRepo := map[int64][]time.Time{}
	var whole []time.Time
	for _, pt := range points {
		if pt.RepoID == 0 {
			whole = append(whole, pt.Time)
			p.step.Clear = append(p.step.Clear, pt)
		} else {
			byRepo[pt.RepoID] = append(byRepo[pt.RepoID], pt.Time)
		}
	}
	scope, err := insights.ResolveRepos(ctx, env.DB, p.series)
	if planning.ScopeError(err) {
		return &userError{err.Error()}
	}
	if err != nil {
		return err
	}
	for _, r := range scope {
		times := byRepo[r.ID]
		if len(whole) > 0 && p.query.MatchRepo(r.Name) {
			times = append(times, whole...)
		}
		if len(times) == 0 {
			continue
		}
		slices.SortFunc(times, time.Time.Compare)
		p.step.Total++
		if err := p.addRepo(ctx, env, r, slices.CompactFunc(times, time.Time.Equal), 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// waitReason says what repository r waits for to answer at time last.
func waitReason(r repos.Repo, last time.Time) string {
	switch {
	case r.GitDir == "" && r.LastError != "":
		return fmt.Sprintf("sync-repos of %s (last sync failed: %s)", r.Name, oneLine(r.LastError, 120))
	case r.GitDir == "":
		return "sync-repos of " + r.Name
	case r.CommitsIndexedThrough != nil:
		return planning.StaleReason(r, last)
	}
	return "index-commits of " + r.Name
}

// waitingText is the backfill's waiting reason: the first three
// repositories' and how many more; "" when none.
func waitingText(reasons []string) string {
	const show = 3
	if len(reasons) == 0 {
		return ""
	}
	s := "waiting for " + strings.Join(reasons[:min(show, len(reasons))], "; ")
	if len(reasons) > show {
		s += fmt.Sprintf("; and %d more repositories", len(reasons)-show)
	}
	return s
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
