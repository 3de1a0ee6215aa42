package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// codenavFlags are the flags of the codenav subcommands.
type codenavFlags struct {
	repo, commit, path, format string
	line, character            int
}

// codenavLocationsJSON is the JSON answer of codenav definitions and
// references: an object of the same shape whether or not anything was
// found (Reason is empty when Locations is not).
type codenavLocationsJSON struct {
	Locations []codeintel.Location `json:"locations"`
	Reason    string               `json:"reason"`
}

// codenavDiagnosticsJSON is the JSON answer of codenav diagnostics.
type codenavDiagnosticsJSON struct {
	Diagnostics []codeintel.Diagnostic `json:"diagnostics"`
	Reason      string                 `json:"reason"`
}

// codenavHoverJSON is the JSON answer of codenav hover.
type codenavHoverJSON struct {
	Hover  string `json:"hover"`
	Reason string `json:"reason"`
}

const codenavLong = `Answer a code navigation query from the precise code intelligence in
Postgres, at a 0-based position (as in LSP) of a file of a repository at a
commit:

  definitions   where the symbol at the position is defined
  references    where it is used
  hover         its hover text (documentation, type)
  diagnostics   the errors and warnings the indexer reported for a file, the
                files under a directory (--path), or every file (no --path);
                no --line or --character

The answer comes from the completed uploads visible at the commit (the
nearest by commit-graph distance for each root and indexer, as computed by
the update-commit-graph job). Definitions and references follow monikers to
the uploads of other repositories: an imported symbol's definition is found
in the upload that exports its package (same name; an empty version matches
any), and references include the uploads that import the package.

Locations name the repository and the commit of the upload they come from,
which is the commit asked about only when an upload is at that commit:
positions are not adjusted for the changes between the two commits.

--commit is a full commit id, or any revision (branch, tag, short id) when
the repository is synced.

Output (--format):
  text   one location per line: REPO COMMIT PATH:LINE:CHAR-LINE:CHAR; hover
         prints its text; diagnostics add SEVERITY SOURCE(CODE): MESSAGE
  json   one object, the same whether or not anything was found:
         definitions, references: {"locations":[{"repo","commit","path",
         "range":{"start":{"line","character"},"end":{...}}}],"reason"};
         hover: {"hover":"...","reason"}; diagnostics: {"diagnostics":[the
         location fields plus "severity" (error, warning, information,
         hint), "code", "message", "source"],"reason"}; "reason" is ""
         when there is an answer

An unknown repository, a commit where no upload is visible, or a position
without data is not an error: the answer is empty, with a reason (text: on
stdout after "no result: "; json: the same object with "locations":[],
"hover":"" or "diagnostics":[] and the "reason"), and the exit code is 0.`

func newCodenavCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "codenav definitions|references|hover|diagnostics --repo NAME --commit SHA --path PATH --line L --character C [--format text|json]",
		Short: "Find definitions, references and hover text at a position from LSIF uploads",
		Long:  codenavLong,
	}
	for _, sub := range []struct {
		name, short string
		op          func(context.Context, codeintel.DB, codeintel.CodenavQuery) (codeintel.CodenavResult, error)
	}{
		{"definitions", "Where the symbol at a position is defined", codeintel.CodenavDefinitions},
		{"references", "Where the symbol at a position is used", codeintel.CodenavReferences},
		{"hover", "The hover text of the symbol at a position", codeintel.CodenavHover},
	} {
		f := &codenavFlags{format: "text", line: -1, character: -1}
		c := &cobra.Command{
			Use:   sub.name + " --repo NAME --commit SHA --path PATH --line L --character C [--format text|json]",
			Short: sub.short,
			Long:  codenavLong,
			Args:  exactArgs(0, "no arguments (the position is given by flags)"),
			RunE: func(cmd *cobra.Command, _ []string) error {
				return runCodenav(cmd.Context(), a, sub.name, f, sub.op)
			},
		}
		c.Flags().StringVar(&f.repo, "repo", "", "repository name (as in sightline repos list)")
		c.Flags().StringVar(&f.commit, "commit", "", "commit id (or a revision of a synced repository)")
		c.Flags().StringVar(&f.path, "path", "", "file path relative to the repository root")
		c.Flags().IntVar(&f.line, "line", -1, "0-based line")
		c.Flags().IntVar(&f.character, "character", -1, "0-based character (UTF-16 code units for lsif-tsc)")
		c.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
		cmd.AddCommand(c)
	}
	cmd.AddCommand(newCodenavDiagnosticsCmd(a))
	return cmd
}

func newCodenavDiagnosticsCmd(a *app) *cobra.Command {
	f := &codenavFlags{format: "text"}
	c := &cobra.Command{
		Use:   "diagnostics --repo NAME --commit SHA [--path PATH] [--format text|json]",
		Short: "The errors and warnings the indexer reported, for a file, a directory or every file",
		Long:  codenavLong,
		Args:  exactArgs(0, "no arguments (the file or directory is given by --path)"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCodenav(cmd.Context(), a, "diagnostics", f, codeintel.CodenavDiagnostics)
		},
	}
	c.Flags().StringVar(&f.repo, "repo", "", "repository name (as in sightline repos list)")
	c.Flags().StringVar(&f.commit, "commit", "", "commit id (or a revision of a synced repository)")
	c.Flags().StringVar(&f.path, "path", "", "file or directory relative to the repository root; empty: every file")
	c.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
	return c
}

// check validates the flags before anything is read; diagnostics take
// no position and an optional path.
func (f *codenavFlags) check(op string) error {
	set := map[string]bool{"--repo": f.repo != "", "--commit": f.commit != ""}
	if op != "diagnostics" {
		set["--path"], set["--line"], set["--character"] = f.path != "", f.line >= 0, f.character >= 0
	}
	var missing []string
	for _, name := range []string{"--repo", "--commit", "--path", "--line", "--character"} {
		if ok, required := set[name]; required && !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return usageErrorf("missing %s (--line and --character are 0-based and not negative)", strings.Join(missing, ", "))
	}
	if err := checkTextJSON(f.format); err != nil {
		return err
	}
	if f.path == "" {
		return nil
	}
	clean := path.Clean(strings.TrimPrefix(f.path, "/"))
	if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return usageErrorf("--path %q: want a file path relative to the repository root", f.path)
	}
	f.path = clean
	return nil
}

func runCodenav(ctx context.Context, a *app, op string, f *codenavFlags,
	run func(context.Context, codeintel.DB, codeintel.CodenavQuery) (codeintel.CodenavResult, error)) error {
	if err := f.check(op); err != nil {
		return err
	}
	db, err := a.migratedDatabase(ctx)
	if err != nil {
		return err
	}
	commit, err := codenavCommit(ctx, a, f.repo, f.commit)
	if err != nil {
		return err
	}
	res, err := run(ctx, db, codeintel.CodenavQuery{
		Repo: f.repo, Commit: commit, Path: f.path,
		Position: codeintel.Position{Line: f.line, Character: f.character},
	})
	if err != nil {
		return err
	}
	return printCodenav(a, op, f.format, res)
}

// codenavCommit returns rev as a full commit id: rev itself when it is one,
// else what git resolves it to in the repository.
func codenavCommit(ctx context.Context, a *app, repo, rev string) (string, error) {
	if oid := strings.ToLower(rev); fullCommit().MatchString(oid) {
		return oid, nil
	}
	r, err := repos.Get(ctx, a.db, repo)
	if errors.Is(err, repos.ErrNotFound) {
		return rev, nil // the answer says the repository is unknown
	}
	if err != nil {
		return "", err
	}
	return resolveRevision(ctx, r, rev)
}

func printCodenav(a *app, op, format string, res codeintel.CodenavResult) error {
	switch {
	case format == "json" && op == "hover":
		return writeJSON(a, codenavHoverJSON{Hover: res.Hover, Reason: res.Reason})
	case format == "json" && op == "diagnostics":
		return writeJSON(a, codenavDiagnosticsJSON{Diagnostics: nonNil(res.Diagnostics), Reason: res.Reason})
	case format == "json":
		return writeJSON(a, codenavLocationsJSON{Locations: nonNil(res.Locations), Reason: res.Reason})
	case res.Reason != "":
		_, err := fmt.Fprintln(a.stdout, "no result:", res.Reason)
		return err
	case op == "hover":
		_, err := fmt.Fprintln(a.stdout, res.Hover)
		return err
	case op == "diagnostics":
		return printDiagnostics(a, res.Diagnostics)
	}
	for _, l := range res.Locations {
		r := l.Range
		if _, err := fmt.Fprintf(a.stdout, "%s %s %s:%d:%d-%d:%d\n", l.Repo, l.Commit, l.Path,
			r.Start.Line, r.Start.Character, r.End.Line, r.End.Character); err != nil {
			return err
		}
	}
	return nil
}

// nonNil returns s, or an empty slice for nil, so that JSON has [] rather
// than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// printDiagnostics prints REPO COMMIT PATH:L:C-L:C SEVERITY SOURCE(CODE): MESSAGE.
func printDiagnostics(a *app, ds []codeintel.Diagnostic) error {
	for _, d := range ds {
		r := d.Range
		origin := d.Source
		if d.Code != "" {
			origin += "(" + d.Code + ")"
		}
		if _, err := fmt.Fprintf(a.stdout, "%s %s %s:%d:%d-%d:%d %s %s: %s\n", d.Repo, d.Commit, d.Path,
			r.Start.Line, r.Start.Character, r.End.Line, r.End.Character,
			cmp.Or(d.Severity, "-"), cmp.Or(origin, "-"), d.Message); err != nil {
			return err
		}
	}
	return nil
}
