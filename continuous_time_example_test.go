package binarynet_test

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// With Options.ContinuousTime every update step advances the network's
// time by an exponential interval of mean 1 / sum_k(N_k/tau_k): here
// 1 / (100/10 + 25/5) = 1/15 ms. Each unit is then updated at the events
// of a Poisson process of rate 1/tau, and the diff log records when each
// step happened, in ms.
func ExampleOptions_continuousTime() {
	nw := binarynet.NewNetwork("clock")
	for _, p := range []*binarynet.BinaryNeuronPopulation{
		{Name: "E", N: 100, Tau: 10, Gain: binarynet.LogisticGain{Beta: 1}},
		{Name: "I", N: 25, Tau: 5, Gain: binarynet.LogisticGain{Beta: 1}},
	} {
		if err := nw.AddPopulation(p); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1, ContinuousTime: true}); err != nil {
		fmt.Println(err)
		return
	}
	const steps = 150_000 // about 10,000 ms
	if err := nw.EnableDiffLogging(steps); err != nil {
		fmt.Println(err)
		return
	}
	if err := nw.Run(steps, 1000); err != nil {
		fmt.Println(err)
		return
	}
	log := nw.ConsumeDiffLog()
	fmt.Printf("%d steps in %.0f ms (expected %.0f)\n", log.Len(), nw.Time(), steps/15.0)
	fmt.Printf("first steps at %.4f and %.4f ms\n", log.Times[0], log.Times[1])
	// Updates per unit and ms: 1/tau.
	var e, i int
	for _, u := range log.Updates {
		if u < 100 {
			e++
		} else {
			i++
		}
	}
	fmt.Printf("E: %.3f updates per unit and ms, I: %.3f\n", float64(e)/100/nw.Time(), float64(i)/25/nw.Time())
	// Output:
	// 150000 steps in 10018 ms (expected 10000)
	// first steps at 0.0620 and 0.1710 ms
	// E: 0.100 updates per unit and ms, I: 0.200
}

// PopulationRatesTimeSeq samples a timed diff log on a regular grid of
// times: at 0.5, 1.0, 1.5 and 2.0 ms here, the state after every step at
// or before the sample time.
func ExamplePopulationRatesTimeSeq() {
	log := binarynet.DiffLog{
		Updates: []int32{0, 1, 2, 1},
		Deltas:  []int8{1, 1, 1, -1},
		Times:   []float64{0.3, 0.9, 1.2, 1.9},
	}
	seq, err := binarynet.PopulationRatesTimeSeq([]int8{0, 0, 0, 0}, log, 0.5, []binarynet.Range{{Start: 0, End: 2}, {Start: 2, End: 4}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for ms, rates := range seq {
		fmt.Printf("%.1f ms: %v\n", ms, rates)
	}
	// Output:
	// 0.5 ms: [0.5 0]
	// 1.0 ms: [1 0]
	// 1.5 ms: [1 0.5]
}

// ExtractSpikeTimesFromDiffLogs gives the onsets of a timed diff log in
// ms; SpikeCountStatisticsTime their rates per ms and intervals in ms.
func ExampleExtractSpikeTimesFromDiffLogs() {
	log := binarynet.DiffLog{
		Updates: []int32{0, 1, 0, 0, 1},
		Deltas:  []int8{1, 1, -1, 1, 0},
		Times:   []float64{0.5, 1.25, 2, 4.5, 10.5},
	}
	times, units, err := binarynet.ExtractSpikeTimesFromDiffLogs(log, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(times, units)
	s, err := binarynet.SpikeCountStatisticsTime([]int8{0, 0}, log, 5, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("span %g ms, %d windows; rates per ms %.3f\n", s.TimeSpan, s.Windows, s.Rate)
	// Output:
	// [0.5 1.25 4.5] [0 1 0]
	// span 10 ms, 2 windows; rates per ms [0.200 0.100]
}
