package binarynet_test

import (
	"fmt"
	"math"

	"github.com/binarynet/binarynet"
)

// An unconnected erfc unit (NEST's erfc_neuron) with threshold 1 and noise
// sigma 2 is active after an update with probability
// 0.5 erfc(1 / (2 sqrt 2)) = 0.3085; the time it spends active over many
// updates approaches that value.
func ExampleErfcGain() {
	nw := binarynet.NewNetwork("erfc")
	unit := &binarynet.BinaryNeuronPopulation{Name: "u", N: 1, Tau: 10, Threshold: 1, Gain: binarynet.ErfcGain{Sigma: 2}}
	if err := nw.AddPopulation(unit); err != nil {
		fmt.Println(err)
		return
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		fmt.Println(err)
		return
	}
	const steps = 200000
	active := 0
	for range steps {
		if err := nw.Update(); err != nil {
			fmt.Println(err)
			return
		}
		s, _ := nw.State(nil)
		active += int(s[0])
	}
	fmt.Printf("exact %.4f, simulated %.2f\n", 0.5*math.Erfc(1/(2*math.Sqrt2)), float64(active)/steps)
	// Output:
	// exact 0.3085, simulated 0.31
}
