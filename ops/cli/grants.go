package cli

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sinks/insights"
)

func newGrantsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "grants add|remove|list",
		Short: "Let users see private repositories' data in insights and API docs",
		Long: `Grant users access to private repositories. Reads as a user (sightline
series VIEW --as USER, apidocs search|page --as USER) leave out the private
repositories the user has no grant for; public repositories are seen by
everyone (a user with no grants, or unknown, sees only those), and a read
without --as (an administrator) sees everything; --as '' is refused.

Users are plain names: Sightline has no user accounts of its own, so use the
names of whatever system sits in front of it.`,
		Args: func(*cobra.Command, []string) error {
			return usageErrorf("grants: want a subcommand: add, remove or list")
		},
		RunE: func(*cobra.Command, []string) error { return nil },
	}
	cmd.AddCommand(newGrantsAddCmd(a), newGrantsRemoveCmd(a), newGrantsListCmd(a))
	return cmd
}

func newGrantsAddCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "add USER REPO",
		Short: "Let USER see the private repository REPO",
		Long: `Let USER see the data of the registered repository REPO. Granting a public
repository is allowed (with a warning): it changes nothing until the
repository is made private (sightline repos add NAME ... --private).`,
		Args: exactArgs(2, "a user and a repository"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := insights.CheckUser(args[0]); err != nil {
				return &usageError{msg: err.Error()}
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			g, added, err := insights.GrantAdd(cmd.Context(), db, args[0], args[1], a.now())
			if err != nil {
				return err
			}
			if added {
				fmt.Fprintf(a.stdout, "granted %s access to %s\n", g.User, g.Repo)
			} else {
				fmt.Fprintf(a.stdout, "%s already has access to %s\n", g.User, g.Repo)
			}
			if !g.Private {
				fmt.Fprintf(a.stderr, "sightline: warning: %s is public, so everyone sees its data; the grant matters only once it is private\n", g.Repo)
			}
			return nil
		},
	}
}

func newGrantsRemoveCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "remove USER REPO",
		Short: "Take back USER's access to REPO",
		Args:  exactArgs(2, "a user and a repository"),
		RunE: func(cmd *cobra.Command, args []string) error {
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			if err := insights.GrantRemove(cmd.Context(), db, args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "removed %s's access to %s\n", args[0], args[1])
			return nil
		},
	}
}

func newGrantsListCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "list [USER]",
		Short: "List the grants (of USER, or of everyone)",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("want at most one user, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			user := ""
			if len(args) == 1 {
				user = args[0]
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			list, err := insights.GrantsList(cmd.Context(), db, user)
			if err != nil {
				return err
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "USER\tREPO\tPRIVATE\tGRANTED")
			for _, g := range list {
				private := "yes"
				if !g.Private {
					private = "no (public: the grant changes nothing)"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", g.User, g.Repo, private, g.CreatedAt.UTC().Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
}
