// Package cli is the sightline command line (cobra): global settings from
// flags and environment, the resources commands share, and one file per
// command group. main.go calls Main.
package cli

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/pipeline/progress"
)

// Run is the sightline command: it runs Main on os.Args with SIGTERM (what
// Kubernetes sends) and SIGINT (Ctrl-C) cancelling the context, so that a
// job stops cleanly and records itself as canceled. It returns the exit code.
func Run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// Main runs sightline with args and returns the process exit code: 0 ok,
// 1 failure, 2 usage error, 3 a `search count --fail-above N` that counted
// more than N matches.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, getenv: os.Getenv}
	root := newRoot(a)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	a.close(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "sightline:", err)
		if exitCode(err) == exitUsage {
			fmt.Fprintln(stderr, "Run 'sightline --help' (or add --help to the command) for usage.")
		}
	}
	return exitCode(err)
}

func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "sightline",
		Short: "Batch pipeline for code insights and precise code intelligence",
		Long: `Sightline turns git repositories and code-intelligence uploads into data in
Postgres: time series of code-search results over history (code insights),
and definitions, references and hover from LSIF indexes.

It is a set of batch jobs, run once (sightline run JOB), on cron schedules in
one process (sightline schedule), or as Kubernetes CronJobs. Jobs exchange
Arrow record batches through object storage and load them into Postgres.

With no configuration it starts a private Postgres under the data directory
and keeps batches in a local bucket there.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return a.prepare(cmd)
		},
	}
	a.settings.bind(root.PersistentFlags())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{msg: err.Error()} })
	root.AddCommand(newMigrateCmd(a), newRunCmd(a), newScheduleCmd(a), newJobsCmd(a), newReposCmd(a), newStatusCmd(a),
		newSearchCmd(a), newSeriesCmd(a), newApplyCmd(a), newInsightsCmd(a), newGrantsCmd(a), newLSIFCmd(a), newCodenavCmd(a),
		newUploadCmd(a), newAPIDocsCmd(a))
	addEnvHelp(root)
	return root
}

// addEnvHelp makes root and every command below it show an environment
// section after its description in its help: envHelp's variables and the
// command's own ("env" annotation). The section is written when the help
// is shown, not when the tree is built: every process builds the whole
// tree, and writing the section into each command's Long cost every
// command about 0.4 MB of allocations at start, enough for a garbage
// collection before it ran. (cobra's own help and completion commands,
// added later, have no such section.)
func addEnvHelp(root *cobra.Command) {
	help := root.HelpFunc()
	withEnv := func(sep string) func(*cobra.Command, []string) {
		return func(c *cobra.Command, args []string) {
			long := c.Long
			c.Long = cmp.Or(long, c.Short) + sep + envHelp(c.Annotations["env"])
			help(c, args)
			c.Long = long
		}
	}
	rootHelp := withEnv("")
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		if c != root { // cobra's help and completion commands inherit root's
			help(c, args)
			return
		}
		rootHelp(c, args)
	})
	show := withEnv("\n")
	var walk func([]*cobra.Command)
	walk = func(cmds []*cobra.Command) {
		for _, c := range cmds {
			c.SetHelpFunc(show)
			walk(c.Commands())
		}
	}
	walk(root.Commands())
}

// prepare resolves settings, sets up logging and reads the config file.
func (a *app) prepare(cmd *cobra.Command) error {
	if err := a.settings.resolve(cmd.Root().PersistentFlags(), a.getenv); err != nil {
		return err
	}
	logTo := a.stderr
	if a.logFormat == "text" && isTerminal(a.stderr) {
		// Log lines go above the live progress line of `run`.
		a.line = progress.NewLine(a.stderr)
		logTo = a.line
	}
	a.log = a.settings.logger(logTo)
	cfg, err := loadConfig(a.configFile, a.gitProtocols)
	if err != nil {
		// Like a bad flag: what the user gave sightline (exit 2).
		return &usageError{msg: err.Error()}
	}
	a.cfg = cfg
	return nil
}

// exactArgs is cobra.ExactArgs returning a usage error.
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf("want %s, got %d argument(s)", names, len(args))
		}
		return nil
	}
}
