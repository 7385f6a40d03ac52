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
	p := binarynet.ReferenceClusteredParams()
	p.Q, p.NE, p.NI, p.PEPlus = 4, 50, 12, 3
	nw, layout, err := binarynet.NewClusteredNetwork("demo", p)
	if err != nil {
		log.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
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

	groups := plots.ClusterGroups(layout) // E clusters, then I clusters
	img, err := plots.RasterImage(initial, dl, groups, 640, 360)
	if err != nil {
		log.Fatal(err)
	}
	var raster bytes.Buffer
	if err := png.Encode(&raster, img); err != nil { // or to a file
		log.Fatal(err)
	}

	rates, err := binarynet.PopulationRatesFromDiffLogs(initial, dl, nw.N(), layout.ERanges)
	if err != nil {
		log.Fatal(err)
	}
	plot, err := plots.StackedRates(rates, nw.N(), nw.N(), groups[:p.Q])
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
