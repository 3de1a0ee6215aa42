package cli

import (
	"strconv"
	"time"
)

// opsSettings are run-searches' limits beyond its concurrency, and how
// much insight history prune keeps.
type opsSettings struct {
	searchTimeoutText, searchGitRateText string
	// searchTimeout bounds one task of a query without timeout:; 0 means
	// the job's default.
	searchTimeout time.Duration
	// searchGitRate bounds the sample commits evaluated per second, per
	// process; 0 means unlimited.
	searchGitRate float64

	prunePointsFactorText string
	// prunePointsFactor is how many windows of points each series keeps:
	// 0 means the job's default, negative all.
	prunePointsFactor float64
}

// resolveSearchLimits reads run-searches' per-task deadline and git rate.
func (s *opsSettings) resolveSearchLimits() error {
	if s.searchTimeoutText != "" {
		d, err := time.ParseDuration(s.searchTimeoutText)
		if err != nil || d <= 0 {
			return usageErrorf("--search-timeout / SIGHTLINE_SEARCH_TIMEOUT: %q is not a positive duration such as 10m or 90s", s.searchTimeoutText)
		}
		s.searchTimeout = d
	}
	if s.searchGitRateText != "" {
		r, err := strconv.ParseFloat(s.searchGitRateText, 64)
		if err != nil || r <= 0 || r > 1e9 {
			return usageErrorf("--search-git-rate / SIGHTLINE_SEARCH_GIT_RATE: %q is not a positive number of commits per second such as 50 or 0.5", s.searchGitRateText)
		}
		s.searchGitRate = r
	}
	return nil
}

// resolvePrunePointsFactor reads how many windows of points prune keeps.
func (s *opsSettings) resolvePrunePointsFactor() error {
	if s.prunePointsFactorText == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s.prunePointsFactorText, 64)
	if err != nil || f != 0 && f < 1 || f > 1000 {
		return usageErrorf("--prune-points-factor / SIGHTLINE_PRUNE_POINTS_FACTOR: %q is not a number from 1 to 1000 (or 0 to keep every point)", s.prunePointsFactorText)
	}
	s.prunePointsFactor = f
	if f == 0 {
		s.prunePointsFactor = -1
	}
	return nil
}
