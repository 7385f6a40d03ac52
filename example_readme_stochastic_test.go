// The examples in this file are the Go snippets of the README section
// "Stochastic units, adaptation, stimulation, continuous time" (gain
// functions, adaptive thresholds, recorded fields), verbatim
// (TestREADMESnippets checks it): edit both together.
package binarynet_test

import (
	"fmt"
	"log"
	"math"

	"github.com/binarynet/binarynet"
)

// Stochastic, adapting E units in an E/I network driven by background
// units, with a field log of the E units split by presynaptic cell type:
// the parts add up to the fields.
func Example_readmeStochastic() {
	nw := binarynet.NewNetwork("stochastic")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 400, Tau: 10, Threshold: 1,
		Gain:       binarynet.ErfcGain{Sigma: 0.5},             // active with probability 0.5 erfc(-(h-theta)/(sqrt 2 sigma))
		Adaptation: binarynet.Adaptation{Step: 0.2, Tau: 2000}} // threshold +0.2 per active update, decays in 2000 steps
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 100, Tau: 5, Threshold: 1}
	x := &binarynet.BackgroundActivity{Name: "X", N: 100, Tau: 10, Activity: 0.2, Stochastic: true}
	for _, p := range []binarynet.Population{e, i, x} {
		if err := nw.AddPopulation(p); err != nil {
			log.Fatal(err)
		}
	}
	for _, s := range []binarynet.Synapse{
		binarynet.NewPairwiseBernoulliSynapse(e, e, 0.1, 0.2),
		binarynet.NewPairwiseBernoulliSynapse(i, e, 0.1, -2),
		binarynet.NewPairwiseBernoulliSynapse(e, i, 0.1, 0.3),
		binarynet.NewPairwiseBernoulliSynapse(i, i, 0.1, -1.8),
		binarynet.NewFixedIndegreeSynapse(x, e, 0.2, 0.5),
		binarynet.NewFixedIndegreeSynapse(x, i, 0.2, 0.5),
	} {
		if err := nw.AddSynapse(s); err != nil {
			log.Fatal(err)
		}
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		log.Fatal(err)
	}
	const steps = 20000
	r, _ := nw.PopulationRange(e)
	spec := binarynet.FieldLogSpec{Units: binarynet.UnitsOf(r), Every: 100, Groups: []string{"E", "I", ""}}
	if err := nw.EnableFieldLogging(spec, steps); err != nil {
		log.Fatal(err)
	}
	if err := nw.Run(steps, 200); err != nil {
		log.Fatal(err)
	}
	fl := nw.ConsumeFieldLog() // fl.Field(s), fl.Part(s, p), fl.Thresholds
	worst, raised := 0.0, 0
	for s := range fl.Len() {
		for k, h := range fl.Field(s) {
			sum := fl.Part(s, 0)[k] + fl.Part(s, 1)[k] + fl.Part(s, 2)[k]
			worst = max(worst, math.Abs(sum-h))
			if fl.Thresholds[s*len(fl.Units)+k] > 1 {
				raised++
			}
		}
	}
	fmt.Println("parts:", fl.Parts, "samples:", fl.Len())
	fmt.Println("parts add up to the field within 1e-5:", worst < 1e-5)
	fmt.Println("some thresholds raised by adaptation:", raised > 0)
	// Output:
	// parts: [E I drive] samples: 200
	// parts add up to the field within 1e-5: true
	// some thresholds raised by adaptation: true
}
