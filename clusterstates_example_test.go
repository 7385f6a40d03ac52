package binarynet_test

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// Active clusters of three clusters over eight samples, with thresholds
// 0.5 (on) and 0.3 (off): cluster 0 stays on at 0.4, cluster 2 does not
// switch on at 0.45.
func ExampleClusterStatesFromRates() {
	rates := [][]float64{
		{0.8, 0.1, 0.1},
		{0.4, 0.1, 0.45},
		{0.7, 0.6, 0.1},
		{0.7, 0.6, 0.1},
		{0.2, 0.7, 0.1},
		{0.1, 0.7, 0.1},
		{0.1, 0.8, 0.6},
		{0.1, 0.2, 0.6},
	}
	s, err := binarynet.ClusterStatesFromRates(rates, 0.5, 0.3)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range s.Runs {
		fmt.Printf("samples %d-%d: %v\n", r.Start, r.Start+r.Samples-1, r.Active)
	}
	fmt.Println("switches:", s.Switches, "dwell by number active:", s.Dwell)
	// Output:
	// samples 0-1: [0]
	// samples 2-3: [0 1]
	// samples 4-5: [1]
	// samples 6-6: [1 2]
	// samples 7-7: [2]
	// switches: 4 dwell by number active: [[] [2] [2 1] []]
}
