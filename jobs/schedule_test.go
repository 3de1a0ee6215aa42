package jobs_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs"
)

func testRegistry() *jobs.Registry {
	noop := func(context.Context, *jobs.Env) (jobs.Counts, error) { return nil, nil }
	return jobs.NewRegistry(funcJob{name: "sync-repos", run: noop}, funcJob{name: "prune", run: noop})
}

func TestResolveSpecs(t *testing.T) {
	t.Parallel()
	reg := testRegistry()
	tests := []struct {
		name    string
		sources []jobs.SpecSource
		want    map[string]string
		wantErr string
	}{
		{name: "defaults", want: map[string]string{"sync-repos": "@every 1h", "prune": "@every 1h"}},
		{
			name: "later sources win",
			sources: []jobs.SpecSource{
				{Name: "config.yaml", Specs: map[string]string{"prune": "0 3 * * *", "sync-repos": "*/5 * * * *"}},
				{Name: "flag", Specs: map[string]string{"prune": "0 4 * * *"}},
			},
			want: map[string]string{"sync-repos": "*/5 * * * *", "prune": "0 4 * * *"},
		},
		{
			name:    "off disables",
			sources: []jobs.SpecSource{{Name: "flag", Specs: map[string]string{"prune": "off"}}},
			want:    map[string]string{"sync-repos": "@every 1h"},
		},
		{
			name:    "bad spec names the job and source",
			sources: []jobs.SpecSource{{Name: "SIGHTLINE_SCHEDULE_PRUNE", Specs: map[string]string{"prune": "every tuesday"}}},
			wantErr: `schedule for job "prune" (SIGHTLINE_SCHEDULE_PRUNE): invalid cron spec "every tuesday"`,
		},
		{
			name:    "unknown job",
			sources: []jobs.SpecSource{{Name: "config.yaml", Specs: map[string]string{"sync-repo": "@daily"}}},
			wantErr: `schedule (config.yaml): unknown job "sync-repo"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := jobs.ResolveSpecs(reg, tt.sources...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Fatalf("specs (-want +got):\n%s", d)
			}
		})
	}
}

func TestEnvSpecs(t *testing.T) {
	t.Parallel()
	env := map[string]string{"SIGHTLINE_SCHEDULE_SYNC_REPOS": "@hourly", "SIGHTLINE_SCHEDULE_OTHER": "x"}
	got := jobs.EnvSpecs(testRegistry(), func(k string) string { return env[k] })
	if d := cmp.Diff(map[string]string{"sync-repos": "@hourly"}, got.Specs); d != "" {
		t.Fatalf("env specs (-want +got):\n%s", d)
	}
}

// TestSchedulerRunsAndStops runs a job every second until it has run twice,
// then cancels the scheduler, which must return once the job has stopped.
func TestSchedulerRunsAndStops(t *testing.T) {
	t.Parallel()
	r, db := newRunner(t)
	var runs atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	job := funcJob{name: "ticker", run: func(context.Context, *jobs.Env) (jobs.Counts, error) {
		if runs.Add(1) == 2 {
			cancel()
		}
		return nil, nil
	}}
	s := &jobs.Scheduler{Runner: r, Registry: jobs.NewRegistry(job), Specs: map[string]string{"ticker": "@every 1s"},
		Overlap: jobs.OverlapSkip, Logger: discardLogger()}
	done := make(chan error)
	go func() { done <- s.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("scheduler did not run the job twice and stop within 30s")
	}
	recorded, err := jobs.RunsList(context.Background(), db, "ticker", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recorded) < 2 {
		t.Fatalf("%d runs recorded, want at least 2", len(recorded))
	}
}
