package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/migrations"
)

func newMigrateCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate up|down|status",
		Short: "Apply, roll back or show the database schema migrations",
		Long: `Apply, roll back or show the database schema migrations.

  up      apply every pending migration
  down    roll back the most recent migration
  status  list migrations and whether each is applied

Jobs refuse to run on a database whose schema is behind this binary (the
private database is migrated automatically).`,
	}
	with := func(use, short string, fn func(context.Context, *migrations.Migrator) error) *cobra.Command {
		return &cobra.Command{Use: use, Short: short, Args: exactArgs(0, "no arguments"),
			RunE: func(cmd *cobra.Command, _ []string) error {
				db, err := a.database(cmd.Context())
				if err != nil {
					return err
				}
				m, err := migrations.NewMigrator(cmd.Context(), db)
				if err != nil {
					return err
				}
				defer m.Close()
				return fn(cmd.Context(), m)
			}}
	}
	cmd.AddCommand(
		with("up", "Apply every pending migration", func(ctx context.Context, m *migrations.Migrator) error {
			applied, err := m.Up(ctx)
			if err != nil {
				return err
			}
			if len(applied) == 0 {
				fmt.Fprintln(a.stdout, "schema is up to date")
			}
			for _, v := range applied {
				fmt.Fprintf(a.stdout, "applied %05d\n", v)
			}
			return nil
		}),
		with("down", "Roll back the most recent migration", func(ctx context.Context, m *migrations.Migrator) error {
			v, err := m.Down(ctx)
			if err == nil {
				fmt.Fprintf(a.stdout, "rolled back %05d\n", v)
			}
			return err
		}),
		with("status", "List migrations and whether each is applied", func(ctx context.Context, m *migrations.Migrator) error {
			st, err := m.Status(ctx)
			if err != nil {
				return err
			}
			tw := newTable(a.stdout)
			fmt.Fprintln(tw, "VERSION\tNAME\tAPPLIED")
			for _, s := range st {
				applied := "pending"
				if s.Applied {
					applied = s.AppliedAt.Local().Format("2006-01-02 15:04:05")
				}
				fmt.Fprintf(tw, "%05d\t%s\t%s\n", s.Version, s.Name, applied)
			}
			return tw.Flush()
		}),
	)
	cmd.Args = func(_ *cobra.Command, args []string) error {
		return usageErrorf("migrate: want a subcommand: up, down or status")
	}
	cmd.RunE = func(*cobra.Command, []string) error { return nil }
	return cmd
}
