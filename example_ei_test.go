// This example runs the whole workflow on a small balanced network of
// excitatory (E) and inhibitory (I) threshold units driven by a stochastic
// background population (X): build, initialize, warm up, run with diff
// logging, then compute per-population activities and spike (onset) counts
// from the log.
package binarynet_test

import (
	"fmt"
	"log"

	"github.com/binarynet/binarynet"
)

// meanOverSamples averages each column of rates (one row per sample, one
// column per population).
func meanOverSamples(rates [][]float64) []float64 {
	mean := make([]float64, len(rates[0]))
	for _, row := range rates {
		for k, r := range row {
			mean[k] += r / float64(len(rates))
		}
	}
	return mean
}

func Example_excitatoryInhibitory() {
	// Populations: N units, time constant tau (E is updated half as often
	// per unit as I), threshold. Initial states default to active with
	// probability 0.2.
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 800, Tau: 10, Threshold: 1}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 200, Tau: 5, Threshold: 1}
	x := &binarynet.BackgroundActivity{Name: "X", N: 100, Tau: 10, Activity: 0.2, Stochastic: true}
	pops := []binarynet.Population{e, i, x}

	nw := binarynet.NewNetwork("E/I")
	for _, p := range pops {
		if err := nw.AddPopulation(p); err != nil {
			log.Fatal(err)
		}
	}
	// Connectivity: pre, post, connection probability (or in-degree as a
	// fraction of the pre population), weight.
	for _, s := range []binarynet.Synapse{
		binarynet.NewPairwiseBernoulliSynapse(e, e, 0.1, 0.2),
		binarynet.NewPairwiseBernoulliSynapse(i, e, 0.1, -2),
		binarynet.NewPairwiseBernoulliSynapse(e, i, 0.1, 0.3),
		binarynet.NewPairwiseBernoulliSynapse(i, i, 0.1, -1.8),
		binarynet.NewFixedIndegreeSynapse(x, e, 0.2, 0.5), // 20 inputs each
		binarynet.NewFixedIndegreeSynapse(x, i, 0.2, 0.5),
	} {
		if err := nw.AddSynapse(s); err != nil {
			log.Fatal(err)
		}
	}
	if err := nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: 1}); err != nil {
		log.Fatal(err)
	}

	// Warm up for 10 sweeps (one sweep is N updates), then record 20.
	n := nw.N()
	if err := nw.Run(10*n, 1000); err != nil {
		log.Fatal(err)
	}
	initial, _ := nw.State(nil)
	if err := nw.EnableDiffLogging(20 * n); err != nil {
		log.Fatal(err)
	}
	if err := nw.Run(20*n, 1000); err != nil {
		log.Fatal(err)
	}
	diff := nw.ConsumeDiffLog()

	// Activities sampled once per sweep, averaged over the 20 samples.
	rates, err := nw.PopulationRatesFromDiffLogs(initial, diff, n, pops...)
	if err != nil {
		log.Fatal(err)
	}
	mean := meanOverSamples(rates)

	// Onsets (0 -> 1 transitions) per population.
	_, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(diff, 0)
	if err != nil {
		log.Fatal(err)
	}
	for k, name := range []string{"E", "I", "X"} {
		r, _ := nw.PopulationRange(pops[k])
		onsets := 0
		for _, u := range units {
			if int(u) >= r.Start && int(u) < r.End {
				onsets++
			}
		}
		fmt.Printf("%s: %4d units, activity %.2f, %4d onsets in 20 sweeps\n", name, r.End-r.Start, mean[k], onsets)
	}
	fmt.Println("steps:", nw.Steps())
	// Output:
	// E:  800 units, activity 0.10,  789 onsets in 20 sweeps
	// I:  200 units, activity 0.18,  518 onsets in 20 sweeps
	// X:  100 units, activity 0.19,  287 onsets in 20 sweeps
	// steps: 33000
}
