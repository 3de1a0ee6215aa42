package cli

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/insights"
)

const apidocsLong = `Search and read the API documentation of the exported symbols in every
indexed repository: the entries of the newest completed LSIF upload at each
repository's default-branch head, per root and indexer (process-uploads
indexes an upload when it completes; update-commit-graph follows heads that
move).

Like series, a read with --as USER sees public repositories and the private
ones USER is granted (sightline grants add); without --as (an administrator)
it sees every repository. A private repository the reader may not see is
treated as if it did not exist.`

func newAPIDocsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "apidocs search|page",
		Short: "Search the API documentation of indexed repositories, or read a package's page",
		Long:  apidocsLong,
		Args: func(*cobra.Command, []string) error {
			return usageErrorf("apidocs: want a subcommand: search or page")
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newAPIDocsSearchCmd(a), newAPIDocsPageCmd(a))
	return cmd
}

// apidocsReader says who reads: the user --as names (with the private
// repositories granted to them) or, without --as, an administrator.
func apidocsReader(ctx context.Context, db *pgxpool.Pool, cmd *cobra.Command, as string) (admin bool, granted []int64, err error) {
	ro, err := readOpts(cmd, "", as)
	if err != nil || ro.Admin {
		return ro.Admin, nil, err
	}
	grants, err := insights.GrantsList(ctx, db, ro.User)
	if err != nil {
		return false, nil, err
	}
	granted = []int64{}
	for _, g := range grants {
		if g.Private {
			granted = append(granted, g.RepoID)
		}
	}
	return false, granted, nil
}

// apidocsSearchFlags are the flags of apidocs search.
type apidocsSearchFlags struct {
	as, repo, lang, kind, format string
	limit                        int
}

// query merges the query string's terms with the flags: a filter given
// both ways must agree.
func (f *apidocsSearchFlags) query(s string) (apidocs.Query, error) {
	q, err := apidocs.ParseQuery(s)
	if err != nil {
		return apidocs.Query{}, usageErrorf("query %q: %v", s, err)
	}
	for _, m := range []struct {
		name       string
		flag, term *string
	}{{"repo", &f.repo, &q.Repo}, {"lang", &f.lang, &q.Lang}, {"kind", &f.kind, &q.Kind}} {
		switch {
		case *m.flag == "":
		case *m.term == "":
			*m.term = *m.flag
		case *m.term != *m.flag:
			return apidocs.Query{}, usageErrorf("--%s %q and the query's %s:%s disagree: give one", m.name, *m.flag, m.name, *m.term)
		}
	}
	if _, err := regexp.Compile(q.Repo); err != nil {
		return apidocs.Query{}, usageErrorf("--repo %q: %v", q.Repo, err)
	}
	return q, nil
}

func newAPIDocsSearchCmd(a *app) *cobra.Command {
	f := &apidocsSearchFlags{format: "text", limit: apidocs.DefaultLimit}
	cmd := &cobra.Command{
		Use:   "search QUERY [--as USER] [--repo RE] [--lang L] [--kind K] [--limit 10] [--format text|json]",
		Short: "Find exported symbols by name across every indexed repository",
		Long: apidocsLong + `

QUERY is a symbol name or qualified name (Router, mux.Router, NewRout) and
may carry filters: repo:RE (a regular expression on the repository name),
lang:L (the document language, e.g. typescript, go) and kind:K (class,
method, function, interface, variable, ...), the same as --repo, --lang and
--kind. Results rank an exact name first, then names that start with the
query, then qualified names that end with it (Router finds mux.Router), then
similar names (misspellings); private repositories before public ones among
equal matches; then by repository name and path.

Output (--format):
  text   REPO COMMIT PATH:LINE SEARCH_KEY KIND, then the signature and the
         first line of the documentation, indented; LINE is 1-based
  json   [{"repo","commit","path","line","name","search_key","kind",
         "language","signature","summary","private","tier"}]

No match is not an error: text prints "no result", json [].`,
		Args: exactArgs(1, "a query"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAPIDocsSearch(cmd, a, f, args[0])
		},
	}
	cmd.Flags().StringVar(&f.as, "as", "", "read as this user (default: an administrator, who sees every repository)")
	cmd.Flags().StringVar(&f.repo, "repo", "", "only repositories whose name matches this regular expression")
	cmd.Flags().StringVar(&f.lang, "lang", "", "only symbols of this language")
	cmd.Flags().StringVar(&f.kind, "kind", "", "only symbols of this kind")
	cmd.Flags().IntVar(&f.limit, "limit", apidocs.DefaultLimit, "at most this many results (1 to 1000)")
	cmd.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
	return cmd
}

func runAPIDocsSearch(cmd *cobra.Command, a *app, f *apidocsSearchFlags, s string) error {
	if err := checkTextJSON(f.format); err != nil {
		return err
	}
	if f.limit < 1 || f.limit > 1000 {
		return usageErrorf("--limit %d: want 1 to 1000", f.limit)
	}
	q, err := f.query(s)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	db, err := a.migratedDatabase(ctx)
	if err != nil {
		return err
	}
	admin, granted, err := apidocsReader(ctx, db, cmd, f.as)
	if err != nil {
		return err
	}
	res, err := apidocs.Search(ctx, db, apidocs.SearchParams{Query: q, Admin: admin, Granted: granted, Limit: f.limit})
	if err != nil {
		return err
	}
	if f.format == "json" {
		if res == nil {
			res = []apidocs.Result{}
		}
		return writeJSON(a, res)
	}
	if len(res) == 0 {
		_, err := fmt.Fprintln(a.stdout, "no result")
		return err
	}
	for _, r := range res {
		fmt.Fprintf(a.stdout, "%s %s %s:%d %s %s\n", r.Repo, r.Commit, r.Path, r.Line, r.SearchKey, r.Kind)
		if r.Signature != "" {
			fmt.Fprintf(a.stdout, "    %s\n", firstLine(r.Signature))
		}
		if r.Summary != "" {
			fmt.Fprintf(a.stdout, "    %s\n", r.Summary)
		}
	}
	return nil
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func newAPIDocsPageCmd(a *app) *cobra.Command {
	var as, repo, dir, format string
	cmd := &cobra.Command{
		Use:   "page --repo R [--path DIR|FILE] [--as USER] [--format markdown|json]",
		Short: "The documentation page of a repository, directory or file",
		Long: apidocsLong + `

The page lists every documented exported symbol under --path (a directory
or a file; the whole repository without it), file by file, each symbol with
its signature and documentation, the symbols declared inside it (a class's
methods, a namespace's functions) nested under it.

Output (--format):
  markdown  a heading per file, one per symbol (deeper for nested ones)
  json      {"repo","path","files":[{"path","commit","symbols":[{"name",
            "kind","search_key","line","signature","detail","tags",
            "children":[...]}]}]}

A repository without indexed API docs, one the reader may not see, and a
path without symbols are errors (exit 1) that say so.`,
		Args: exactArgs(0, "no arguments (the repository is given by --repo)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if repo == "" {
				return usageErrorf("missing --repo (a repository name, as in sightline repos list)")
			}
			if format != "markdown" && format != "json" {
				return usageErrorf("--format: %q is not markdown or json", format)
			}
			clean := strings.TrimPrefix(path.Clean("/"+dir), "/")
			if slices.Contains(strings.Split(dir, "/"), "..") {
				return usageErrorf("--path %q: want a directory or file relative to the repository root, without ..", dir)
			}
			ctx := cmd.Context()
			db, err := a.migratedDatabase(ctx)
			if err != nil {
				return err
			}
			admin, granted, err := apidocsReader(ctx, db, cmd, as)
			if err != nil {
				return err
			}
			page, err := apidocs.PageGet(ctx, db, apidocs.PageParams{Repo: repo, Path: clean, Admin: admin, Granted: granted})
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(a, page)
			}
			return writePageMarkdown(a.stdout, page)
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "read as this user (default: an administrator, who sees every repository)")
	cmd.Flags().StringVar(&repo, "repo", "", "repository name (as in sightline repos list)")
	cmd.Flags().StringVar(&dir, "path", "", "directory or file relative to the repository root (default: the whole repository)")
	cmd.Flags().StringVar(&format, "format", "markdown", "output format: markdown or json")
	return cmd
}
