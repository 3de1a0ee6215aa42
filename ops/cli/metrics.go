package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/client_golang/prometheus/push"
	"github.com/robfig/cron/v3"

	"github.com/sightline-dev/sightline/pipeline/metrics"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// The Pushgateway job labels: runs go to {job="sightline",
// sightline_job=JOB}, the queue gauges to {job="sightline-queues"}.
const (
	pushJob       = "sightline"
	pushQueuesJob = "sightline-queues"
	// pushTimeout bounds a push, which runs even after SIGTERM.
	pushTimeout = 10 * time.Second
)

// checkPushURL refuses a Pushgateway URL that is not http(s)://HOST[...].
func checkPushURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return usageErrorf("--pushgateway-url / SIGHTLINE_PUSHGATEWAY_URL: %q is not an http(s) URL such as http://pushgateway:9091", s)
	}
	return nil
}

// checkMetricsAddr refuses a --metrics-addr that is not HOST:PORT or :PORT.
func checkMetricsAddr(s string) error {
	if _, port, err := net.SplitHostPort(s); err != nil || port == "" {
		return usageErrorf("--metrics-addr / SIGHTLINE_METRICS_ADDR: %q is not HOST:PORT or :PORT, e.g. :9090", s)
	}
	return nil
}

// setIntervals records the interval of each job's spec (job name → cron
// spec, "" for off) in set.
func setIntervals(set *metrics.Set, specs map[string]string, now time.Time) {
	for job, spec := range specs {
		if sched, err := cron.ParseStandard(spec); spec != "" && err == nil {
			next := sched.Next(now)
			set.JobInterval(job, sched.Next(next).Sub(next))
		}
	}
}

// readQueues reads the queue gauges' values from the stores.
func readQueues(ctx context.Context, db *pgxpool.Pool, now time.Time) (metrics.Queues, error) {
	shards, err := shardqueue.StatsGet(ctx, db)
	if err != nil {
		return metrics.Queues{}, err
	}
	uploads, err := codeintel.UploadsStatsGet(ctx, db)
	if err != nil {
		return metrics.Queues{}, err
	}
	backfills, err := insights.BackfillStatsGet(ctx, db)
	if err != nil {
		return metrics.Queues{}, err
	}
	return metrics.Queues{
		Queues: []metrics.Queue{
			{Name: metrics.QueueShards, States: stringKeys(shards.ByState), OldestQueued: shards.OldestQueued},
			{Name: metrics.QueueUploads, States: stringKeys(uploads.ByState), OldestQueued: uploads.OldestQueued},
		},
		Backfills: metrics.Backfills{States: backfills.ByState, ReposTotal: backfills.ReposTotal,
			ReposDone: backfills.ReposDone, ReposErrored: backfills.ReposErrored},
		At: now,
	}, nil
}

func stringKeys[K ~string](m map[K]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[string(k)] = v
	}
	return out
}

// pushMetrics pushes a run's metrics to the Pushgateway at url: the run's
// with PushAdd into its job's group (so a failed run, which sets no
// last-success time, leaves the previous one in place), the queues' with
// Push into their own group. It runs after cancellation too; a failure is
// the caller's to log, never the run's outcome.
func (a *app) pushMetrics(ctx context.Context, url, job string, set *metrics.Set, db *pgxpool.Pool) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), pushTimeout)
	defer cancel()
	runErr := push.New(url, pushJob).Grouping(metrics.JobLabel, job).Gatherer(metrics.WithoutLabel(set.Runs, metrics.JobLabel)).AddContext(ctx)
	if runErr != nil {
		runErr = fmt.Errorf("push the run metrics of %s to %s: %w", job, url, runErr)
	}
	q, err := readQueues(ctx, db, a.now())
	if err == nil {
		set.SetQueues(q)
		err = push.New(url, pushQueuesJob).Gatherer(set.Queues).PushContext(ctx)
	}
	if err != nil {
		err = fmt.Errorf("push the queue metrics to %s: %w", url, err)
	}
	return errors.Join(runErr, err)
}

// serveMetrics serves /metrics on addr until ctx ends, reading the queue
// gauges from db at each scrape. It returns once it listens; a listen error
// (address taken, malformed) is returned naming the address.
func (a *app) serveMetrics(ctx context.Context, addr string, set *metrics.Set, db *pgxpool.Pool) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--metrics-addr / SIGHTLINE_METRICS_ADDR: listen on %q: %w", addr, err)
	}
	metricsHandler := promhttp.HandlerFor(set.Gatherer(), promhttp.HandlerOpts{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		q, err := readQueues(r.Context(), db, a.now())
		if err != nil {
			// Serve the run metrics anyway; the queue gauges keep their last values.
			a.log.Warn("read queue metrics", "err", err)
		} else {
			set.SetQueues(q)
		}
		metricsHandler.ServeHTTP(w, r)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.log.Error("metrics server stopped", "addr", addr, "err", err)
		}
	}()
	context.AfterFunc(ctx, func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	})
	a.log.Info("serving metrics", "addr", ln.Addr().String(), "path", "/metrics")
	return nil
}
