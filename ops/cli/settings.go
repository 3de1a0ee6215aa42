package cli

import (
	"fmt"
	"io"
	"log/slog"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

// settings are the global options: each a flag with an environment variable
// behind it (the flag wins).
type settings struct {
	databaseURL string
	bucketURL   string
	dataDir     string
	logFormat   string
	logLevel    string
	configFile  string
	nowText     string
	now         func() time.Time

	pruneAfterText, pruneRunsAfterText string
	// pruneAfter and pruneRunsAfter are the prune job's retention periods;
	// 0 means its defaults.
	pruneAfter, pruneRunsAfter time.Duration

	gitProtocolsText, gitTimeoutText string
	// gitProtocols are the transports URL repositories may use; gitTimeout
	// bounds each repository's clone or fetch (0: the default).
	gitProtocols giturl.Protocols
	gitTimeout   time.Duration

	maxRuntimeText string
	// maxRuntime bounds a queue worker's run; 0 means none.
	maxRuntime time.Duration

	mirrorCacheSizeText string
	// mirrorCacheSize bounds the queue workers' mirror cache; 0: none.
	mirrorCacheSize int64

	uploadCommitWaitText, uploadRetentionText string
	// uploadRetention is how long prune keeps a completed upload nothing
	// else keeps; 0 means the job's default.
	uploadRetention time.Duration
	// uploadCommitWait is how long process-uploads lets an upload wait
	// for its commit; 0 means the job's default.
	uploadCommitWait time.Duration

	searchConcurrencyText string
	// searchConcurrency is how many repositories one run-searches process
	// evaluates at once; 0 means the job's default.
	searchConcurrency int

	opsSettings
	apidocsLimitText string
	// apidocsMaxRows is the API docs search index's limit on rows per
	// table; 0 means apidocs.RowsPerFactor.
	apidocsMaxRows int64

	searchGroupText string
	// searchGroup is the most shards one run-searches claim takes together;
	// 0 means the job's default.
	searchGroup int
}

// envVars documents the global environment variables, in help order.
var envVars = []struct{ name, flag, doc string }{
	{"DATABASE_URL", "database-url", "Postgres URL; unset starts the private Postgres in $SIGHTLINE_DATA_DIR/postgres"},
	{"SIGHTLINE_BUCKET", "bucket", "object storage for batches: file:///abs/dir, s3://bucket/prefix?endpoint=&region=&path_style=, gs://bucket/prefix (default file://$SIGHTLINE_DATA_DIR/bucket)"},
	{"SIGHTLINE_DATA_DIR", "data-dir", "data directory: private Postgres, mirrors, default bucket (default .sightline)"},
	{"SIGHTLINE_LOG_FORMAT", "log-format", "log format: text or json (default text)"},
	{"SIGHTLINE_LOG_LEVEL", "log-level", "log level: debug, info, warn, error (default info)"},
	{"SIGHTLINE_CONFIG", "config", "YAML config file with repos and schedule overrides"},
	{"SIGHTLINE_NOW", "now", "fix the current time (RFC 3339 or a date), for reproducible runs and demos"},
	{"SIGHTLINE_PRUNE_AFTER", "prune-after", "prune job: keep batch runs and retired, errored or abandoned uploads this long, e.g. 7d or 12h (default 7d)"},
	{"SIGHTLINE_PRUNE_RUNS_AFTER", "prune-runs-after", "prune job: keep finished job_runs rows this long (default 90d)"},
	{"SIGHTLINE_UPLOAD_RETENTION", "upload-retention", "prune job: expire completed uploads older than this that neither the tip of the default branch nor a younger upload's commit needs, e.g. 30d (default 90d)"},
	{"SIGHTLINE_PRUNE_POINTS_FACTOR", "prune-points-factor", "prune job: keep insight points this many series windows (points × interval) back, at least 1, or 0 for all (default 2); what a series shows is always kept"},
	{"SIGHTLINE_GIT_PROTOCOLS", "git-protocols", "git transports URL repositories may use, of https, ssh, git, http, file (default https,ssh,git)"},
	{"SIGHTLINE_GIT_TIMEOUT", "git-timeout", "sync-repos: give up on a repository's clone or fetch after this long, e.g. 10m or 90s (default 10m)"},
	{"SIGHTLINE_MIRROR_CACHE_SIZE", "mirror-cache-size", "queue workers: fetch URL repositories they lack into $SIGHTLINE_DATA_DIR/repos and keep those mirrors within this size, least recently used deleted first, e.g. 20GiB (default no limit)"},
	{"SIGHTLINE_MAX_RUNTIME", "max-runtime", "queue workers (run-searches, process-uploads): end a run after this long, handing back what it holds, e.g. 50m (default: when the queue is empty)"},
	{"SIGHTLINE_SEARCH_CONCURRENCY", "search-concurrency", "run-searches: how many repositories one process evaluates at once, 1 to 64 (default 2)"},
	{"SIGHTLINE_UPLOAD_COMMIT_WAIT", "upload-commit-wait", "process-uploads: how long an upload whose commit is not fetched yet waits (queued, no attempt used) before it errors, e.g. 24h or 2d (default 24h)"},
	{"SIGHTLINE_SEARCH_TIMEOUT", "search-timeout", "run-searches: give up on a series in one repository after this long, recording timeout incomplete points, e.g. 10m (default 10m; a query's timeout: wins)"},
	{"SIGHTLINE_SEARCH_GIT_RATE", "search-git-rate", "run-searches: at most this many sample commits evaluated per second by one process, e.g. 50 or 0.5 (default no limit)"},
	{"SIGHTLINE_APIDOCS_INDEX_LIMIT_FACTOR", "apidocs-index-limit-factor", "API docs search: rows kept per table (public, private), in units of 250,000,000; the oldest uploads' rows go first (default 1.0)"},
	{"SIGHTLINE_SEARCH_GROUP", "search-group", "run-searches: the most shards one claim takes together over the same repositories, all their series evaluated in one pass per repository, 1 to 1024 (default 32; 1: a shard at a time)"},
}

func (s *settings) bind(fs *pflag.FlagSet) {
	ptrs := map[string]*string{
		"database-url": &s.databaseURL, "bucket": &s.bucketURL, "data-dir": &s.dataDir,
		"log-format": &s.logFormat, "log-level": &s.logLevel, "config": &s.configFile, "now": &s.nowText,
		"prune-after": &s.pruneAfterText, "prune-runs-after": &s.pruneRunsAfterText,
		"prune-points-factor": &s.prunePointsFactorText,
		"git-protocols":       &s.gitProtocolsText, "git-timeout": &s.gitTimeoutText,
		"max-runtime": &s.maxRuntimeText, "mirror-cache-size": &s.mirrorCacheSizeText,
		"search-concurrency": &s.searchConcurrencyText, "upload-commit-wait": &s.uploadCommitWaitText,
		"upload-retention": &s.uploadRetentionText,
		"search-timeout":   &s.searchTimeoutText, "search-git-rate": &s.searchGitRateText,
		"apidocs-index-limit-factor": &s.apidocsLimitText,
		"search-group":               &s.searchGroupText,
	}
	for _, v := range envVars {
		fs.StringVar(ptrs[v.flag], v.flag, "", v.doc+" [$"+v.name+"]")
	}
}

// resolve fills unset flags from the environment and defaults, and checks
// the values.
func (s *settings) resolve(fs *pflag.FlagSet, getenv func(string) string) error {
	for _, v := range envVars {
		f := fs.Lookup(v.flag)
		if !f.Changed && getenv(v.name) != "" {
			_ = f.Value.Set(getenv(v.name))
		}
	}
	if s.dataDir == "" {
		s.dataDir = ".sightline"
	}
	abs, err := filepath.Abs(s.dataDir)
	if err != nil {
		return err
	}
	s.dataDir = abs
	if s.bucketURL == "" {
		s.bucketURL = "file://" + filepath.Join(s.dataDir, "bucket")
	}
	if s.logFormat == "" {
		s.logFormat = "text"
	}
	if s.logFormat != "text" && s.logFormat != "json" {
		return usageErrorf("--log-format / SIGHTLINE_LOG_FORMAT: %q is not text or json", s.logFormat)
	}
	if _, err := parseLevel(s.logLevel); err != nil {
		return err
	}
	s.now = time.Now
	if s.nowText != "" {
		fixed, err := parseTime(s.nowText, time.Time{})
		if err != nil {
			return &usageError{msg: "--now / SIGHTLINE_NOW: " + err.Error()}
		}
		s.now = func() time.Time { return fixed }
	}
	if s.pruneAfter, err = parseRetention("--prune-after / SIGHTLINE_PRUNE_AFTER", s.pruneAfterText); err != nil {
		return err
	}
	if s.pruneRunsAfter, err = parseRetention("--prune-runs-after / SIGHTLINE_PRUNE_RUNS_AFTER", s.pruneRunsAfterText); err != nil {
		return err
	}
	if s.uploadRetention, err = parseRetention("--upload-retention / SIGHTLINE_UPLOAD_RETENTION", s.uploadRetentionText); err != nil {
		return err
	}
	if s.uploadCommitWait, err = parseRetention("--upload-commit-wait / SIGHTLINE_UPLOAD_COMMIT_WAIT", s.uploadCommitWaitText); err != nil {
		return err
	}
	if err := s.resolveGit(); err != nil {
		return err
	}
	if err := s.resolveMaxRuntime(); err != nil {
		return err
	}
	if err := s.resolveMirrorCacheSize(); err != nil {
		return err
	}
	if err := s.resolveSearchLimits(); err != nil {
		return err
	}
	if err := s.resolvePrunePointsFactor(); err != nil {
		return err
	}
	if err := s.resolveAPIDocsLimit(); err != nil {
		return err
	}
	if err := s.resolveSearchConcurrency(); err != nil {
		return err
	}
	return s.resolveSearchGroup()
}

// resolveSearchGroup reads how many shards one run-searches claim takes
// together.
func (s *settings) resolveSearchGroup() error {
	if s.searchGroupText == "" {
		return nil
	}
	n, err := strconv.Atoi(s.searchGroupText)
	if err != nil || n < 1 || n > 1024 {
		return usageErrorf("--search-group / SIGHTLINE_SEARCH_GROUP: %q is not a whole number from 1 to 1024", s.searchGroupText)
	}
	s.searchGroup = n
	return nil
}

// resolveAPIDocsLimit reads the API docs index-size limit factor.
func (s *settings) resolveAPIDocsLimit() error {
	if s.apidocsLimitText == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s.apidocsLimitText, 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return usageErrorf("--apidocs-index-limit-factor / SIGHTLINE_APIDOCS_INDEX_LIMIT_FACTOR: %q is not a positive number such as 1.0 (250,000,000 rows per table) or 0.5", s.apidocsLimitText)
	}
	s.apidocsMaxRows = apidocs.MaxRowsOf(f)
	return nil
}

// resolveMaxRuntime reads the queue workers' run time bound.
func (s *settings) resolveMaxRuntime() error {
	if s.maxRuntimeText == "" {
		return nil
	}
	d, err := time.ParseDuration(s.maxRuntimeText)
	if err != nil || d <= 0 {
		return usageErrorf("--max-runtime / SIGHTLINE_MAX_RUNTIME: %q is not a positive duration such as 50m or 90s", s.maxRuntimeText)
	}
	s.maxRuntime = d
	return nil
}

// resolveSearchConcurrency reads how many repositories one run-searches
// process evaluates at once.
func (s *settings) resolveSearchConcurrency() error {
	if s.searchConcurrencyText == "" {
		return nil
	}
	n, err := strconv.Atoi(s.searchConcurrencyText)
	if err != nil || n < 1 || n > 64 {
		return usageErrorf("--search-concurrency / SIGHTLINE_SEARCH_CONCURRENCY: %q is not a whole number from 1 to 64", s.searchConcurrencyText)
	}
	s.searchConcurrency = n
	return nil
}

// resolveMirrorCacheSize reads the queue workers' mirror cache bound.
func (s *settings) resolveMirrorCacheSize() error {
	if s.mirrorCacheSizeText == "" {
		return nil
	}
	n, err := parseSize(s.mirrorCacheSizeText)
	if err != nil {
		return usageErrorf("--mirror-cache-size / SIGHTLINE_MIRROR_CACHE_SIZE: %q: %v", s.mirrorCacheSizeText, err)
	}
	s.mirrorCacheSize = n
	return nil
}

// resolveGit reads the git protocol allow-list and network timeout.
func (s *settings) resolveGit() error {
	if s.gitProtocolsText != "" {
		p, err := giturl.ParseProtocols(s.gitProtocolsText)
		if err != nil {
			return usageErrorf("--git-protocols / SIGHTLINE_GIT_PROTOCOLS: %v", err)
		}
		s.gitProtocols = p
	}
	if s.gitTimeoutText != "" {
		d, err := time.ParseDuration(s.gitTimeoutText)
		if err != nil || d <= 0 {
			return usageErrorf("--git-timeout / SIGHTLINE_GIT_TIMEOUT: %q is not a positive duration such as 10m or 90s", s.gitTimeoutText)
		}
		s.gitTimeout = d
	}
	return nil
}

// parseRetention reads a retention period in the insights interval syntax,
// limited to the units of fixed length (h, d, w). "" means 0, the job's
// default. A bad value is a usage error naming the setting and the value.
func parseRetention(setting, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	units := map[string]time.Duration{"hour": time.Hour, "day": 24 * time.Hour, "week": 7 * 24 * time.Hour}
	iv, err := insightspec.ParseInterval(s)
	if unit, ok := units[iv.Unit]; err == nil && ok {
		return time.Duration(iv.Value) * unit, nil
	}
	return 0, usageErrorf("%s: %q is not a retention period: want a positive count and h, d or w (12h, 7d, 2w)", setting, s)
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if s == "" {
		return slog.LevelInfo, nil
	}
	if err := l.UnmarshalText([]byte(s)); err != nil {
		return l, usageErrorf("--log-level / SIGHTLINE_LOG_LEVEL: %q is not debug, info, warn or error", s)
	}
	return l, nil
}

func (s *settings) logger(w io.Writer) *slog.Logger {
	level, _ := parseLevel(s.logLevel)
	opts := &slog.HandlerOptions{Level: level}
	if s.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// envHelp is the environment section appended to every command's help.
func envHelp(extra ...string) string {
	var b strings.Builder
	b.WriteString("\nEnvironment variables (each overridden by its flag):\n")
	for _, v := range envVars {
		fmt.Fprintf(&b, "  %-26s %s\n", v.name, v.doc)
	}
	for _, e := range extra {
		if e != "" {
			b.WriteString("  " + e + "\n")
		}
	}
	return b.String()
}
