package cli

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gitsource"
)

func newReposCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "repos add|list|remove",
		Short: "Register, list and remove repositories",
		Args: func(*cobra.Command, []string) error {
			return usageErrorf("repos: want a subcommand: add, list or remove")
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newReposAddCmd(a), newReposListCmd(a), newReposRemoveCmd(a))
	return cmd
}

func newReposAddCmd(a *app) *cobra.Command {
	var spec repos.Spec
	cmd := &cobra.Command{
		Use:   "add NAME --path DIR | --url URL [--private]",
		Short: "Register a repository (a local path used in place, or a URL to mirror)",
		Long: `Register a repository, or update one of the same name. A --path repository
is used in place and must already be a git repository (bare or not); a --url
repository is cloned with --mirror into $SIGHTLINE_DATA_DIR/repos by the next
sync-repos run.

A URL is https://, ssh://, git:// or scp-like user@host:path; http:// and
file:// URLs or local paths are refused unless --git-protocols /
SIGHTLINE_GIT_PROTOCOLS allows them (file would let anyone who can register a
repository read any repository on this host). A password or token in the URL
is kept for git but never shown.`,
		Args: exactArgs(1, "one repository name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec.Name = args[0]
			if spec.Path != "" {
				abs, err := filepath.Abs(spec.Path)
				if err != nil {
					return err
				}
				spec.Path = abs
				if _, err := gitsource.Inspect(cmd.Context(), abs); err != nil {
					return fmt.Errorf("repos add %s: %w", spec.Name, err)
				}
			}
			if err := spec.Validate(); err != nil {
				return &usageError{msg: err.Error()}
			}
			if err := spec.CheckProtocols(a.gitProtocols); err != nil {
				return &usageError{msg: err.Error()}
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			if err := repos.Upsert(cmd.Context(), db, spec); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "registered %s (%s); `sightline run sync-repos` syncs it\n", spec.Name, repos.Repo{Spec: spec}.Source())
			return nil
		},
	}
	cmd.Flags().StringVar(&spec.Path, "path", "", "local repository directory, used in place")
	cmd.Flags().StringVar(&spec.URL, "url", "", "repository URL to mirror: https://, ssh://, git:// or user@host:path (others per --git-protocols)")
	cmd.Flags().BoolVar(&spec.Private, "private", false, "only users granted access may see this repository's data")
	cmd.MarkFlagsMutuallyExclusive("path", "url")
	cmd.MarkFlagsOneRequired("path", "url")
	return cmd
}

func newReposListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List repositories with the outcome of their last sync",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			list, err := repos.List(cmd.Context(), db)
			if err != nil {
				return err
			}
			return printRepos(a, list)
		},
	}
}

func printRepos(a *app, list []repos.Repo) error {
	tw := newTable(a.stdout)
	fmt.Fprintln(tw, "REPO\tSOURCE\tBRANCH\tHEAD\tLAST SYNC\tERROR")
	for _, r := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Name, r.Source(), dash(r.DefaultBranch), dash(short(r.HeadCommit)),
			when(r.LastSyncedAt), dash(r.LastError))
	}
	return tw.Flush()
}

func newReposRemoveCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a repository (its data stays until pruned)",
		Args:  exactArgs(1, "one repository name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			if err := repos.Remove(cmd.Context(), db, args[0]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "removed %s\n", args[0])
			return nil
		},
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func short(oid string) string {
	if len(oid) > 12 {
		return oid[:12]
	}
	return oid
}

func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}
