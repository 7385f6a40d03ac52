// The examples in this file are the Go snippets of README.md, verbatim
// (TestREADMESnippets checks it): edit both together.
package binarynet_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/binarynet/binarynet"
)

// The API tour of README.md: an E/I network driven by background units,
// run with a diff log, and the activity of each population computed from
// the log.
func Example_readmeTour() {
	nw := binarynet.NewNetwork("demo")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 800, Tau: 10, Threshold: 1}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 200, Tau: 5, Threshold: 1}
	x := &binarynet.BackgroundActivity{Name: "X", N: 100, Tau: 10, Activity: 0.2, Stochastic: true}
	for _, p := range []binarynet.Population{e, i, x} {
		if err := nw.AddPopulation(p); err != nil { // the network keeps a copy of p
			log.Fatal(err)
		}
	}
	for _, s := range []binarynet.Synapse{ // pre, post, p, j; rules on one block add up
		binarynet.NewPairwiseBernoulliSynapse(e, e, 0.1, 0.2),
		binarynet.NewPairwiseBernoulliSynapse(i, e, 0.1, -2),
		binarynet.NewPairwiseBernoulliSynapse(e, i, 0.1, 0.3),
		binarynet.NewPairwiseBernoulliSynapse(i, i, 0.1, -1.8),
		binarynet.NewFixedIndegreeSynapse(x, e, 0.2, 0.5), // 20 inputs per unit
		binarynet.NewFixedIndegreeSynapse(x, i, 0.2, 0.5),
	} {
		if err := nw.AddSynapse(s); err != nil {
			log.Fatal(err)
		}
	}
	if err := nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: 1}); err != nil {
		log.Fatal(err)
	}
	steps := 20 * nw.N() // 20 sweeps
	initial, err := nw.State(nil)
	if err != nil {
		log.Fatal(err)
	}
	if err := nw.EnableDiffLogging(steps); err != nil {
		log.Fatal(err)
	}
	if err := nw.Run(steps, 10_000); err != nil { // steps, batch size (a speed knob only)
		log.Fatal(err)
	}
	diff := nw.ConsumeDiffLog() // Updates []int32, Deltas []int8

	rates, err := nw.PopulationRatesFromDiffLogs(initial, diff, nw.N()) // one row per sweep
	if err != nil {
		log.Fatal(err)
	}
	last := rates[len(rates)-1]
	fmt.Printf("%d steps logged; activity after the last sweep: E %.3f, I %.3f, X %.3f\n",
		diff.Len(), last[0], last[1], last[2])
	// Output: 22000 steps logged; activity after the last sweep: E 0.117, I 0.210, X 0.210
}

// The checkpoint snippet of README.md: save a network, load it back.
func Example_readmeCheckpoint() {
	dir, err := os.MkdirTemp("", "binarynet-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	nw := binarynet.NewNetwork("saved")
	if err := nw.AddPopulation(&binarynet.BinaryNeuronPopulation{Name: "P", N: 10, Tau: 1}); err != nil {
		log.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "run.ckpt")

	if err := nw.SaveCheckpoint(path); err != nil { // temporary file, fsync, rename
		log.Fatal(err)
	}
	nw, err = binarynet.LoadCheckpoint(path, nil) // or ReadCheckpoint(r, opts)
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(nw.Name, nw.N(), nw.Steps())
	// Output: saved 10 0
}

// The clustered-network snippet of README.md: the toolkit's model with
// R_Eplus set, half probability and half weight clustering, Poisson
// connections.
func Example_readmeClustered() {
	p := binarynet.DefaultClusteredParams()
	p.REPlus, p.Kappa, p.ConnectionType = new(7.25), 0.5, binarynet.ConnectPoisson
	nw, layout, err := binarynet.NewClusteredNetwork("clusters", p, binarynet.Options{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}

	fmt.Println(nw.N(), "units,", len(layout.ERanges), "E clusters, initialized:", nw.Initialized())
	// Output: 10000 units, 20 E clusters, initialized: true
}
