package binarynet_test

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// Covariance functions of two units: unit 1 follows unit 0 one step
// later, so c01 peaks at lag +1: c01(1) = 4/7 - 1/4 = 0.321.
func ExampleCovarianceFunctions() {
	// States after each step: unit 0 is 1 1 0 0 1 1 0 0, unit 1 the same
	// one step later.
	log := binarynet.DiffLog{
		Updates: []int32{0, 1, 0, 1, 0, 1, 0, 1},
		Deltas:  []int8{1, 1, -1, -1, 1, 1, -1, -1},
	}
	initial := []int8{0, 0}
	c, err := binarynet.CovarianceFunctions(initial, log, []binarynet.Range{{Start: 0, End: 1}, {Start: 1, End: 2}}, 2, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("lags:", c.Lags())
	fmt.Printf("c00: %.3f\n", c.Func(0, 0))
	fmt.Printf("c01: %.3f\n", c.Func(0, 1))
	// Output:
	// lags: [-2 -1 0 1 2]
	// c00: [-0.250 0.036 0.250 0.036 -0.250]
	// c01: [-0.083 -0.250 0.000 0.321 0.083]
}
