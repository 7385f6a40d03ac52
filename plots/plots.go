// Package plots draws the activity of binarynet networks with
// gonum.org/v1/plot: a raster of units by time, coloured by group, and the
// activity of each group over time. It lives apart from package binarynet
// so that simulations do not pull in the plotting dependencies.
//
// Time is shown in sweeps: one sweep is N update steps, N the number of
// units of the network.
package plots

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"strconv"

	"github.com/binarynet/binarynet"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Group is a set of units drawn in one colour, such as one cluster.
type Group struct {
	// Name labels the group in legends.
	Name string
	// Range holds the unit ids of the group.
	Range binarynet.Range
	// Color is the group's colour; nil means black.
	Color color.Color
}

// ClusterColors returns q colours with hues spread evenly around the colour
// circle; neighbouring indices alternate between a brighter and a darker
// shade so that adjacent clusters stay distinguishable when q is large.
func ClusterColors(q int) []color.Color {
	c := make([]color.Color, max(q, 0))
	for k := range c {
		v := 0.85
		if k%2 == 1 {
			v = 0.6
		}
		c[k] = hsv(float64(k)/float64(q), 0.9, v)
	}
	return c
}

// ClusterGroups returns one group per cluster of a clustered network: the
// E clusters in the colours of ClusterColors, then the I clusters in a
// paler shade of the hue of the E cluster with the same index.
func ClusterGroups(l *binarynet.ClusteredLayout) []Group {
	q := len(l.ERanges)
	colors := ClusterColors(q)
	groups := make([]Group, 0, 2*q)
	for k, r := range l.ERanges {
		groups = append(groups, Group{Name: l.E[k].Name, Range: r, Color: colors[k]})
	}
	for k, r := range l.IRanges {
		groups = append(groups, Group{Name: l.I[k].Name, Range: r, Color: hsv(float64(k)/float64(q), 0.35, 0.55)})
	}
	return groups
}

// hsv converts a colour given by hue, saturation and value in [0, 1].
func hsv(h, s, v float64) color.NRGBA {
	h = math.Mod(h, 1) * 6
	i := math.Floor(h)
	f := h - i
	p, q, t := v*(1-s), v*(1-s*f), v*(1-s*(1-f))
	var r, g, b float64
	switch int(i) {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.NRGBA{uint8(math.Round(r * 255)), uint8(math.Round(g * 255)), uint8(math.Round(b * 255)), 255}
}

// ActivityImage renders the activity recorded in a diff log as an image of
// units (rows, unit 0 at the bottom) by time (columns, step 0 at the
// left). A pixel covers a block of units and of steps; its colour goes
// from white to the colour of the group of its units as the fraction f of
// that block during which the units were active rises: the colour's weight
// is f^1.5 rounded to eighths, so that the low background activity of a
// balanced network stays faint and active clusters stand out. Units in no
// group are not drawn, and the rows span the ids from the lowest group
// start to the highest group end.
//
// The image has at most cols columns and rows rows, fewer when the log has
// fewer steps or the groups fewer units. initial is the state before the
// first step of log; both are checked as by ReconstructStatesFromDiffLogs.
func ActivityImage(initial []int8, log binarynet.DiffLog, groups []Group, cols, rows int) (*image.NRGBA, error) {
	if cols < 1 || rows < 1 {
		return nil, fmt.Errorf("plots: image size %d x %d: %w", cols, rows, binarynet.ErrInvalidParameter)
	}
	// Validate the log with the library's own checks on a one-sample replay.
	if _, err := binarynet.PopulationRatesFromDiffLogs(initial, log, max(1, log.Len()), nil); err != nil {
		return nil, err
	}
	n := len(initial)
	lo, hi, err := groupSpan(groups, n)
	if err != nil {
		return nil, err
	}
	steps := log.Len()
	cols = max(1, min(cols, steps))
	rows = max(1, min(rows, hi-lo))

	rowOf := make([]int32, n)
	for u := range rowOf {
		rowOf[u] = -1
	}
	groupOf := make([]int, n)
	for g, gr := range groups {
		for u := gr.Range.Start; u < gr.Range.End; u++ {
			rowOf[u] = int32((u - lo) * rows / (hi - lo))
			groupOf[u] = g
		}
	}
	acc := make([]float64, rows*cols)
	width := float64(max(steps, 1)) / float64(cols)
	add := func(u int, t0, t1 int64) {
		r := rowOf[u]
		if r < 0 || t1 <= t0 {
			return
		}
		a, b := float64(t0), float64(t1)
		row := acc[int(r)*cols : int(r+1)*cols]
		for c := int(a / width); c < cols && float64(c)*width < b; c++ {
			row[c] += min(b, float64(c+1)*width) - max(a, float64(c)*width)
		}
	}
	onset := make([]int64, n)
	for u, s := range initial {
		onset[u] = -1
		if s == 1 {
			onset[u] = 0
		}
	}
	for t, u := range log.Updates {
		switch d := log.Deltas[t]; {
		case d > 0 && onset[u] < 0:
			onset[u] = int64(t)
		case d < 0 && onset[u] >= 0:
			add(int(u), onset[u], int64(t))
			onset[u] = -1
		}
	}
	for u, t0 := range onset {
		if t0 >= 0 {
			add(u, t0, int64(steps))
		}
	}

	// Per row: the number of units drawn and the colour of the group
	// holding most of them. Groups are contiguous, so each (row, group)
	// pair is one run of unit ids.
	unitsIn := make([]int, rows)
	rowColor := make([]color.Color, rows)
	most := make([]int, rows)
	for u := lo; u < hi; {
		r, g, v := rowOf[u], groupOf[u], u+1
		for v < hi && rowOf[v] == r && groupOf[v] == g {
			v++
		}
		if r >= 0 {
			unitsIn[r] += v - u
			if v-u > most[r] {
				most[r], rowColor[r] = v-u, groups[g].Color
			}
		}
		u = v
	}
	img := image.NewNRGBA(image.Rect(0, 0, cols, rows))
	for r := range rows {
		cr, cg, cb := rgb(rowColor[r])
		for c := range cols {
			f := 0.0
			if unitsIn[r] > 0 {
				span := min(float64(c+1)*width, float64(steps)) - float64(c)*width
				f = min(1, acc[r*cols+c]/(float64(unitsIn[r])*span))
				f = math.Round(math.Pow(f, shadeGamma)*shades) / shades
			}
			img.SetNRGBA(c, rows-1-r, color.NRGBA{
				R: blend(cr, f), G: blend(cg, f), B: blend(cb, f), A: 255,
			})
		}
	}
	return img, nil
}

// shades is the number of intensity steps of ActivityImage above white.
// Few distinct colours keep the PNG files small; the eye does not resolve
// more in a noisy raster.
const shades = 8

// shadeGamma is the exponent applied to the active fraction before
// shading: the low background activity of a balanced network stays faint
// and clusters in their active state stand out.
const shadeGamma = 1.5

// blend mixes white with a channel value v in proportion f.
func blend(v, f float64) uint8 {
	return uint8(math.Round(255*(1-f) + v*f))
}

// rgb returns the 8-bit channels of c, black for nil.
func rgb(c color.Color) (r, g, b float64) {
	if c == nil {
		return 0, 0, 0
	}
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return float64(n.R), float64(n.G), float64(n.B)
}

// groupSpan checks the groups against a network of n units and returns the
// lowest start and highest end of their ranges.
func groupSpan(groups []Group, n int) (lo, hi int, err error) {
	if len(groups) == 0 {
		return 0, 0, fmt.Errorf("plots: no groups to draw: %w", binarynet.ErrInvalidParameter)
	}
	lo, hi = n, 0
	for k, g := range groups {
		r := g.Range
		if r.Start < 0 || r.End <= r.Start || r.End > n {
			return 0, 0, fmt.Errorf("plots: group %d (%q) range %v must satisfy 0 <= Start < End <= %d: %w",
				k, g.Name, r, n, binarynet.ErrInvalidParameter)
		}
		lo, hi = min(lo, r.Start), max(hi, r.End)
	}
	return lo, hi, nil
}

// Raster returns a plot of ActivityImage with time in sweeps (steps / N)
// on the x axis and unit ids on the y axis. cols and rows set the
// resolution of the image, as for ActivityImage.
func Raster(initial []int8, log binarynet.DiffLog, groups []Group, cols, rows int) (*plot.Plot, error) {
	img, err := ActivityImage(initial, log, groups, cols, rows)
	if err != nil {
		return nil, err
	}
	lo, hi, _ := groupSpan(groups, len(initial))
	p := plot.New()
	p.Title.Text = "Unit activity (colour: cluster, shade: fraction of time active)"
	p.X.Label.Text = fmt.Sprintf("time (sweeps of N = %d updates)", len(initial))
	p.Y.Label.Text = "unit"
	sweeps := float64(log.Len()) / float64(len(initial))
	p.Add(plotter.NewImage(img, 0, float64(lo), sweeps, float64(hi)))
	p.X.Min, p.X.Max = 0, sweeps
	p.Y.Min, p.Y.Max = float64(lo), float64(hi)
	p.X.Tick.Marker = plainTicks{}
	p.Y.Tick.Marker = plainTicks{}
	return p, nil
}

// RasterImage draws the plot of Raster as a width x height pixel image
// (at 96 dots per inch), with the activity image placed pixel for pixel in
// the plot's data area instead of being rescaled, so that its blocks stay
// sharp and the image compresses well as PNG.
func RasterImage(initial []int8, log binarynet.DiffLog, groups []Group, width, height int) (image.Image, error) {
	if width < 1 || height < 1 {
		return nil, fmt.Errorf("plots: image size %d x %d: %w", width, height, binarynet.ErrInvalidParameter)
	}
	// A one-pixel placeholder sets the axes; the real image is pasted below.
	p, err := Raster(initial, log, groups, 1, 1)
	if err != nil {
		return nil, err
	}
	const dpi = 96
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(width)*vg.Inch/dpi, vg.Length(height)*vg.Inch/dpi), vgimg.UseDPI(dpi))
	dc := draw.New(c)
	p.Draw(dc)
	img := c.Image()
	height = img.Bounds().Dy()
	area := p.DataCanvas(dc).Rectangle
	px := func(l vg.Length) float64 { return l.Dots(dpi) }
	r := image.Rect(
		int(math.Ceil(px(area.Min.X))), height-int(math.Floor(px(area.Max.Y))),
		int(math.Floor(px(area.Max.X))), height-int(math.Ceil(px(area.Min.Y))),
	).Intersect(img.Bounds())
	if r.Empty() {
		return img, nil
	}
	act, err := ActivityImage(initial, log, groups, r.Dx(), r.Dy())
	if err != nil {
		return nil, err
	}
	// ActivityImage may return fewer columns or rows than asked for (a
	// short log, few units): scale it up by whole pixels.
	b := act.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		sy := (y - r.Min.Y) * b.Dy() / r.Dy()
		for x := r.Min.X; x < r.Max.X; x++ {
			img.Set(x, y, act.NRGBAAt((x-r.Min.X)*b.Dx()/r.Dx(), sy))
		}
	}
	return img, nil
}

// plainTicks are plot.DefaultTicks labelled in the shortest form, "2500"
// rather than "2500.00".
type plainTicks struct{}

// Ticks implements plot.Ticker.
func (plainTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64)
		}
	}
	return ticks
}

// labelTicks puts one label at the middle of each band [k, k+1).
type labelTicks []string

// Ticks implements plot.Ticker.
func (l labelTicks) Ticks(min, max float64) []plot.Tick {
	ticks := make([]plot.Tick, 0, len(l))
	for k, name := range l {
		if v := float64(k) + 0.5; v >= min && v <= max {
			ticks = append(ticks, plot.Tick{Value: v, Label: name})
		}
	}
	return ticks
}

// Rates returns a plot of group activity over time: one line per column of
// rates (as returned by PopulationRatesFromDiffLogs), in the colour of the
// matching group. Sample i is drawn at i*sampleInterval/n sweeps, n being
// the number of units of the network. A legend names the groups when
// there are at most legendMax of them.
func Rates(rates [][]float64, sampleInterval, n int, groups []Group, legendMax int) (*plot.Plot, error) {
	if err := checkRates(rates, sampleInterval, n, groups); err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = "Cluster activity"
	p.X.Tick.Marker = plainTicks{}
	p.X.Label.Text = fmt.Sprintf("time (sweeps of N = %d updates)", n)
	p.Y.Label.Text = "fraction of units active"
	p.Y.Min, p.Y.Max = 0, 1
	scale := float64(sampleInterval) / float64(n)
	for k, g := range groups {
		xy := make(plotter.XYs, len(rates))
		for t, row := range rates {
			xy[t] = plotter.XY{X: float64(t) * scale, Y: row[k]}
		}
		line, err := plotter.NewLine(xy)
		if err != nil {
			return nil, fmt.Errorf("plots: group %q: %w", g.Name, err)
		}
		line.Color = g.Color
		if line.Color == nil {
			line.Color = color.Black
		}
		line.Width = vg.Points(0.8)
		p.Add(line)
		if len(groups) <= legendMax {
			p.Legend.Add(g.Name, line)
		}
	}
	p.Legend.Top = true
	p.X.Min = 0
	return p, nil
}

// StackedRates returns a plot of group activity over time with one band
// per group, stacked from the bottom in the order of groups: the trace of
// group k runs from k (no unit active) to k+0.9 (all units active), in the
// group's colour, and the band is labelled with the group's name. It keeps
// many clusters readable where Rates would overlay them. Samples are
// placed as in Rates.
func StackedRates(rates [][]float64, sampleInterval, n int, groups []Group) (*plot.Plot, error) {
	if err := checkRates(rates, sampleInterval, n, groups); err != nil {
		return nil, err
	}
	p := plot.New()
	p.Title.Text = "Cluster activity (each band: fraction of the cluster's units active, 0 to 1)"
	p.X.Label.Text = fmt.Sprintf("time (sweeps of N = %d updates)", n)
	p.X.Tick.Marker = plainTicks{}
	names := make(labelTicks, len(groups))
	scale := float64(sampleInterval) / float64(n)
	for k, g := range groups {
		names[k] = g.Name
		c := g.Color
		if c == nil {
			c = color.Black
		}
		// The band's filled area: the trace, then back along its baseline.
		base := float64(k)
		xy := make(plotter.XYs, 0, 2*len(rates))
		for t, row := range rates {
			xy = append(xy, plotter.XY{X: float64(t) * scale, Y: base + 0.9*row[k]})
		}
		for t := len(rates) - 1; t >= 0; t-- {
			xy = append(xy, plotter.XY{X: float64(t) * scale, Y: base})
		}
		if len(xy) == 0 {
			continue
		}
		poly, err := plotter.NewPolygon(xy)
		if err != nil {
			return nil, fmt.Errorf("plots: group %q: %w", g.Name, err)
		}
		poly.Color = fade(c, 0.45)
		poly.LineStyle.Color = c
		poly.LineStyle.Width = vg.Points(0.5)
		p.Add(poly)
	}
	p.Y.Tick.Marker = names
	p.Y.Min, p.Y.Max = 0, float64(len(groups))
	p.X.Min = 0
	if len(rates) > 0 {
		p.X.Max = float64(len(rates)-1) * scale
	}
	return p, nil
}

// fade returns c blended with white, keeping the fraction f of c.
func fade(c color.Color, f float64) color.Color {
	r, g, b := rgb(c)
	return color.NRGBA{blend(r, f), blend(g, f), blend(b, f), 255}
}

func checkRates(rates [][]float64, sampleInterval, n int, groups []Group) error {
	if sampleInterval < 1 || n < 1 {
		return fmt.Errorf("plots: sample interval %d and unit count %d must be >= 1: %w", sampleInterval, n, binarynet.ErrInvalidParameter)
	}
	for t, row := range rates {
		if len(row) != len(groups) {
			return fmt.Errorf("plots: rates row %d has %d columns for %d groups: %w", t, len(row), len(groups), binarynet.ErrShape)
		}
	}
	return nil
}

// WritePNG draws p as a PNG image of width x height pixels (at 96 dots per
// inch) to w.
func WritePNG(w io.Writer, p *plot.Plot, width, height int) error {
	const dpi = 96
	wt, err := p.WriterTo(vg.Length(width)*vg.Inch/dpi, vg.Length(height)*vg.Inch/dpi, "png")
	if err != nil {
		return err
	}
	_, err = wt.WriteTo(w)
	return err
}
