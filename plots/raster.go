package plots

import (
	"image"
	"image/color"
	"math"

	"github.com/binarynet/binarynet"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Options set what a picture shows besides the data.
type Options struct {
	// Title is the picture's title. Empty gives a default that says what
	// is shown ("Unit activity", "Population activity"); callers name the
	// model, e.g. "Clustered E/I network, Q = 20: unit activity".
	Title string
	// Time is the time axis. For the raster, Time.N = 0 means the number
	// of units of the initial state.
	Time Time
}

// dpi is the resolution at which pictures are drawn: sizes in pixels are
// converted to lengths at 96 dots per inch.
const dpi = 96

// pixels converts a size in pixels to a length.
func pixels(n float64) vg.Length { return vg.Length(n) * vg.Inch / dpi }

// labelGap is the least distance, in pixels, between two group labels on
// an axis; labels of thinner groups are thinned out.
const labelGap = 13

// Raster returns a plot of ActivityImage: time on the x axis (see Time),
// units on the y axis, labelled with the group names, and a line between
// the excitatory and the inhibitory groups. cols and rows set the
// resolution of the image, as for ActivityImage; rows is also taken as
// the height in pixels of the data area when thinning the group labels.
func Raster(initial []int8, log binarynet.DiffLog, groups []Group, cols, rows int, opts Options) (*plot.Plot, error) {
	img, err := ActivityImage(initial, log, groups, cols, rows)
	if err != nil {
		return nil, err
	}
	p, _, err := rasterPlot(initial, log, groups, img, float64(rows), opts)
	return p, err
}

// rasterPlot builds the plot of Raster around img; dataPx is the height
// of the data area in pixels. It also returns the E/I boundary line, nil
// when there is none.
func rasterPlot(initial []int8, log binarynet.DiffLog, groups []Group, img image.Image, dataPx float64, opts Options) (*plot.Plot, *plotter.Line, error) {
	t := opts.Time
	if t.N == 0 {
		t.N = len(initial)
	}
	if err := t.check(); err != nil {
		return nil, nil, err
	}
	lo, hi, err := groupSpan(groups, len(initial))
	if err != nil {
		return nil, nil, err
	}
	p := plot.New()
	p.Title.Text = opts.Title
	if p.Title.Text == "" {
		p.Title.Text = "Unit activity"
	}
	end := t.x(float64(log.Len()))
	if end == 0 {
		end = t.x(1) // an empty log still gets an axis
	}
	p.Add(plotter.NewImage(img, 0, float64(lo), end, float64(hi)))
	p.X.Min, p.X.Max = 0, end
	p.Y.Min, p.Y.Max = float64(lo), float64(hi)
	p.X.Label.Text = t.label()
	p.X.Tick.Marker = t
	p.Y.Tick.Marker = groupTicks(groups, float64(hi-lo)*labelGap/max(dataPx, 1))
	p.Y.Label.Text = "units, by group"
	var line *plotter.Line
	if b, ok := eiBoundary(groups); ok && b > lo && b < hi {
		p.Y.Label.Text = "units: excitatory below the line, inhibitory above"
		line, err = plotter.NewLine(plotter.XYs{{X: 0, Y: float64(b)}, {X: end, Y: float64(b)}})
		if err != nil {
			return nil, nil, err
		}
		line.Color = color.Black
		line.Width = vg.Points(1.2)
		p.Add(line)
	}
	return p, line, nil
}

// groupTicks labels each group at the middle of its range, with unlabelled
// ticks at the group boundaries. Labels closer than gap (in units) to the
// previous label are left out.
func groupTicks(groups []Group, gap float64) plot.ConstantTicks {
	var ticks plot.ConstantTicks
	last := math.Inf(-1)
	edges := map[int]bool{}
	for _, g := range groups {
		for _, e := range []int{g.Range.Start, g.Range.End} {
			if !edges[e] {
				edges[e] = true
				ticks = append(ticks, plot.Tick{Value: float64(e)})
			}
		}
		mid := float64(g.Range.Start+g.Range.End) / 2
		if mid-last >= gap {
			ticks = append(ticks, plot.Tick{Value: mid, Label: g.Name})
			last = mid
		}
	}
	return ticks
}

// scaleHeight is the height in pixels of the strip under the raster that
// holds the scale of the shading.
const scaleHeight = 34

// RasterImage draws the plot of Raster as a width x height pixel image,
// with the activity image placed pixel for pixel in the plot's data area
// instead of being rescaled, so that its blocks stay sharp and the image
// compresses well as PNG. Under the plot, a scale shows the shade of each
// fraction of time active.
func RasterImage(initial []int8, log binarynet.DiffLog, groups []Group, width, height int, opts Options) (image.Image, error) {
	if err := CheckSize(width, height); err != nil {
		return nil, err
	}
	// Check everything before drawing, with a one-pixel placeholder.
	placeholder, err := ActivityImage(initial, log, groups, 1, 1)
	if err != nil {
		return nil, err
	}
	c := vgimg.NewWith(vgimg.UseWH(pixels(float64(width)), pixels(float64(height))), vgimg.UseDPI(dpi))
	dc := draw.New(c)
	plotArea := draw.Crop(dc, 0, 0, pixels(scaleHeight), 0)
	// The data area is about the plot less its title and x axis.
	// The placeholder is drawn white: the real image is pasted over the
	// data area, and a border pixel of the placeholder may stay visible.
	placeholder.SetNRGBA(0, 0, color.NRGBA{255, 255, 255, 255})
	p, line, err := rasterPlot(initial, log, groups, placeholder, float64(height-scaleHeight-90), opts)
	if err != nil {
		return nil, err
	}
	p.Draw(plotArea)
	img := c.Image()
	height = img.Bounds().Dy()
	data := p.DataCanvas(plotArea)
	area := data.Rectangle
	px := func(l vg.Length) float64 { return l.Dots(dpi) }
	r := image.Rect(
		int(math.Ceil(px(area.Min.X))), height-int(math.Floor(px(area.Max.Y))),
		int(math.Floor(px(area.Max.X))), height-int(math.Ceil(px(area.Min.Y))),
	).Intersect(img.Bounds())
	top := 1.0
	if !r.Empty() {
		act, t, err := activityImage(initial, log, groups, r.Dx(), r.Dy())
		if err != nil {
			return nil, err
		}
		top = t
		// ActivityImage may return fewer columns or rows than asked for
		// (a short log, few units): scale it up by whole pixels.
		b := act.Bounds()
		for y := r.Min.Y; y < r.Max.Y; y++ {
			sy := (y - r.Min.Y) * b.Dy() / r.Dy()
			for x := r.Min.X; x < r.Max.X; x++ {
				img.Set(x, y, act.NRGBAAt((x-r.Min.X)*b.Dx()/r.Dx(), sy))
			}
		}
	}
	if line != nil {
		line.Plot(data, p) // over the pasted pixels
	}
	drawShadeScale(dc, p.X.Tick.Label, width, top)
	return img, nil
}

// drawShadeScale draws, at the bottom right of c, the scale of the shades
// of ActivityImage: a bar from 0 to its full-scale fraction top (fraction
// of time active) in the shades a grey group would get.
func drawShadeScale(c draw.Canvas, sty text.Style, width int, top float64) {
	const barPx, barHeightPx, steps = 220.0, 10.0, 110
	x0 := pixels(float64(width) - barPx - 24)
	y0 := pixels(scaleHeight - barHeightPx - 6)
	base := color.NRGBA{40, 40, 40, 255}
	cr, cg, cb := rgb(base)
	w := pixels(barPx / steps)
	for i := range steps {
		f := shade((float64(i) + 0.5) / steps) // relative to top
		x := x0 + vg.Length(i)*w
		c.FillPolygon(color.NRGBA{blend(cr, f), blend(cg, f), blend(cb, f), 255}, []vg.Point{
			{X: x, Y: y0}, {X: x + w + 0.01, Y: y0}, {X: x + w + 0.01, Y: y0 + pixels(barHeightPx)}, {X: x, Y: y0 + pixels(barHeightPx)},
		})
	}
	frame := draw.LineStyle{Color: color.Black, Width: vg.Points(0.5)}
	bw, bh := pixels(barPx), pixels(barHeightPx)
	c.StrokeLines(frame, []vg.Point{{X: x0, Y: y0}, {X: x0 + bw, Y: y0}, {X: x0 + bw, Y: y0 + bh}, {X: x0, Y: y0 + bh}, {X: x0, Y: y0}})
	sty.XAlign, sty.YAlign = text.XCenter, text.YTop
	mark := func(v float64, label string) {
		x := x0 + vg.Length(v/top)*bw
		c.StrokeLine2(frame, x, y0, x, y0-pixels(3))
		c.FillText(sty, vg.Point{X: x, Y: y0 - pixels(3)}, label)
	}
	// Nice values up to the full scale, which is labelled "≥ top" when
	// fractions above it are drawn at full colour.
	atTop := false
	for _, t := range niceTicks(0, top) {
		if t.Label == "" {
			continue
		}
		label := t.Label
		if math.Abs(t.Value-top) < 1e-9*top {
			atTop = true
			if top < 1 {
				label = "≥ " + label
			}
		}
		mark(t.Value, label)
	}
	if !atTop {
		mark(top, "≥ "+formatNumber(top))
	}
	sty.XAlign, sty.YAlign = text.XRight, text.YCenter
	c.FillText(sty, vg.Point{X: x0 - pixels(10), Y: y0 + bh/2}, "shade (in each group's colour): fraction of time the units of a pixel were active")
}
