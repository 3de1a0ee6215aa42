package cli

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
)

// printInsightsStatus prints the insights part of `sightline status`:
// backfills (unfinished, then the recent finished ones), the search-shard
// queue and incomplete points by reason. A backfill's ERROR column says
// what it waits for when it has no error. Empty sections are one line.
func printInsightsStatus(w io.Writer, st insights.Status, now time.Time) error {
	if len(st.Backfills) == 0 {
		fmt.Fprintln(w, "backfills: none")
	} else {
		tw := newTable(w)
		fmt.Fprintln(tw, "BACKFILL\tSERIES\tVIEWS\tSTATE\tDONE\tERRORED\tAGE\tERROR")
		for _, b := range st.Backfills {
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%.0f%% (%d/%d)\t%d\t%s\t%s\n", b.ID, b.SeriesID,
				dash(oneLine(strings.Join(b.Views, ", "), 60)), b.State, b.PercentDone, b.ReposDone, b.ReposTotal,
				b.ReposErrored, age(now, b.CreatedAt), dash(oneLine(cmp.Or(b.Error, b.Waiting), 100)))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	if len(st.Queue) == 0 {
		fmt.Fprintln(w, "search shards: none")
	} else {
		tw := newTable(w)
		fmt.Fprintln(tw, "SHARDS\tSTATE\tCOUNT\tTASKS\tOLDEST")
		for _, q := range st.Queue {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%s\n", q.Kind, q.State, q.Shards, q.Tasks, age(now, q.Oldest))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if err := printRecordingWaits(w, st.RecordingsWaiting); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(st.Incomplete) == 0 {
		fmt.Fprintln(w, "incomplete points: none")
		return nil
	}
	tw := newTable(w)
	fmt.Fprintln(tw, "INCOMPLETE\tPOINTS\tSERIES\tREPOS")
	for _, c := range st.Incomplete {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", c.Reason, c.Points, c.Series, c.Repos)
	}
	return tw.Flush()
}

// printRecordingWaits prints the recordings that wait, a section shown
// only when there are some.
func printRecordingWaits(w io.Writer, waits []insights.RecordingWait) error {
	if len(waits) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	tw := newTable(w)
	fmt.Fprintln(tw, "RECORDING\tSERIES\tVIEWS\tWAITING")
	for _, r := range waits {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", r.Due.UTC().Format(time.DateTime), r.SeriesID,
			dash(oneLine(strings.Join(r.Views, ", "), 60)), oneLine(r.Reason, 140))
	}
	return tw.Flush()
}

// age is how long before now t was, to the second (or minute past an hour).
func age(now, t time.Time) string {
	d := now.Sub(t)
	if d < 0 {
		return "-"
	}
	if d >= time.Hour {
		return d.Round(time.Minute).String()
	}
	return d.Round(time.Second).String()
}
