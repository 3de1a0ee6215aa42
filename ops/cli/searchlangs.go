package cli

import (
	"cmp"
	"fmt"
	"slices"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/search"
)

// langRow is one line of `search langs`.
type langRow struct {
	Lang  string `json:"lang"`
	Lines int64  `json:"lines"`
	Bytes int64  `json:"bytes"`
}

func newSearchLangsCmd(a *app) *cobra.Command {
	f := searchFlags{format: "text"}
	var opts search.LangOpts
	cmd := &cobra.Command{
		Use:   "langs --repo DIR [--rev REV] [--format text|json] [QUERY]",
		Short: "Lines and bytes per language at one revision (vendored and generated files excluded)",
		Long: `Lines and bytes per language (go-enry) at one revision. Vendored and
generated files are excluded unless asked for. An optional query's file: and
lang: filters narrow the files counted.`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("want at most one query, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := f.checkFormat("text", "json"); err != nil {
				return err
			}
			// With no query every file counts: "file:." matches any path.
			q, err := parseQuery(append(args, "file:.")[0])
			if err != nil {
				return err
			}
			p, err := evalAt(cmd.Context(), f, q, engine.Opts{Langs: true, LangOpts: opts})
			if err != nil {
				return err
			}
			rows := langRows(p.Langs)
			if f.format == "json" {
				return writeJSON(a, rows)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
			fmt.Fprintln(tw, "LANGUAGE\tLINES\tBYTES\t")
			for _, r := range rows {
				fmt.Fprintf(tw, "%s\t%d\t%d\t\n", r.Lang, r.Lines, r.Bytes)
			}
			return tw.Flush()
		},
	}
	f.bind(cmd, "text or json")
	cmd.Flags().StringVar(&f.rev, "rev", "", "revision (default HEAD)")
	cmd.Flags().BoolVar(&opts.IncludeVendored, "include-vendored", false, "count vendored files (vendor/, node_modules/, …)")
	cmd.Flags().BoolVar(&opts.IncludeGenerated, "include-generated", false, "count generated files")
	return cmd
}

func langRows(m map[string]engine.LangTotal) []langRow {
	rows := make([]langRow, 0, len(m))
	for l, t := range m {
		rows = append(rows, langRow{Lang: l, Lines: t.Lines, Bytes: t.Bytes})
	}
	slices.SortFunc(rows, func(x, y langRow) int { return cmp.Or(cmp.Compare(y.Lines, x.Lines), cmp.Compare(x.Lang, y.Lang)) })
	return rows
}
