package binarynet_test

import (
	"fmt"
	"log"

	"github.com/binarynet/binarynet"
)

// Start a built network from a state of one's own: the field is
// recomputed. Each of the three units excites the two others with weight
// 0.75.
func ExampleNetwork_SetState() {
	nw := binarynet.NewNetwork("set")
	a := &binarynet.BinaryNeuronPopulation{Name: "A", N: 3, Tau: 1, Threshold: 0.5}
	if err := nw.AddPopulation(a); err != nil {
		log.Fatal(err)
	}
	if err := nw.AddSynapse(binarynet.NewAllToAllSynapse(a, a, 0.75)); err != nil {
		log.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		log.Fatal(err)
	}
	if err := nw.SetState([]int8{1, 1, 0}); err != nil {
		log.Fatal(err)
	}
	h, _ := nw.Field(nil)
	fmt.Println("field:", h)
	// Output:
	// field: [0.75 0.75 1.5]
}

// The time axis of the toolkit's default populations: 8000 E units of
// tau 10 ms and 2000 I units of tau 5 ms make 1,200 updates per ms.
func ExampleNetwork_StepsPerTimeUnit() {
	nw := binarynet.NewNetwork("axis")
	for _, p := range []*binarynet.BinaryNeuronPopulation{
		{Name: "E", N: 8000, Tau: 10},
		{Name: "I", N: 2000, Tau: 5},
	} {
		if err := nw.AddPopulation(p); err != nil {
			log.Fatal(err)
		}
	}
	rate, _ := nw.StepsPerTimeUnit()
	ms, _ := nw.StepsToTime(3_000_000)
	bin, _ := nw.TimeToSteps(10)
	fmt.Println("steps per ms:", rate)
	fmt.Println("3,000,000 steps in ms:", ms)
	fmt.Println("steps in a 10 ms bin:", bin)
	// Output:
	// steps per ms: 1200
	// 3,000,000 steps in ms: 2500
	// steps in a 10 ms bin: 12000
}
