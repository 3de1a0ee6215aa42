package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/jobs/prune"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/jobs/updatecommitgraph"
	"github.com/sightline-dev/sightline/migrations"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/bucketurl"
	"github.com/sightline-dev/sightline/pipeline/progress"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/pgstore"
	"github.com/sightline-dev/sightline/sources/mirrorcache"
)

// app holds one invocation's settings and the resources commands open on
// demand; close releases them (and stops the private Postgres if this
// invocation started it).
type app struct {
	settings
	mirrorCache    *mirrorcache.Cache
	docsLimit      *apidocs.Limit
	stdout, stderr io.Writer
	getenv         func(string) string
	log            *slog.Logger
	cfg            fileConfig
	// line is stderr's live status line when stderr is a terminal and
	// logs are text; nil otherwise.
	line *progress.Line

	db      *pgxpool.Pool
	private *pgstore.Private
	bucket  bucket.Bucket
}

// database opens the Postgres pool: DATABASE_URL, or the private server.
func (a *app) database(ctx context.Context) (*pgxpool.Pool, error) {
	if a.db != nil {
		return a.db, nil
	}
	url := a.databaseURL
	if url == "" {
		a.private = &pgstore.Private{DataDir: a.dataDir, Logger: a.log}
		var err error
		if url, err = a.private.Start(ctx); err != nil {
			return nil, err
		}
	}
	db, err := pgstore.Open(ctx, url, pgstore.Opts{Logger: a.log})
	if err != nil {
		return nil, err
	}
	a.db = db
	return db, nil
}

// migratedDatabase opens the database and checks that its schema is
// current. The private database, which nobody else manages, is migrated
// automatically; any other refuses to run until `sightline migrate up`.
func (a *app) migratedDatabase(ctx context.Context) (*pgxpool.Pool, error) {
	db, err := a.database(ctx)
	if err != nil {
		return nil, err
	}
	m, err := migrations.NewMigrator(ctx, db)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	if a.private != nil {
		applied, err := m.Up(ctx)
		if err != nil {
			return nil, err
		}
		if len(applied) > 0 {
			a.log.Info("migrated the private database", "versions", applied)
		}
		return db, nil
	}
	return db, m.Check(ctx)
}

func (a *app) openBucket(ctx context.Context) (bucket.Bucket, error) {
	if a.bucket != nil {
		return a.bucket, nil
	}
	b, err := bucketurl.OpenOpts(ctx, a.bucketURL, bucketurl.Opts{Logger: a.log})
	var urlErr *bucket.URLError
	if errors.As(err, &urlErr) {
		return nil, usageErrorf("--bucket / SIGHTLINE_BUCKET: %v", err)
	}
	if err != nil {
		return nil, err
	}
	a.bucket = b
	return b, nil
}

// registry is every job this binary runs.
func (a *app) registry() *jobs.Registry {
	return jobs.NewRegistry(
		&syncrepos.Job{Specs: a.cfg.Repos, Protocols: a.gitProtocols, Timeout: a.gitTimeout},
		&indexcommits.Job{},
		&planbackfills.Job{},
		&runsearches.Job{Mirrors: a.mirrors(), Concurrency: a.searchConcurrency, GroupShards: a.searchGroup,
			TaskTimeout: a.searchTimeout, GitRate: a.searchGitRate},
		&enqueuesnapshots.Job{},
		&processuploads.Job{Mirrors: a.mirrors(), Protocols: a.gitProtocols, GitTimeout: a.gitTimeout,
			CommitWait: a.uploadCommitWait, APIDocsLimit: a.apidocsLimit()},
		&updatecommitgraph.Job{APIDocsLimit: a.apidocsLimit()},
		&prune.Job{Retention: a.pruneAfter, JobRunsRetention: a.pruneRunsAfter, UploadRetention: a.uploadRetention,
			PointsWindowFactor: a.prunePointsFactor, APIDocsLimit: a.apidocsLimit()},
	)
}

// runner returns a job runner on the (migrated) database and bucket.
func (a *app) runner(ctx context.Context) (*jobs.Runner, error) {
	b, err := a.openBucket(ctx)
	if err != nil {
		return nil, err
	}
	db, err := a.migratedDatabase(ctx)
	if err != nil {
		return nil, err
	}
	return &jobs.Runner{DB: db, Bucket: b, DataDir: a.dataDir, Logger: a.log, NowFunc: a.now, MaxRuntime: a.maxRuntime}, nil
}

func (a *app) close(ctx context.Context) {
	if a.bucket != nil {
		a.bucket.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
	if a.private != nil {
		if err := a.private.Stop(ctx); err != nil {
			fmt.Fprintln(a.stderr, "sightline: stop private Postgres:", err)
		}
	}
}

// apidocsLimit is the API docs index-size limit the jobs share, so that
// its warnings are spaced out across them.
func (a *app) apidocsLimit() *apidocs.Limit {
	if a.docsLimit == nil {
		a.docsLimit = &apidocs.Limit{MaxRows: a.apidocsMaxRows, Logger: a.log, NowFunc: a.now}
	}
	return a.docsLimit
}

// mirrors is the queue workers' mirror cache in the data directory: URL
// repositories they lack are fetched there, within the cache size.
func (a *app) mirrors() *mirrorcache.Cache {
	if a.mirrorCache == nil {
		a.mirrorCache = &mirrorcache.Cache{DataDir: a.dataDir, MaxBytes: a.mirrorCacheSize,
			Protocols: a.gitProtocols, Timeout: a.gitTimeout}
	}
	return a.mirrorCache
}
