package plots

import (
	"fmt"
	"image/color"

	"github.com/binarynet/binarynet"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Rates returns a plot of group activity over time: one line per column of
// rates (as returned by PopulationRatesFromDiffLogs, column k for
// groups[k]), in the colour of the group, dashed for inhibitory groups.
// Sample i is drawn at step i*sampleInterval on the time axis of opts. A
// legend names the groups when there are at most legendMax of them.
func Rates(rates [][]float64, sampleInterval int, groups []Group, legendMax int, opts Options) (*plot.Plot, error) {
	if err := checkRates(rates, sampleInterval, groups, opts); err != nil {
		return nil, err
	}
	t := opts.Time
	p := plot.New()
	p.Title.Text = opts.Title
	if p.Title.Text == "" {
		p.Title.Text = "Population activity"
	}
	p.X.Tick.Marker = t
	p.X.Label.Text = t.label()
	p.Y.Label.Text = "fraction of units active"
	p.Y.Min, p.Y.Max = 0, 1
	p.Y.Tick.Marker = plainTicks{}
	for k, g := range groups {
		line, err := plotter.NewLine(trace(rates, k, sampleInterval, t, 0, 1))
		if err != nil {
			return nil, fmt.Errorf("plots: group %q: %w", g.Name, err)
		}
		line.Color = orBlack(g.Color)
		line.Width = vg.Points(0.8)
		if g.Inhibitory {
			line.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
		}
		p.Add(line)
		if len(groups) <= legendMax {
			p.Legend.Add(g.Name, line)
		}
	}
	p.Legend.Top = true
	p.X.Min = 0
	return p, nil
}

// trace returns the points of column k of rates, scaled by height and
// shifted by base.
func trace(rates [][]float64, k, sampleInterval int, t Time, base, height float64) plotter.XYs {
	xy := make(plotter.XYs, len(rates))
	for i, row := range rates {
		xy[i] = plotter.XY{X: t.x(float64(i) * float64(sampleInterval)), Y: base + height*row[k]}
	}
	return xy
}

// bandHeight is the height of a trace in StackedRates: a band spans 1, of
// which the trace of a fully active group takes 0.9.
const bandHeight = 0.9

// StackedRates returns a plot of group activity over time with one band
// per excitatory group, stacked from the bottom in the order of groups:
// the trace of the group runs from the band's base line (no unit active)
// to 0.9 above it (all units active), filled in the group's colour. When
// there are as many inhibitory groups as excitatory ones (the clusters of
// a clustered network), the k-th inhibitory group is drawn as a line in
// the band of the k-th excitatory group, so that each cluster's E and I
// activity are seen together; otherwise each inhibitory group gets a band
// of its own, above the excitatory ones, drawn as a line. Bands are
// labelled with the group names. Columns of rates and samples are as for
// Rates.
func StackedRates(rates [][]float64, sampleInterval int, groups []Group, opts Options) (*plot.Plot, error) {
	if err := checkRates(rates, sampleInterval, groups, opts); err != nil {
		return nil, err
	}
	t := opts.Time
	var exc, inh []int
	for k, g := range groups {
		if g.Inhibitory {
			inh = append(inh, k)
		} else {
			exc = append(exc, k)
		}
	}
	paired := len(exc) > 0 && len(inh) == len(exc)
	p := plot.New()
	p.Title.Text = opts.Title
	if p.Title.Text == "" {
		p.Title.Text = "Population activity"
	}
	p.X.Label.Text = t.label()
	p.X.Tick.Marker = t
	var labels plot.ConstantTicks
	band := 0
	addBand := func(label string) float64 {
		b := float64(band)
		labels = append(labels,
			plot.Tick{Value: b},
			plot.Tick{Value: b + bandHeight/2, Label: label})
		band++
		return b
	}
	for i, k := range exc {
		g := groups[k]
		label := g.Name
		if paired {
			label += " " + groups[inh[i]].Name
		}
		base := addBand(label)
		xy := trace(rates, k, sampleInterval, t, base, bandHeight)
		if len(xy) == 0 {
			continue
		}
		// The band's filled area: the trace, then back along its base line.
		poly := append(xy, plotter.XY{X: xy[len(xy)-1].X, Y: base}, plotter.XY{X: xy[0].X, Y: base})
		fill, err := plotter.NewPolygon(poly)
		if err != nil {
			return nil, fmt.Errorf("plots: group %q: %w", g.Name, err)
		}
		fill.Color = fade(orBlack(g.Color), 0.45)
		fill.LineStyle.Color = orBlack(g.Color)
		fill.LineStyle.Width = vg.Points(0.5)
		p.Add(fill)
		if paired {
			if err := addTrace(p, rates, inh[i], sampleInterval, t, base, groups[inh[i]]); err != nil {
				return nil, err
			}
		}
	}
	if !paired {
		for _, k := range inh {
			if err := addTrace(p, rates, k, sampleInterval, t, addBand(groups[k].Name), groups[k]); err != nil {
				return nil, err
			}
		}
	}
	p.Y.Tick.Marker = labels
	p.Y.Min, p.Y.Max = 0, float64(band)
	p.Y.Label.Text = "fraction of units active, 0 to 1 in each band"
	if len(inh) > 0 {
		p.Y.Label.Text = "fraction active, 0 to 1 in each band: E filled, I line"
	}
	p.X.Min = 0
	if len(rates) > 1 {
		p.X.Max = t.x(float64(len(rates)-1) * float64(sampleInterval))
	}
	return p, nil
}

// addTrace adds column k of rates as a line in the band at base.
func addTrace(p *plot.Plot, rates [][]float64, k, sampleInterval int, t Time, base float64, g Group) error {
	xy := trace(rates, k, sampleInterval, t, base, bandHeight)
	if len(xy) == 0 {
		return nil
	}
	line, err := plotter.NewLine(xy)
	if err != nil {
		return fmt.Errorf("plots: group %q: %w", g.Name, err)
	}
	line.Color = orBlack(g.Color)
	if g.Inhibitory {
		line.Color = color.NRGBA{20, 20, 20, 255}
	}
	line.Width = vg.Points(0.6)
	p.Add(line)
	return nil
}

func checkRates(rates [][]float64, sampleInterval int, groups []Group, opts Options) error {
	if sampleInterval < 1 {
		return fmt.Errorf("plots: sample interval %d must be >= 1: %w", sampleInterval, binarynet.ErrInvalidParameter)
	}
	if err := opts.Time.check(); err != nil {
		return err
	}
	if len(groups) == 0 {
		return fmt.Errorf("plots: no groups to draw: %w", binarynet.ErrInvalidParameter)
	}
	for t, row := range rates {
		if len(row) != len(groups) {
			return fmt.Errorf("plots: rates row %d has %d columns for %d groups: %w", t, len(row), len(groups), binarynet.ErrShape)
		}
	}
	return nil
}
