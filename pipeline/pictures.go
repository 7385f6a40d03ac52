package pipeline

import (
	"bytes"
	"fmt"
	"image/png"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/plots"
)

// activitySuffix ends the name of the activity plot written with
// plot_activity.
const activitySuffix = "_activity.png"

// pictures adds raster.png (units by time, coloured by cluster) and
// rates.png (activity of each E cluster with the I cluster of the same
// index, one sample per sweep of N updates) when o.Pictures is set, and
// <output_name>_activity.png (the raster) when plot_activity is. Time is
// shown in sweeps and in ms.
func (out *outputs) pictures(r *record, o RunOptions, n int) error {
	b := &r.job.Binary
	if !o.Pictures && !b.PlotActivity {
		return nil
	}
	names := make([]string, len(r.pops))
	for i, p := range r.pops {
		names[i] = p.Name
	}
	rs := ranges(r.pops)
	groups, err := plots.ClusterGroups(names, rs)
	if err != nil {
		return err
	}
	m := r.job.Model
	opts := func(what string) plots.Options {
		return plots.Options{
			Title: fmt.Sprintf("%s: clustered E/I network, Q = %d, R_Eplus = %g, kappa = %g, %s", what, m.Q, m.REPlus, m.Kappa, m.Connection),
			Time:  plots.Time{N: n, StepsPerUnit: 1 / m.StepMS()},
		}
	}
	img, err := plots.RasterImage(r.initial, r.log, groups, o.Width, o.Height, opts("Unit activity"))
	if err != nil {
		return fmt.Errorf("raster.png: %w", err)
	}
	var raster bytes.Buffer
	if err := png.Encode(&raster, img); err != nil {
		return err
	}
	if b.PlotActivity {
		out.file(b.OutputName+activitySuffix, raster.Bytes())
	}
	if !o.Pictures {
		return nil
	}
	out.file("raster.png", raster.Bytes())
	rates, err := binarynet.PopulationRatesFromDiffLogs(r.initial, r.log, n, rs, r.ramGB)
	if err != nil {
		return err
	}
	p, err := plots.StackedRates(rates, n, groups, opts("E cluster activity (filled), I cluster of the same index (line)"))
	if err != nil {
		return fmt.Errorf("rates.png: %w", err)
	}
	var buf bytes.Buffer
	if err := plots.WritePNG(&buf, p, o.Width, o.Height); err != nil {
		return err
	}
	out.file("rates.png", buf.Bytes())
	return nil
}
