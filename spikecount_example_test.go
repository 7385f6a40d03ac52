package binarynet_test

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// Spike-count statistics of one unit that switches on at steps 0, 3, 7
// and 10, in windows of 4 steps.
func ExampleSpikeCountStatistics() {
	log := binarynet.DiffLog{
		Updates: []int32{0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1},
		Deltas:  []int8{1, -1, 0, 1, -1, 0, 0, 1, -1, 0, 1, 0},
	}
	s, err := binarynet.SpikeCountStatistics([]int8{0, 0}, log, 4, []binarynet.Range{{Start: 0, End: 2}})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("onsets %d, rate %.3f per step\n", s.Onsets[0], s.Rate[0])
	fmt.Printf("Fano %.3f (counts 2 1 1), CV %.3f, CV2 %.3f (intervals 3 4 3)\n", s.Fano[0], s.CV[0], s.CV2[0])
	fmt.Printf("population: rate %.3f per unit and step, %d unit with a CV\n", s.Pops[0].Rate, s.Pops[0].UnitsCV)
	// Output:
	// onsets 4, rate 0.333 per step
	// Fano 0.167 (counts 2 1 1), CV 0.141, CV2 0.286 (intervals 3 4 3)
	// population: rate 0.167 per unit and step, 1 unit with a CV
}
