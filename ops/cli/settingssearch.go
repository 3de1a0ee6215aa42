package cli

import (
	"strconv"
	"time"
)

// searchSettings are run-searches' limits beyond its concurrency.
type searchSettings struct {
	searchTimeoutText, searchGitRateText string
	// searchTimeout bounds one task of a query without timeout:; 0 means
	// the job's default.
	searchTimeout time.Duration
	// searchGitRate bounds the sample commits evaluated per second, per
	// process; 0 means unlimited.
	searchGitRate float64
}

// resolveSearchLimits reads run-searches' per-task deadline and git rate.
func (s *searchSettings) resolveSearchLimits() error {
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
