// Package chart draws insight series as SVG or PNG images with gonum/plot:
// a line chart over time for line views and a pie of the latest values for
// pie views. It draws what it is given; reading series is
// sinks/insights's job.
package chart

import (
	"fmt"
	"image/color"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Series is one line (or, in a pie, one slice: its latest point).
type Series struct {
	Label string
	// Color is "#rrggbb" (or "#rgb"); empty or unparsable picks the next
	// colour of the default palette.
	Color  string
	Points []Point
}

// Point is one value at one time.
type Point struct {
	Time  time.Time
	Value float64
}

// The image size. PNGs are drawn at pngDPI, so 8in × 5in is 768 × 480.
const (
	width  = 8 * vg.Inch
	height = 5 * vg.Inch
	pngDPI = 96
)

// Formats lists the image formats Line and Pie write.
var Formats = []string{"svg", "png"}

// FormatOf returns the image format for a file name's extension, or an
// error naming the file and the formats there are.
func FormatOf(name string) (string, error) {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	if slices.Contains(Formats, ext) {
		return ext, nil
	}
	return "", fmt.Errorf("chart file %q: want a .svg or .png name", name)
}

// palette is Tableau 10: distinct, readable on white, and colour-blind
// tolerable.
var palette = []string{"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"}

// colors returns one colour per series: its own when it parses, otherwise
// the next palette entry (so explicit strokes do not shift the palette of
// the others out of step with the legend).
func colors(series []Series) []color.Color {
	out := make([]color.Color, len(series))
	next := 0
	for i, s := range series {
		if c, ok := parseHex(s.Color); ok {
			out[i] = c
			continue
		}
		out[i], _ = parseHex(palette[next%len(palette)])
		next++
	}
	return out
}

// parseHex parses "#rrggbb" or "#rgb".
func parseHex(s string) (color.Color, bool) {
	s, ok := strings.CutPrefix(strings.TrimSpace(s), "#")
	if !ok {
		return nil, false
	}
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) != 6 {
		return nil, false
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return nil, false
	}
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}, true
}

// sans is the chart font: Liberation Sans, which gonum/plot embeds, so
// PNGs look the same on every machine.
func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// newPlot returns a plot in the chart font.
func newPlot() *plot.Plot {
	p := plot.New()
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = sans(11)
		ax.Tick.Label.Font = sans(9)
	}
	return p
}

// newLegend returns a legend drawn beside the plot rather than over it, so
// that it never hides data.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.Top, l.Left = true, true
	l.TextStyle.Font = sans(10)
	l.Padding = vg.Points(4)
	return l
}

// render draws p under title and with legend at its right on a canvas of
// format, and writes it to w. The title spans the whole image; the legend
// sits beside the plot rather than over it, so that it never hides data.
func render(w io.Writer, format, title string, p *plot.Plot, legend plot.Legend) error {
	var c vg.CanvasWriterTo
	switch format {
	case "svg":
		c = vgsvg.New(width, height)
	case "png":
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(pngDPI))}
	default:
		return fmt.Errorf("chart format %q: want svg or png", format)
	}
	dc := draw.New(c)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	pad := vg.Points(10)
	body := draw.Crop(dc, pad, -pad, pad, -pad)
	if title != "" {
		sty := p.Title.TextStyle
		sty.Font = sans(14)
		body.FillText(sty, vg.Point{X: body.Center().X, Y: body.Max.Y + sty.FontExtents().Descent}, title)
		body = draw.Crop(body, 0, 0, 0, -(sty.Rectangle(title).Size().Y + pad))
	}
	lw := legend.Rectangle(body).Size().X
	lw = min(lw, body.Size().X/3)
	if lw > 0 {
		legend.Draw(draw.Crop(body, body.Size().X-lw, 0, 0, 0))
		lw += pad
	}
	p.Draw(draw.Crop(body, 0, -lw, 0, 0))
	_, err := c.WriteTo(w)
	return err
}

// swatch is a legend thumbnail: a filled square.
type swatch struct{ color color.Color }

func (s swatch) Thumbnail(c *draw.Canvas) {
	c.FillPolygon(s.color, []vg.Point{{X: c.Min.X, Y: c.Min.Y}, {X: c.Max.X, Y: c.Min.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Min.X, Y: c.Max.Y}})
}
