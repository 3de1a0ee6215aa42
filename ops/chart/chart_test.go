package chart_test

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/chart"
)

func testSeries() []chart.Series {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var a, b []chart.Point
	for i := range 12 {
		t := t0.AddDate(0, 0, 7*i)
		a = append(a, chart.Point{Time: t, Value: float64(i * 3)})
		b = append(b, chart.Point{Time: t, Value: float64(40 - i)})
	}
	return []chart.Series{
		{Label: "TODOs", Color: "#ff0000", Points: a},
		{Label: "FIXMEs", Points: b},
		{Label: "empty"},
	}
}

// svgText returns every character-data run of an SVG document, failing the
// test if it is not well-formed XML.
func svgText(t *testing.T, doc []byte) string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var text strings.Builder
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = tok.Name.Local
			}
		case xml.CharData:
			text.Write(tok)
			text.WriteByte('\n')
		}
	}
	if root != "svg" {
		t.Fatalf("root element %q, want svg", root)
	}
	return text.String()
}

func TestSVG(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		draw func(io.Writer, string, string, []chart.Series) error
		want []string
	}{
		{name: "line", draw: chart.Line, want: []string{"TODOs", "FIXMEs", "empty", "time", "count", "2024-03-18"}},
		{name: "pie", draw: chart.Pie, want: []string{"TODOs: 33 (53.2%)", "FIXMEs: 29 (46.8%)", "empty: 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := tt.draw(&buf, "svg", "Debt over time", testSeries()); err != nil {
				t.Fatal(err)
			}
			text := svgText(t, buf.Bytes())
			for _, w := range append(tt.want, "Debt over time") {
				if !strings.Contains(text, w) {
					t.Errorf("SVG text lacks %q:\n%s", w, text)
				}
			}
			if tt.name == "line" && !strings.Contains(strings.ToLower(buf.String()), "stroke:#ff0000") {
				t.Errorf("the series' stroke #ff0000 is not used")
			}
		})
	}
}

func TestPNG(t *testing.T) {
	t.Parallel()
	for name, draw := range map[string]func(io.Writer, string, string, []chart.Series) error{"line": chart.Line, "pie": chart.Pie} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := draw(&buf, "png", "Debt", testSeries()); err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(&buf)
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if b := img.Bounds(); b.Dx() != 768 || b.Dy() != 480 {
				t.Errorf("size %dx%d, want 768x480", b.Dx(), b.Dy())
			}
		})
	}
}

func TestEdgeCases(t *testing.T) {
	t.Parallel()
	one := []chart.Series{{Label: "one", Points: []chart.Point{{Time: time.Date(2024, 5, 1, 13, 0, 0, 0, time.UTC), Value: 0}}}}
	for _, tc := range []struct {
		name   string
		series []chart.Series
	}{{"no series", nil}, {"one zero point", one}} {
		for _, format := range chart.Formats {
			var buf bytes.Buffer
			if err := chart.Line(&buf, format, "t", tc.series); err != nil {
				t.Errorf("%s line %s: %v", tc.name, format, err)
			}
			buf.Reset()
			if err := chart.Pie(&buf, format, "t", tc.series); err != nil {
				t.Errorf("%s pie %s: %v", tc.name, format, err)
			}
		}
	}
	if err := chart.Line(io.Discard, "gif", "t", nil); err == nil || !strings.Contains(err.Error(), `"gif"`) {
		t.Errorf("gif: err %v, want one naming the format", err)
	}
}

// TestTimeLabels checks that a snapshot a day and a half after the last
// sample does not overprint its label, and that labels stay dates.
func TestTimeLabels(t *testing.T) {
	t.Parallel()
	var pts []chart.Point
	for _, s := range []string{"2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z", "2024-01-21T00:00:00Z", "2024-01-22T12:00:00Z"} {
		tm, _ := time.Parse(time.RFC3339, s)
		pts = append(pts, chart.Point{Time: tm, Value: 1})
	}
	var buf bytes.Buffer
	if err := chart.Line(&buf, "svg", "t", []chart.Series{{Label: "s", Points: pts}}); err != nil {
		t.Fatal(err)
	}
	text := svgText(t, buf.Bytes())
	for _, want := range []string{"2024-01-07", "2024-01-14", "2024-01-22"} {
		if !strings.Contains(text, want) {
			t.Errorf("no label %s:\n%s", want, text)
		}
	}
	for _, unwanted := range []string{"2024-01-21", "12:00"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("label %s crowds the others:\n%s", unwanted, text)
		}
	}
}

func TestFormatOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, want, wantErr string }{
		{name: "out/chart.svg", want: "svg"},
		{name: "CHART.PNG", want: "png"},
		{name: "chart.jpg", wantErr: `chart file "chart.jpg": want a .svg or .png name`},
		{name: "chart", wantErr: "want a .svg or .png name"},
	}
	for _, tt := range tests {
		got, err := chart.FormatOf(tt.name)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("FormatOf(%q) error %v, want %q", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("FormatOf(%q) = %q, %v; want %q", tt.name, got, err, tt.want)
		}
	}
}
