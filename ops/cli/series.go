package cli

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/sightline-dev/sightline/ops/chart"
	"github.com/sightline-dev/sightline/sinks/insights"
)

// seriesJSON is `sightline series --format json`.
type seriesJSON struct {
	View struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"view"`
	Series     []seriesLineJSON `json:"series"`
	Incomplete []incompleteJSON `json:"incomplete"`
}

type seriesLineJSON struct {
	Label  string      `json:"label"`
	Points []pointJSON `json:"points"`
}

type pointJSON struct {
	Time  string `json:"time"`
	Value int64  `json:"value"`
}

type incompleteJSON struct {
	Reason string `json:"reason"`
	Time   string `json:"time"`
	Repo   string `json:"repo"`
	Detail string `json:"detail"`
}

func newSeriesCmd(a *app) *cobra.Command {
	var (
		as, format, chartFile string
		include, exclude      []string
	)
	cmd := &cobra.Command{
		Use:   "series VIEW [--as USER] [--format table|csv|json] [--chart FILE.svg|FILE.png] [--include-repos RE]... [--exclude-repos RE]...",
		Short: "Print an insight view's series (table, CSV or JSON) and draw its chart",
		Long: `Print the series of the insight view VIEW (its id, as in sightline insights
list) as loaded in Postgres.

Each series is the sum over repositories of its matches at each of its last
num_points sample times, oldest first, with 0 where nothing matched, and
the current snapshot (refreshed daily) as the last point when it is newer.
A capture-group, language-usage or group-by series becomes one series per
captured value (language, group), labelled with the value ("LABEL: value"
when the view has several series). The view's sort (result count, label or
date added; ascending or descending) and series limit apply; a note says
when the limit hides some (on stderr for csv and json).

Repositories:
  --as USER            read as USER: private repositories count only where
                       USER has a grant (an unknown user sees public ones
                       only). Without --as you read as an administrator,
                       who sees every repository; --as '' is an error.
  --include-repos RE   count only repositories whose name matches RE
                       (repeat: any may match); replaces the view's default
  --exclude-repos RE   leave out repositories whose name matches RE (repeat:
                       none may match); replaces the view's default
  Filters are regular expressions as Postgres applies them (~); the common
  syntax agrees with Go's.

Output (--format):
  table  one row per time, one column per series (the default); then the
         incomplete points, if any: counts that miss repositories (timeout,
         repo-error, skipped-files, error-limit)
  csv    the same table as CSV, header "time,<label>..."; no incomplete
         points (a note on stderr counts them)
  json   {"view":{"id","title"},"series":[{"label","points":[{"time":
         RFC 3339,"value"}]}],"incomplete":[{"reason","time","repo",
         "detail"}]} (repo "" means every repository)

--chart FILE writes a chart too: a line chart over time, or a pie of the
latest values for a pie view; SVG or PNG by FILE's extension.

An unknown view exits 1; a bad flag or regular expression exits 2.`,
		Args: exactArgs(1, "one view id (`sightline insights list` shows them)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{"table", "csv", "json"}, format) {
				return usageErrorf("--format %q: want table, csv or json", format)
			}
			chartFormat := ""
			if chartFile != "" {
				var err error
				if chartFormat, err = chart.FormatOf(chartFile); err != nil {
					return &usageError{msg: "--chart: " + err.Error()}
				}
			}
			opts, err := readOpts(cmd, args[0], as)
			if err != nil {
				return err
			}
			opts.Now = a.now()
			if cmd.Flags().Changed("include-repos") {
				if opts.IncludeRepos, err = checkRegexps("--include-repos", include); err != nil {
					return err
				}
			}
			if cmd.Flags().Changed("exclude-repos") {
				if opts.ExcludeRepos, err = checkRegexps("--exclude-repos", exclude); err != nil {
					return err
				}
			}
			db, err := a.migratedDatabase(cmd.Context())
			if err != nil {
				return err
			}
			res, err := insights.ViewSeries(cmd.Context(), db, opts)
			if err != nil {
				return err
			}
			if chartFile != "" {
				if err := writeChart(chartFile, chartFormat, res); err != nil {
					return err
				}
				a.log.Info("wrote chart", "file", chartFile)
			}
			switch format {
			case "json":
				notes(a.stderr, res, len(res.Incomplete))
				return writeJSON(a, seriesToJSON(res))
			case "csv":
				notes(a.stderr, res, 0)
				return writeSeriesCSV(a.stdout, res)
			}
			return writeSeriesTable(a.stdout, res)
		},
	}
	cmd.Flags().StringVar(&as, "as", "", "read as this user (default: an administrator, who sees every repository)")
	cmd.Flags().StringVar(&format, "format", "table", "output format: table, csv or json")
	cmd.Flags().StringVar(&chartFile, "chart", "", "also draw the chart into this .svg or .png file")
	cmd.Flags().StringArrayVar(&include, "include-repos", nil, "count only repositories matching this regexp (repeatable; replaces the view's default)")
	cmd.Flags().StringArrayVar(&exclude, "exclude-repos", nil, "leave out repositories matching this regexp (repeatable; replaces the view's default)")
	return cmd
}

// readOpts says who reads: the user --as names, or, without --as, an
// administrator. An empty or blank --as is a usage error, never the
// administrator.
func readOpts(cmd *cobra.Command, view, as string) (insights.ReadOpts, error) {
	if !cmd.Flags().Changed("as") {
		return insights.ReadOpts{ViewID: view, Admin: true}, nil
	}
	if err := insights.CheckUser(as); err != nil {
		return insights.ReadOpts{}, usageErrorf("--as: %v (leave --as out to read as an administrator)", err)
	}
	return insights.ReadOpts{ViewID: view, User: as}, nil
}

// checkRegexps rejects a filter that does not compile, naming the flag.
func checkRegexps(flag string, res []string) ([]string, error) {
	for _, re := range res {
		if _, err := regexp.Compile(re); err != nil {
			return nil, usageErrorf("%s %q: %v", flag, re, err)
		}
	}
	return res, nil
}

func seriesToJSON(res insights.ViewResult) seriesJSON {
	var out seriesJSON
	out.View.ID, out.View.Title = res.View.UniqueID, res.View.Title
	out.Series = make([]seriesLineJSON, len(res.Series))
	for i, s := range res.Series {
		out.Series[i] = seriesLineJSON{Label: s.Label, Points: make([]pointJSON, len(s.Points))}
		for j, p := range s.Points {
			out.Series[i].Points[j] = pointJSON{Time: p.Time.UTC().Format(time.RFC3339), Value: p.Value}
		}
	}
	out.Incomplete = make([]incompleteJSON, len(res.Incomplete))
	for i, p := range res.Incomplete {
		out.Incomplete[i] = incompleteJSON{Reason: p.Reason, Time: p.Time.UTC().Format(time.RFC3339), Repo: p.Repo, Detail: p.Detail}
	}
	return out
}

// grid lays series out as rows of times: every time of any series, oldest
// first, and each series' value there ("-" where a series has no such
// time, as when series of one view have different intervals).
func grid(res insights.ViewResult) (header []string, rows [][]string) {
	var times []time.Time
	for _, s := range res.Series {
		for _, p := range s.Points {
			times = append(times, p.Time.UTC())
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	times = slices.CompactFunc(times, time.Time.Equal)
	header = []string{"time"}
	cells := make([]map[time.Time]int64, len(res.Series))
	for i, s := range res.Series {
		header = append(header, s.Label)
		cells[i] = make(map[time.Time]int64, len(s.Points))
		for _, p := range s.Points {
			cells[i][p.Time.UTC()] = p.Value
		}
	}
	for _, t := range times {
		row := []string{t.Format(time.RFC3339)}
		for _, c := range cells {
			cell := "-"
			if v, ok := c[t]; ok {
				cell = strconv.FormatInt(v, 10)
			}
			row = append(row, cell)
		}
		rows = append(rows, row)
	}
	return header, rows
}

func writeSeriesCSV(w io.Writer, res insights.ViewResult) error {
	header, rows := grid(res)
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	_ = cw.WriteAll(rows) // flushes
	return cw.Error()
}

func writeSeriesTable(w io.Writer, res insights.ViewResult) error {
	fmt.Fprintf(w, "%s (%s)\n", res.View.Title, res.View.UniqueID)
	if len(res.Series) == 0 {
		fmt.Fprintln(w, "no series to show yet: the view has no series, or no values were recorded for them")
	} else {
		header, rows := grid(res)
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		for _, row := range append([][]string{header}, rows...) {
			for i, cell := range row {
				row[i] = tsvField(cell)
			}
			fmt.Fprintf(tw, "%s\t\n", strings.Join(row, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	notes(w, res, len(res.Incomplete))
	if len(res.Incomplete) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := newTable(w)
	fmt.Fprintln(tw, "INCOMPLETE\tSERIES\tTIME\tREPO\tDETAIL")
	for _, p := range res.Incomplete {
		repo := p.Repo
		if repo == "" {
			repo = "(all)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Reason, tsvField(p.SeriesLabel), p.Time.UTC().Format(time.RFC3339),
			repo, dash(oneLine(p.Detail, 100)))
	}
	return tw.Flush()
}

// notes says what the output leaves out: series beyond the view's limit,
// and incomplete points beyond the listed ones (csv lists none).
func notes(w io.Writer, res insights.ViewResult, listed int) {
	if res.TotalSeries > len(res.Series) {
		fmt.Fprintf(w, "showing %d of %d series (the view's series limit is %d)\n",
			len(res.Series), res.TotalSeries, res.View.SeriesLimit)
	}
	switch n := res.IncompleteTotal; {
	case listed == 0 && n > 0:
		fmt.Fprintf(w, "%d incomplete points (counts that miss repositories); --format table or json lists them\n", n)
	case n > listed:
		fmt.Fprintf(w, "%d incomplete points, the first %d listed\n", n, listed)
	}
}

// writeChart draws the view's chart into name: a pie of the latest values
// for a pie view, lines over time otherwise. The file is replaced
// atomically, so a failed run leaves any previous chart whole.
func writeChart(name, format string, res insights.ViewResult) (err error) {
	series := make([]chart.Series, len(res.Series))
	for i, s := range res.Series {
		series[i] = chart.Series{Label: s.Label, Color: s.Color, Points: make([]chart.Point, len(s.Points))}
		for j, p := range s.Points {
			series[i].Points[j] = chart.Point{Time: p.Time, Value: float64(p.Value)}
		}
	}
	draw := chart.Line
	if res.View.Presentation == "pie" {
		draw = chart.Pie
	}
	f, err := os.CreateTemp(filepath.Dir(name), ".chart-*")
	if err != nil {
		return fmt.Errorf("write chart %s: %w", name, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := f.Chmod(0o644); err != nil { // CreateTemp makes it 0600
		return fmt.Errorf("write chart %s: %w", name, err)
	}
	if err := draw(f, format, res.View.Title, series); err != nil {
		return fmt.Errorf("write chart %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write chart %s: %w", name, err)
	}
	if err := os.Rename(f.Name(), name); err != nil {
		return fmt.Errorf("write chart %s: %w", name, err)
	}
	return nil
}
