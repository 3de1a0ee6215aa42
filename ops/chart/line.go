package chart

import (
	"io"
	"math"
	"slices"
	"strconv"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// maxTimeLabels bounds the labelled ticks of the time axis; the other
// sample times get minor ticks.
const maxTimeLabels = 8

// Line draws series as lines over time, one marker per point, in format
// ("svg" or "png") to w: title on top, time on the x axis with a tick at
// each sample time, count on the y axis from zero, and a legend of the
// series labels in their colours.
func Line(w io.Writer, format, title string, series []Series) error {
	p := newPlot()
	p.X.Label.Text = "time"
	p.Y.Label.Text = "count"
	p.Add(plotter.NewGrid())
	legend := newLegend()
	var times []time.Time
	for i, c := range colors(series) {
		s := series[i]
		if len(s.Points) == 0 {
			legend.Add(s.Label, swatch{c})
			continue
		}
		xys := make(plotter.XYs, len(s.Points))
		for j, pt := range s.Points {
			xys[j] = plotter.XY{X: unix(pt.Time), Y: pt.Value}
			times = append(times, pt.Time)
		}
		line, points, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		line.Color, line.Width = c, vg.Points(1.5)
		points.Color, points.Shape, points.Radius = c, draw.CircleGlyph{}, vg.Points(2)
		p.Add(line, points)
		legend.Add(s.Label, line, points)
	}
	p.X.Tick.Marker = timeTicks(times)
	p.Y.Tick.Marker = plot.TickerFunc(countTicks)
	p.Y.Min = 0
	p.Y.Max = math.Max(p.Y.Max, 1)
	return render(w, format, title, p, legend)
}

func unix(t time.Time) float64 { return float64(t.Unix()) }

// timeTicks puts a tick at every sample time and labels some of them:
// the newest, then going back each one at least 1/maxTimeLabels of the
// span from the last labelled, so labels never crowd (a snapshot a day
// after the last sample does not overprint it). Labels are dates, with the
// time of day only when two times fall on one day.
func timeTicks(times []time.Time) plot.Ticker {
	if len(times) == 0 {
		return plot.DefaultTicks{}
	}
	slices.SortFunc(times, time.Time.Compare)
	times = slices.CompactFunc(times, time.Time.Equal)
	layout := "2006-01-02"
	for i := 1; i < len(times); i++ {
		if times[i].UTC().Format(layout) == times[i-1].UTC().Format(layout) {
			layout = "2006-01-02 15:04"
			break
		}
	}
	minGap := times[len(times)-1].Sub(times[0]) / maxTimeLabels
	ticks := make(plot.ConstantTicks, len(times))
	var labelled time.Time
	for i := len(times) - 1; i >= 0; i-- {
		t := times[i]
		ticks[i].Value = unix(t)
		if labelled.IsZero() || labelled.Sub(t) >= minGap {
			ticks[i].Label = t.UTC().Format(layout)
			labelled = t
		}
	}
	return ticks
}

// countTicks is plot.DefaultTicks without fractional ticks (counts are
// whole numbers) and with plain integer labels.
func countTicks(lo, hi float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(lo, hi) {
		if t.Value != math.Trunc(t.Value) {
			continue
		}
		if t.Label != "" {
			t.Label = strconv.FormatFloat(t.Value, 'f', 0, 64)
		}
		out = append(out, t)
	}
	return out
}
