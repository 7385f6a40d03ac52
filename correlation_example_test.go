package binarynet_test

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// Correlations of the states of three units in two groups. Unit 0 is on
// during 6 of the 9 steps, unit 1 and unit 2 during 5; units 0 and 1 are
// on together during 4, so r01 = (4/9 - 30/81) / sqrt(18/81 * 20/81).
func ExampleStateCorrelations() {
	log := binarynet.DiffLog{
		Updates: []int32{0, 1, 2, 0, 1, 2, 0, 1, 2},
		Deltas:  []int8{1, 1, -1, -1, -1, 1, 1, 1, -1},
	}
	initial := []int8{0, 0, 1}
	c, err := binarynet.StateCorrelations(initial, log, []int32{0, 1, 2}, []int{0, 0, 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := range 3 {
		fmt.Printf("%5.2f\n", c.R[3*i:3*i+3])
	}
	fmt.Printf("within group 0: %.2f, between groups: %.2f\n", c.BlockMean[0], c.BlockMean[1])
	// Output:
	// [ 1.00  0.32  0.32]
	// [ 0.32  1.00 -0.35]
	// [ 0.32 -0.35  1.00]
	// within group 0: 0.32, between groups: -0.02
}
