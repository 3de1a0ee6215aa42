// Package syncrepos is the sync-repos job: it brings every registered
// repository up to date (clone --mirror or fetch for URL repositories, an
// inspection for local paths used in place), writes the outcomes as a
// repo-sync batch, and loads them into the repos table. A repository that
// cannot be reached is recorded as that repository's error; the others are
// synced regardless.
package syncrepos

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/repospec"
)

// Name is the job's registry name.
const Name = "sync-repos"

// Defaults.
const (
	DefaultConcurrency = 4
	DefaultTimeout     = gitsource.DefaultNetworkTimeout
)

// Job syncs repositories.
type Job struct {
	// Specs, from the config file, are registered (or updated) before each
	// run; repositories added with `sightline repos add` are synced too.
	Specs []repos.Spec
	// Concurrency is how many repositories sync at once.
	Concurrency int
	// Timeout bounds one repository's clone or fetch (or, for a local
	// path, its inspection); a repository that takes longer is recorded
	// as failed and the others go on. DefaultTimeout when 0.
	Timeout time.Duration
	// Protocols are the git transports URL repositories may use
	// (giturl.DefaultProtocols when empty); a repository registered with
	// another is recorded as failed without running git.
	Protocols giturl.Protocols
}

var _ jobs.Job = (*Job)(nil)

// Name implements jobs.Job.
func (j *Job) Name() string { return Name }

// Description implements jobs.Job.
func (j *Job) Description() string {
	return "clone/fetch registered repositories into the mirror directory (local paths are used in place)"
}

// DefaultSchedule implements jobs.Job.
func (j *Job) DefaultSchedule() string { return "*/15 * * * *" }

// Run implements jobs.Job.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	if len(j.Specs) > 0 {
		if err := repos.Upsert(ctx, env.DB, j.Specs...); err != nil {
			return nil, err
		}
	}
	list, err := repos.List(ctx, env.DB)
	if err != nil {
		return nil, err
	}
	results := j.syncAll(ctx, env, list)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	counts := jobs.Counts{"repos": int64(len(results))}
	for _, r := range results {
		if r.Error != "" {
			counts["errored"]++
			env.Logger.Warn("repository sync failed", "repo", r.Name, "err", r.Error)
		} else {
			counts["synced"]++
		}
	}
	loaded, err := writeAndLoad(ctx, env, results)
	counts["rows_loaded"] = loaded
	return counts, err
}

// Result is the outcome of syncing one repository.
type Result struct {
	Name string
	gitsource.Info
	Error    string
	SyncedAt time.Time
	Took     time.Duration
}

func (j *Job) syncAll(ctx context.Context, env *jobs.Env, list []repos.Repo) []Result {
	results := make([]Result, len(list))
	sem := make(chan struct{}, cmp.Or(j.Concurrency, DefaultConcurrency))
	var wg sync.WaitGroup
	for i, r := range list {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = j.syncOne(ctx, env, r)
		}()
	}
	wg.Wait()
	return results
}

func (j *Job) syncOne(ctx context.Context, env *jobs.Env, r repos.Repo) Result {
	timeout := cmp.Or(j.Timeout, DefaultTimeout)
	start := env.Now()
	var (
		info gitsource.Info
		err  error
	)
	if r.Path != "" {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		info, err = gitsource.Inspect(ctx, r.Path)
		cancel()
	} else {
		info, err = j.mirror(ctx, env, r, timeout)
	}
	res := Result{Name: r.Name, Info: info, SyncedAt: start, Took: env.Now().Sub(start)}
	if err != nil {
		// Mirror masks credentials already; this is for any other path.
		res.Error = giturl.Scrub(fmt.Sprintf("sync %s: %v", r.Name, err), r.URL)
	} else {
		env.Logger.Debug("repository synced", "repo", r.Name, "head", info.Head, "took", res.Took)
	}
	return res
}

// mirror clones or fetches a URL repository into repospec.MirrorDir. Mirrors
// made by releases before the flat layout are not reused (they could nest
// inside one another): the repository is cloned again, and the old
// directory is left for the operator to delete, with a warning.
func (j *Job) mirror(ctx context.Context, env *jobs.Env, r repos.Repo, timeout time.Duration) (gitsource.Info, error) {
	dest := repospec.MirrorDir(env.DataDir, r.Name)
	if _, err := os.Stat(dest); err != nil {
		legacy := repospec.LegacyMirrorDir(env.DataDir, r.Name)
		if _, err := os.Stat(legacy); err == nil {
			env.Logger.Warn("cloning again into the flat mirror layout; the old mirror is no longer used, delete it",
				"repo", r.Name, "old", legacy, "new", dest)
		}
	}
	return gitsource.Mirror(ctx, r.URL, dest, gitsource.MirrorOpts{Protocols: j.Protocols, Timeout: timeout})
}
