package binarynet_test

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// The variance of three unit states split into temporal and quenched
// parts: unit 0 is always on, unit 1 always off and unit 2 on half the
// time.
func ExampleActivityVarianceSplit() {
	log := binarynet.DiffLog{Updates: []int32{2, 0, 2, 1}, Deltas: []int8{1, 0, -1, 0}}
	units := []binarynet.Range{{Start: 0, End: 1}, {Start: 1, End: 2}, {Start: 2, End: 3}}
	split, err := binarynet.ActivityVarianceSplit([]int8{1, 0, 0}, log, [][]binarynet.Range{units})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := split[0]
	fmt.Printf("mean %.4f: total %.4f = temporal %.4f + quenched %.4f\n", s.Mean, s.Total, s.Temporal, s.Quenched)
	// Output:
	// mean 0.5000: total 0.2500 = temporal 0.0833 + quenched 0.1667
}
