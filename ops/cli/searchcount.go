package cli

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/search/query"
)

// countResult is `search count`'s JSON output.
type countResult struct {
	Commit       string           `json:"commit"`
	Matches      int64            `json:"matches"`
	Files        int64            `json:"files"`
	Skipped      map[string]int64 `json:"skipped"`
	MissingPaths []string         `json:"missing_paths,omitempty"`
	Captures     map[string]int64 `json:"captures,omitempty"`
	Groups       map[string]int64 `json:"groups,omitempty"`
}

func newSearchCountCmd(a *app) *cobra.Command {
	f := searchFlags{format: "text"}
	var groupBy string
	var failAbove int64
	cmd := &cobra.Command{
		Use:   "count --repo DIR [--rev REV] [--format text|json] [--fail-above N] QUERY",
		Short: "Count a query's matches at one revision: matches, files, skipped files",
		Long: `Count a query's matches at one revision: matches, files, skipped files.

--fail-above N makes the count a CI gate: the output is the same, and when
there are more than N matches the exit code is 3 (1 is still a failure to
count, 2 a usage error), so a merge can be refused on, say, new TODOs.`,
		Args: exactArgs(1, "one query (quote it)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.checkFormat("text", "json"); err != nil {
				return err
			}
			gate := cmd.Flags().Changed("fail-above")
			if gate && failAbove < 0 {
				return usageErrorf("--fail-above %d: want a count of 0 or more", failAbove)
			}
			gb := engine.GroupBy(groupBy)
			if !slices.Contains([]engine.GroupBy{engine.GroupNone, engine.GroupRepo, engine.GroupLang, engine.GroupPath}, gb) {
				return usageErrorf("--group-by %q: want repo, lang or path", groupBy)
			}
			q, err := parseQuery(args[0])
			if err != nil {
				return err
			}
			p, err := evalAt(cmd.Context(), f, q, engine.Opts{GroupBy: gb, RepoName: f.repo})
			if err != nil {
				return err
			}
			res := countResult{Commit: p.Commit, Matches: p.Matches, Files: p.Files, Skipped: p.Skipped,
				MissingPaths: p.MissingPaths, Captures: p.Captures, Groups: p.Groups}
			if f.format == "json" {
				err = writeJSON(a, res)
			} else {
				err = printCount(a, res)
			}
			if err == nil && gate && res.Matches > failAbove {
				return &aboveError{matches: res.Matches, limit: failAbove, query: query.Abbrev(args[0])}
			}
			return err
		},
	}
	f.bind(cmd, "text or json")
	cmd.Flags().StringVar(&f.rev, "rev", "", "revision to search (default HEAD)")
	cmd.Flags().StringVar(&groupBy, "group-by", "", "break matches down by repo, lang or path")
	cmd.Flags().Int64Var(&failAbove, "fail-above", 0, "exit with code 3 when there are more than N matches (a CI gate)")
	return cmd
}

func printCount(a *app, r countResult) error {
	tw := newTable(a.stdout)
	fmt.Fprintf(tw, "commit\t%s\nmatches\t%d\nfiles\t%d\n", r.Commit, r.Matches, r.Files)
	fmt.Fprintf(tw, "skipped\tbinary=%d too-large=%d missing=%d\n", r.Skipped["binary"], r.Skipped["too-large"], r.Skipped["missing"])
	for _, p := range r.MissingPaths {
		fmt.Fprintf(tw, "missing\t%s\n", p)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, table := range []struct {
		title string
		m     map[string]int64
	}{{"VALUE", r.Captures}, {"GROUP", r.Groups}} {
		if len(table.m) > 0 {
			fmt.Fprintln(a.stdout)
			if err := printRanked(a, table.title, table.m); err != nil {
				return err
			}
		}
	}
	return nil
}

// printRanked prints a map as a two-column table, largest count first.
func printRanked(a *app, title string, m map[string]int64) error {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int { return cmp.Or(cmp.Compare(m[y], m[x]), cmp.Compare(x, y)) })
	tw := newTable(a.stdout)
	fmt.Fprintf(tw, "%s\tCOUNT\n", title)
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%d\n", k, m[k])
	}
	return tw.Flush()
}

// newTable starts the aligned text table every command prints: columns two
// spaces apart, flushed by the caller.
func newTable(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 4, 2, ' ', 0) }

func writeJSON(a *app, v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
