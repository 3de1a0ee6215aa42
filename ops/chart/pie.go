package chart

import (
	"fmt"
	"image/color"
	"io"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Pie draws the latest value of each series (its last point; 0 without
// points) as a slice of a pie, in format ("svg" or "png") to w: title on
// top and a legend of "label: value (share)" in the slices' colours. The
// slices run clockwise from twelve o'clock in the order given.
func Pie(w io.Writer, format, title string, series []Series) error {
	p := newPlot()
	p.HideAxes()
	legend := newLegend()
	cols := colors(series)
	values := make([]float64, len(series))
	var total float64
	for i, s := range series {
		if n := len(s.Points); n > 0 {
			values[i] = math.Max(s.Points[n-1].Value, 0)
		}
		total += values[i]
	}
	for i, s := range series {
		label := fmt.Sprintf("%s: %s", s.Label, formatCount(values[i]))
		if total > 0 {
			label += fmt.Sprintf(" (%.1f%%)", 100*values[i]/total)
		}
		legend.Add(label, swatch{cols[i]})
	}
	p.Add(pie{values: values, colors: cols, total: total})
	return render(w, format, title, p, legend)
}

func formatCount(v float64) string { return fmt.Sprintf("%.0f", v) }

// pie is a plot.Plotter drawing wedges in the middle of the data area.
type pie struct {
	values []float64
	colors []color.Color
	total  float64
}

func (pc pie) Plot(c draw.Canvas, _ *plot.Plot) {
	ctr := c.Center()
	size := c.Size()
	r := 0.45 * min(size.X, size.Y)
	if pc.total <= 0 {
		// Nothing to share out: an empty circle says so.
		var circle vg.Path
		circle.Move(vg.Point{X: ctr.X + r, Y: ctr.Y})
		circle.Arc(ctr, r, 0, 2*math.Pi)
		circle.Close()
		c.SetLineStyle(draw.LineStyle{Color: color.Gray{Y: 0xa0}, Width: vg.Points(1)})
		c.Stroke(circle)
		return
	}
	start := math.Pi / 2
	for i, v := range pc.values {
		if v <= 0 {
			continue
		}
		sweep := -2 * math.Pi * v / pc.total
		var wedge vg.Path
		wedge.Move(ctr)
		wedge.Line(vg.Point{X: ctr.X + r*vg.Length(math.Cos(start)), Y: ctr.Y + r*vg.Length(math.Sin(start))})
		wedge.Arc(ctr, r, start, sweep)
		wedge.Close()
		c.SetColor(pc.colors[i])
		c.Fill(wedge)
		c.SetLineStyle(draw.LineStyle{Color: color.White, Width: vg.Points(1)})
		c.Stroke(wedge)
		start += sweep
	}
}
