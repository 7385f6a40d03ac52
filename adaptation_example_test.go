package binarynet_test

import (
	"fmt"

	"github.com/binarynet/binarynet"
	"gonum.org/v1/gonum/mat"
)

// A unit whose threshold (-0.5) lies below its field (0) would stay
// active; with adaptation, each active update raises its threshold by 1,
// which decays back with a time constant of 2 steps, so the unit turns off
// and on again: off for one or two updates after each active one.
func ExampleAdaptation() {
	unit := &binarynet.BinaryNeuronPopulation{Name: "u", N: 1, Tau: 1, Threshold: -0.5,
		Adaptation: binarynet.Adaptation{Step: 1, Tau: 2}}
	nw, err := binarynet.NewNetworkFromWeights("adapting", mat.NewDense(1, 1, nil), []binarynet.Population{unit}, nil, []int8{0}, binarynet.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for range 12 {
		if err := nw.ApplyUpdates([]int32{0}); err != nil {
			fmt.Println(err)
			return
		}
		s, _ := nw.State(nil)
		fmt.Print(s[0])
	}
	fmt.Println()
	// Output:
	// 101001010010
}
