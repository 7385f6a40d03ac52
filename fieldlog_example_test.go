package binarynet_test

import (
	"fmt"
	"log"

	"github.com/binarynet/binarynet"
)

// A field log of two units driven by an excitatory, an inhibitory and a
// background population, split by presynaptic population: the parts add
// up to the field.
func ExampleNetwork_EnableFieldLogging() {
	nw := binarynet.NewNetwork("fields")
	x := &binarynet.BackgroundActivity{Name: "X", N: 4, Tau: 1, Activity: 1}
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 4, Tau: 1, Threshold: 0.5, Initializer: binarynet.ValuesInit{1, 1, 0, 0}}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 2, Tau: 1, Threshold: 0.5, Initializer: binarynet.ValuesInit{1, 0}}
	for _, p := range []binarynet.Population{x, e, i} {
		if err := nw.AddPopulation(p); err != nil {
			log.Fatal(err)
		}
	}
	for _, s := range []binarynet.Synapse{
		binarynet.NewAllToAllSynapse(x, e, 0.25),
		binarynet.NewAllToAllSynapse(e, e, 0.5),
		binarynet.NewAllToAllSynapse(i, e, -1),
	} {
		if err := nw.AddSynapse(s); err != nil {
			log.Fatal(err)
		}
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1, WeightMode: binarynet.WeightDense}); err != nil {
		log.Fatal(err)
	}
	// Units 4 and 7 (the first and last of E), every 2 steps, for 4 steps:
	// samples after steps 1 and 3. Unit 6 switches on at step 1, unit 7 at
	// step 2; unit 9 (no input) stays off.
	spec := binarynet.FieldLogSpec{Units: []int32{4, 7}, Every: 2, Split: true}
	if err := nw.EnableFieldLogging(spec, 4); err != nil {
		log.Fatal(err)
	}
	if err := nw.ApplyUpdates([]int32{6, 7, 9, 5}); err != nil {
		log.Fatal(err)
	}
	fl := nw.ConsumeFieldLog()
	fmt.Println("parts:", fl.Parts)
	for s := range fl.Len() {
		fmt.Printf("after step %d: h %v", fl.Steps[s], fl.Field(s))
		for p, name := range fl.Parts {
			fmt.Printf(" %s %v", name, fl.Part(s, p))
		}
		fmt.Println()
	}
	// Output:
	// parts: [E I drive]
	// after step 1: h [1 1.5] E [1 1.5] I [-1 -1] drive [1 1]
	// after step 3: h [1.5 1.5] E [1.5 1.5] I [-1 -1] drive [1 1]
}
