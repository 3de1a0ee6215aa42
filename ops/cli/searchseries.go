package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/insightspec"
	"github.com/sightline-dev/sightline/sources/search"
)

// seriesPoint is one sample time of `search series`.
type seriesPoint struct {
	Time     time.Time        `json:"time"`
	Commit   string           `json:"commit"` // "-" before the first commit
	Value    int64            `json:"value"`
	Captures map[string]int64 `json:"captures,omitempty"`
	Skipped  map[string]int64 `json:"skipped,omitempty"`
}

func newSearchSeriesCmd(a *app) *cobra.Command {
	f := searchFlags{format: "tsv"}
	var (
		every  string
		points int
		end    string
	)
	cmd := &cobra.Command{
		Use:   "series --repo DIR --every 7d --points 52 [--end TIME] [--format tsv|json] QUERY",
		Short: "A query's match count at each sample time of the default branch's history",
		Long: `A query's match count at each of --points sample times, --every apart, ending
at --end (default now). Each time maps to the latest first-parent commit of
the default branch committed at or before it ("-" and 0 before the first
commit). Times that map to the same commit share one evaluation, and each
commit after the first only searches the files that changed since the
previous one. For a capture-group query there is one column per value.
--every is at most 100 years, and --every × (--points − 1) at most 1000.`,
		Args: exactArgs(1, "one query (quote it)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.checkFormat("tsv", "json"); err != nil {
				return err
			}
			spec, err := insightspec.ParseInterval(every)
			if err != nil {
				return &usageError{msg: "--every: " + err.Error()}
			}
			if points < 1 || points > 10000 {
				return usageErrorf("--points %d: want 1 to 10000", points)
			}
			if err := spec.CheckRange(points); err != nil {
				return usageErrorf("--every %s --points %d: %v", every, points, err)
			}
			endTime, err := parseTime(end, a.now())
			if err != nil {
				return &usageError{msg: "--end: " + err.Error()}
			}
			q, err := parseQuery(args[0])
			if err != nil {
				return err
			}
			series, err := runSeries(cmd.Context(), a, f, q, insights.Interval(spec).SampleTimes(endTime.UTC(), points))
			if err != nil {
				return err
			}
			if f.format == "json" {
				return writeJSON(a, series)
			}
			return writeSeriesTSV(a.stdout, series, q.HasCaptures())
		},
	}
	f.bind(cmd, "tsv or json")
	cmd.Flags().StringVar(&every, "every", "7d", "interval between sample times: Nh, Nd, Nw, Nmo or Ny")
	cmd.Flags().IntVar(&points, "points", 12, "number of sample times")
	cmd.Flags().StringVar(&end, "end", "now", "last sample time: RFC 3339, a date, or now")
	return cmd
}

// runSeries maps times to commits and evaluates the distinct commits oldest
// first.
func runSeries(ctx context.Context, a *app, f searchFlags, q *search.Query, times []time.Time) ([]seriesPoint, error) {
	repo, err := openRepo(ctx, f.repo)
	if err != nil {
		return nil, err
	}
	defer repo.Close()
	// Every sample time's commit is at or before the earliest time's in the
	// history, so git need not walk past that one.
	history, err := repo.FirstParentHistoryUntil(ctx, "", slices.MinFunc(times, time.Time.Compare))
	if err != nil {
		return nil, err
	}
	out := make([]seriesPoint, len(times))
	var commits []string
	for i, t := range times {
		out[i] = seriesPoint{Time: t, Commit: "-"}
		if c, ok := gitsource.CommitAt(history, t); ok {
			out[i].Commit = c.OID
			if len(commits) == 0 || commits[len(commits)-1] != c.OID {
				commits = append(commits, c.OID)
			}
		}
	}
	byCommit, err := a.evalCommits(ctx, repo, q, commits, f)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if p, ok := byCommit[out[i].Commit]; ok {
			out[i].Value, out[i].Captures, out[i].Skipped = p.Matches, p.Captures, p.Skipped
		}
	}
	return out, nil
}

// evalCommits evaluates commits in one series walk and, on a terminal,
// reports how many commits and blobs it took.
func (a *app) evalCommits(ctx context.Context, repo *gitsource.Repo, q *search.Query, commits []string, f searchFlags) (map[string]engine.Point, error) {
	opts := engine.Opts{Match: search.MatchOpts{MaxFileSize: f.maxFileSize}}
	eng := &engine.Engine{}
	points, err := eng.Series(ctx, repo, q, commits, opts)
	if err != nil {
		return nil, err
	}
	if isTerminal(a.stderr) {
		st := eng.Cache.Stats()
		fmt.Fprintf(a.stderr, "%d distinct commits evaluated; %d blobs searched\n", len(commits), st.Misses)
	}
	m := make(map[string]engine.Point, len(points))
	for _, p := range points {
		m[p.Commit] = p
	}
	return m, nil
}

func writeSeriesTSV(w io.Writer, series []seriesPoint, captures bool) error {
	var values []string
	if captures {
		seen := map[string]bool{}
		for _, p := range series {
			for v := range p.Captures {
				if !seen[v] {
					seen[v] = true
					values = append(values, v)
				}
			}
		}
		slices.Sort(values)
	}
	header := []string{"time", "commit", "value"}
	for _, v := range values {
		header = append(header, tsvField(v))
	}
	if _, err := fmt.Fprintln(w, strings.Join(header, "\t")); err != nil {
		return err
	}
	for _, p := range series {
		row := []string{p.Time.Format(time.RFC3339), p.Commit, fmt.Sprint(p.Value)}
		for _, v := range values {
			row = append(row, fmt.Sprint(p.Captures[v]))
		}
		if _, err := fmt.Fprintln(w, strings.Join(row, "\t")); err != nil {
			return err
		}
	}
	return nil
}

// tsvField escapes tabs and newlines in a capture value used as a header.
func tsvField(s string) string {
	b, _ := json.Marshal(s)
	if strings.ContainsAny(s, "\t\n\r\\") {
		return string(b)
	}
	return s
}
