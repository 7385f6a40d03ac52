package plots_test

import (
	"bytes"
	"fmt"
	"image/png"
	"log"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/plots"
)

// Draw the raster and the cluster activity of a short run of a small
// clustered network as PNG images.
func Example() {
	p := binarynet.DefaultClusteredParams()
	p.Q, p.NE, p.NI, p.REPlus = 4, 200, 48, new(3.0)
	nw, _, err := binarynet.NewClusteredNetwork("demo", p, binarynet.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	initial, _ := nw.State(nil)
	steps := 200 * nw.N()
	if err := nw.EnableDiffLogging(steps); err != nil {
		log.Fatal(err)
	}
	if err := nw.Run(steps, 10_000); err != nil {
		log.Fatal(err)
	}
	dl := nw.ConsumeDiffLog()

	// The clusters, E0..E3 and I0..I3, from the populations' names and
	// ranges (other populations, such as background units, are left out).
	var names []string
	for _, spec := range nw.PopulationSpecs() {
		names = append(names, spec.Name)
	}
	ranges := nw.PopulationRanges()
	groups, err := plots.ClusterGroups(names, ranges)
	if err != nil {
		log.Fatal(err)
	}
	// Time in sweeps and in units of tau: each unit is updated once per
	// tau on average.
	tm, err := plots.NetworkTime(nw)
	if err != nil {
		log.Fatal(err)
	}
	tm.Unit = "τ"
	opts := plots.Options{
		Title: "Clustered E/I network, Q = 4: unit activity",
		Time:  tm,
	}
	img, err := plots.RasterImage(initial, dl, groups, 640, 360, opts)
	if err != nil {
		log.Fatal(err)
	}
	var raster bytes.Buffer
	if err := png.Encode(&raster, img); err != nil { // or plots.SavePNG("raster.png", img)
		log.Fatal(err)
	}

	rates, err := binarynet.PopulationRatesFromDiffLogs(initial, dl, nw.N(), groupRanges(groups), 0)
	if err != nil {
		log.Fatal(err)
	}
	opts.Title = "Clustered E/I network, Q = 4: E (filled) and I (line) cluster activity"
	plot, err := plots.StackedRates(rates, nw.N(), groups, opts)
	if err != nil {
		log.Fatal(err)
	}
	var activity bytes.Buffer
	if err := plots.WritePNG(&activity, plot, 640, 360); err != nil {
		log.Fatal(err)
	}
	for _, b := range []*bytes.Buffer{&raster, &activity} {
		cfg, err := png.DecodeConfig(b)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(cfg.Width, "x", cfg.Height)
	}
	// Output:
	// 640 x 360
	// 640 x 360
}

// groupRanges returns the unit ranges of the groups.
func groupRanges(groups []plots.Group) []binarynet.Range {
	r := make([]binarynet.Range, len(groups))
	for k, g := range groups {
		r[k] = g.Range
	}
	return r
}
