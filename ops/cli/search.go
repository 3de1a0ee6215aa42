package cli

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
	"github.com/sightline-dev/sightline/sources/search/query"
)

// searchFlags are the flags every search subcommand shares.
type searchFlags struct {
	repo        string
	rev         string
	format      string
	maxFileSize int64
}

func (f *searchFlags) bind(cmd *cobra.Command, formats string) {
	cmd.Flags().StringVar(&f.repo, "repo", "", "repository directory, bare or not (required)")
	cmd.Flags().StringVar(&f.format, "format", f.format, "output format: "+formats)
	cmd.Flags().Int64Var(&f.maxFileSize, "max-file-size", search.DefaultMaxFileSize, "skip files larger than this many bytes")
	_ = cmd.MarkFlagRequired("repo")
}

func (f *searchFlags) checkFormat(allowed ...string) error {
	for _, a := range allowed {
		if f.format == a {
			return nil
		}
	}
	return usageErrorf("--format %q: want one of %v", f.format, allowed)
}

func newSearchCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "search count|series|langs",
		Short: "Search a repository's history from the command line (no database needed)",
		Long: `Search a git repository directly, with no database: what the insight jobs
compute, for one repository, on demand.

Queries use a subset of Sourcegraph's syntax: a literal pattern (default),
patterntype:regexp or /regexp/ (capture groups count values), case:yes,
file: / -file: (path regexps), lang: / -lang:, type:path, select:file,
count:all. A match count is the number of non-overlapping matches in file
contents, summed over files, as ` + "`git grep -o`" + ` counts them.`,
		Args: func(*cobra.Command, []string) error {
			return usageErrorf("search: want a subcommand: count, series or langs")
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newSearchCountCmd(a), newSearchSeriesCmd(a), newSearchLangsCmd(a))
	return cmd
}

// parseQuery parses a query argument; a parse error is a usage error.
func parseQuery(s string) (*search.Query, error) {
	q, err := search.Parse(s)
	var pe *query.ParseError
	if errors.As(err, &pe) {
		return nil, &usageError{msg: fmt.Sprintf("query %s: %v", query.Abbrev(s), err)}
	}
	return q, err
}

// openRepo opens dir as a git repository, with an error that says what to
// do when it is not one.
func openRepo(ctx context.Context, dir string) (*gitsource.Repo, error) {
	r, err := gitsource.Open(ctx, dir)
	if errors.Is(err, gitsource.ErrNotRepository) {
		return nil, fmt.Errorf("--repo %s: %w (give a git repository directory, bare or not)", dir, err)
	}
	return r, err
}

// evalAt evaluates q at one revision of dir.
func evalAt(ctx context.Context, f searchFlags, q *search.Query, opts engine.Opts) (engine.Point, error) {
	repo, err := openRepo(ctx, f.repo)
	if err != nil {
		return engine.Point{}, err
	}
	defer repo.Close()
	commit := repo.Head() // HEAD as Open just saw it: no second git process
	if f.rev != "" || commit == "" {
		commit, err = repo.Resolve(ctx, f.rev)
	}
	if errors.Is(err, gitsource.ErrNoCommits) {
		return engine.Point{Commit: "-"}, nil
	}
	if err != nil {
		return engine.Point{}, err
	}
	opts.Match.MaxFileSize = f.maxFileSize
	points, err := (&engine.Engine{}).Series(ctx, repo, q, []string{commit}, opts)
	if err != nil {
		return engine.Point{}, err
	}
	return points[0], nil
}

// isTerminal reports whether w is a terminal, where a summary for people
// may go without polluting piped output.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
