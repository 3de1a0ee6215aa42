// Package soak is the fault-injection soak test (make soak): the insights
// pipeline and LSIF uploads run over S3 and over GCS — the real SDK clients
// against pipeline/buckettest's in-process fakes, behind a buckettest.Chaos
// that answers 503, resets connections and truncates answers at random —
// on real Postgres and real git, every failed job re-run until it succeeds,
// and the result compared with a fault-free run and with git grep. Any
// difference is data loss.
//
// It is opt-in (SIGHTLINE_SOAK=1) and never part of make test. It has test
// files only: nothing imports it.
package soak

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/insights/insightstest"
)

// maxRounds bounds how often one job (or one upload) is run before the
// soak gives up on it.
const maxRounds = 50

// profile is a set of fault rates and what the runs under it must show.
type profile struct {
	name string
	cfg  buckettest.ChaosConfig
	// exact requires every point to equal the fault-free run's and none
	// to be incomplete. Otherwise a point the pipeline flags incomplete
	// (it says it lacks data) is allowed, and reported; a point that is
	// wrong, or missing without a flag, never is.
	exact bool
}

// profiles are the fault rates of the soak: of 503s, resets and
// truncations per request.
var profiles = []profile{
	{"5%/2%/2%", buckettest.ChaosConfig{Unavailable: 0.05, Reset: 0.02, Truncate: 0.02}, true},
	{"15%/8%/8%", buckettest.ChaosConfig{Unavailable: 0.15, Reset: 0.08, Truncate: 0.08}, false},
}

// skipUnlessSoak skips the test unless SIGHTLINE_SOAK=1 and returns the
// seed of the faults: SIGHTLINE_SOAK_SEED, or 1.
func skipUnlessSoak(t *testing.T) uint64 {
	if os.Getenv("SIGHTLINE_SOAK") != "1" {
		t.Skip("the fault-injection soak test is opt-in: run `make soak` " +
			"(or SIGHTLINE_SOAK=1 go test -count=1 -v -run TestSoak ./ops/e2e/soak/ with TEST_DATABASE_URL set)")
	}
	raw := os.Getenv("SIGHTLINE_SOAK_SEED")
	if raw == "" {
		return 1
	}
	seed, err := strconv.ParseUint(raw, 10, 64)
	if err != nil {
		t.Fatalf("SIGHTLINE_SOAK_SEED=%q: want a non-negative integer, the seed of the faults", raw)
	}
	return seed
}

// iterations is how many times each profile is run, each with its own
// seed: SIGHTLINE_SOAK_ITERATIONS, or 5.
func iterations(t *testing.T) int {
	raw := os.Getenv("SIGHTLINE_SOAK_ITERATIONS")
	if raw == "" {
		return 5
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < 1 {
		t.Fatalf("SIGHTLINE_SOAK_ITERATIONS=%q: want a positive integer, the runs of each fault profile", raw)
	}
	return n
}

// TestSoak runs, for each provider, the pipeline once without faults and
// then under each profile, once per iteration with seeds seed, seed+1, …,
// and compares each run with the fault-free one.
func TestSoak(t *testing.T) {
	seed := skipUnlessSoak(t)
	n := iterations(t)
	s3Env(t)
	w := &world{insights: insightstest.NewWorld(t), lsif: newLSIFWorld(t)}
	var report []string
	var bases []*outcome
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			base := soak(t, p, w, profile{name: "fault-free"})
			w.checkOracle(t, base)
			bases = append(bases, base)
			report = append(report, base.summary())
			for _, prof := range profiles {
				for i := range uint64(n) {
					prof := prof
					prof.cfg.Seed = seed + i
					prof.name = fmt.Sprintf("%s seed %d", prof.name, prof.cfg.Seed)
					t.Run(prof.name, func(t *testing.T) {
						got := soak(t, p, w, prof)
						ok := compare(t, base, got, prof.exact)
						report = append(report, got.summary()+verdict(ok, prof.exact))
					})
				}
			}
		})
	}
	if len(bases) == 2 {
		compareProviders(t, bases[0], bases[1])
	}
	t.Logf("soak report (%d iterations from seed %d, at most %d runs per job):\n%s",
		n, seed, maxRounds, strings.Join(report, "\n"))
}

func verdict(ok, exact bool) string {
	switch {
	case !ok:
		return "\n    result: DATA LOSS (see the errors above)"
	case exact:
		return "\n    result: equal to the fault-free run"
	}
	return "\n    result: no data loss (points that differ, if any, are flagged incomplete)"
}

// summary is o's part of the report: faults injected and runs needed.
func (o *outcome) summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s, %s:", o.provider, o.profile)
	for _, part := range []*partOutcome{&o.insights, &o.uploads} {
		fmt.Fprintf(&b, "\n    %s: %v\n      runs: %s", part.name, part.faults, part.rounds)
		for _, f := range part.failures {
			fmt.Fprintf(&b, "\n      failed: %s", f)
		}
	}
	return b.String()
}
