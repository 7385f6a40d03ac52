package binarynet_test

import (
	"fmt"

	"github.com/binarynet/binarynet"
	"gonum.org/v1/gonum/mat"
)

// Two unconnected units with threshold 0.5 and no input stay silent; a
// stimulus of 1 on the first from step 4 to step 8 switches it on while it
// lasts, and a second one, of -0.75 from step 6 to 10, overlaps it: from
// step 6 the inputs add up to 0.25, below the threshold, and the unit
// turns off again.
func ExampleNetwork_AddStimulus() {
	units := &binarynet.BinaryNeuronPopulation{Name: "E0", N: 2, Tau: 1, Threshold: 0.5}
	nw, err := binarynet.NewNetworkFromWeights("stimulated", mat.NewDense(2, 2, nil), []binarynet.Population{units}, nil, []int8{0, 0}, binarynet.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	err = nw.AddStimulus(
		binarynet.Stimulus{Units: binarynet.Range{Start: 0, End: 1}, On: 4, Off: 8, Delta: 1},
		binarynet.Stimulus{Units: binarynet.Range{Start: 0, End: 1}, On: 6, Off: 10, Delta: -0.75},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	for step := range 12 {
		input := nw.StimulusInput(nil)
		if err := nw.ApplyUpdates([]int32{0}); err != nil {
			fmt.Println(err)
			return
		}
		s, _ := nw.State(nil)
		fmt.Printf("step %2d: input %5.2f, state %d\n", step, input[0], s[0])
	}
	// Output:
	// step  0: input  0.00, state 0
	// step  1: input  0.00, state 0
	// step  2: input  0.00, state 0
	// step  3: input  0.00, state 0
	// step  4: input  1.00, state 1
	// step  5: input  1.00, state 1
	// step  6: input  0.25, state 0
	// step  7: input  0.25, state 0
	// step  8: input -0.75, state 0
	// step  9: input -0.75, state 0
	// step 10: input  0.00, state 0
	// step 11: input  0.00, state 0
}

// Stimuli from times and populations: PopulationStimulus converts ms into
// steps with the network's time axis (here 100 E units of tau 10 ms and 50
// I units of tau 5 ms, 20 updates per ms).
func ExampleNetwork_PopulationStimulus() {
	nw := binarynet.NewNetwork("timed")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 100, Tau: 10}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 50, Tau: 5}
	for _, p := range []binarynet.Population{e, i} {
		if err := nw.AddPopulation(p); err != nil {
			fmt.Println(err)
			return
		}
	}
	s, err := nw.PopulationStimulus(i, 100, 150, 0.2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%+v\n", s)
	if err := nw.AddStimulus(s); err != nil {
		fmt.Println(err)
		return
	}
	_, err = nw.PopulationStimulus(e, 100, 100.01, 0.2)
	fmt.Println(err)
	// Output:
	// {Units:{Start:100 End:150} On:2000 Off:3000 Delta:0.2}
	// binarynet: invalid stimulus stop = 100.01: must be after start (100) by enough to round to a later step (both are step 2000)
}
