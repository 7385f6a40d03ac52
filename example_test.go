package binarynet_test

import (
	"fmt"
	"log"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"

	"github.com/binarynet/binarynet"
)

// A population of three threshold units, all starting inactive, as in the
// docstring of the Python module's BinaryNeuronPopulation.
func ExampleBinaryNeuronPopulation() {
	nw := binarynet.NewNetwork("demo")
	pop := &binarynet.BinaryNeuronPopulation{Name: "pop", N: 3, Threshold: 0.5, Tau: 1, Initializer: binarynet.ConstantInit(0)}
	if err := nw.AddPopulation(pop); err != nil {
		log.Fatal(err)
	}
	r, _ := nw.PopulationRange(pop)
	fmt.Println("units", r.Start, "to", r.End)

	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		log.Fatal(err)
	}
	state, _ := nw.State(nil)
	fmt.Println("state", state)
	// Output:
	// units 0 to 3
	// state [0 0 0]
}

// The docstring example of the Python module's BinaryNetwork: two
// excitatory units coupled all-to-all (without autapses) and one
// inhibitory unit.
func ExampleNetwork() {
	nw := binarynet.NewNetwork("demo")
	exc := &binarynet.BinaryNeuronPopulation{Name: "exc", N: 2, Threshold: 0.5, Tau: 5, Initializer: binarynet.ValuesInit{0, 1}}
	inh := &binarynet.BinaryNeuronPopulation{Name: "inh", N: 1, Threshold: 0.5, Tau: 5, Initializer: binarynet.ValuesInit{0}}
	for _, p := range []binarynet.Population{exc, inh} {
		if err := nw.AddPopulation(p); err != nil {
			log.Fatal(err)
		}
	}
	if err := nw.AddSynapse(binarynet.NewAllToAllSynapse(exc, exc, 0.6)); err != nil {
		log.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightDense, Autapse: false, Seed: 0}); err != nil {
		log.Fatal(err)
	}
	state, _ := nw.State(nil)
	field, _ := nw.Field(nil)
	fmt.Println("N:", nw.N())
	fmt.Println("state:", state)
	fmt.Printf("field: %.1f\n", field)
	// Output:
	// N: 3
	// state: [0 1 0]
	// field: [0.6 0.0 0.0]
}

// Initialize allocates the state and the field, draws the connectivity and
// computes h = W s (the Python module's initialize example).
func ExampleNetwork_Initialize() {
	nw := binarynet.NewNetwork("init-demo")
	pop := &binarynet.BinaryNeuronPopulation{Name: "pop", N: 2, Threshold: 0.1, Tau: 1, Initializer: binarynet.ValuesInit{1, 0}}
	if err := nw.AddPopulation(pop); err != nil {
		log.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightDense, Seed: 1}); err != nil {
		log.Fatal(err)
	}
	field, _ := nw.Field(nil)
	fmt.Println(len(field), nw.Options().WeightMode, nw.Options().WeightType)
	// Output: 2 dense float32
}

// Run advances the network by single-unit updates; the batch size only
// sets how often the run checks for cancellation (the Python module's run
// example).
func ExampleNetwork_Run() {
	nw := binarynet.NewNetwork("run-demo")
	pop := &binarynet.BinaryNeuronPopulation{Name: "pop", N: 2, Threshold: 0.1, Tau: 1, Initializer: binarynet.ValuesInit{1, 0}}
	if err := nw.AddPopulation(pop); err != nil {
		log.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightDense, Seed: 2}); err != nil {
		log.Fatal(err)
	}
	if err := nw.Run(4, 2); err != nil {
		log.Fatal(err)
	}
	fmt.Println(nw.Steps())
	// Output: 4
}

// A diff log records, per step, the updated unit and the change of its
// state (the Python module's enable_diff_logging example). The single unit
// has no input and threshold 0, so it stays off: every delta is 0.
func ExampleNetwork_EnableDiffLogging() {
	nw := binarynet.NewNetwork("log-demo")
	pop := &binarynet.BinaryNeuronPopulation{Name: "pop", N: 1, Threshold: 0, Tau: 1, Initializer: binarynet.ValuesInit{0}}
	if err := nw.AddPopulation(pop); err != nil {
		log.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightDense}); err != nil {
		log.Fatal(err)
	}
	if err := nw.EnableDiffLogging(3); err != nil {
		log.Fatal(err)
	}
	if err := nw.Run(3, 1); err != nil {
		log.Fatal(err)
	}
	d := nw.ConsumeDiffLog()
	fmt.Println(d.Len(), d.Updates, d.Deltas)
	// Output: 3 [0 0 0] [0 0 0]
}

// The Python module's reconstruct_states_from_diff_logs example: the state
// after each step, rebuilt from the initial state and the diff log.
func ExampleReconstructStatesFromDiffLogs() {
	states, err := binarynet.ReconstructStatesFromDiffLogs(
		[]int8{0, 0},
		binarynet.DiffLog{Updates: []int32{0, 1, 0}, Deltas: []int8{1, 1, -1}},
		1, // sample interval: every step
		0) // the default RAM budget
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(states)
	// Output: [[1 0] [1 1] [0 1]]
}

// The streaming form: one sample at a time, in memory of one state
// whatever the length of the log.
func ExampleReconstructStatesSeq() {
	samples, err := binarynet.ReconstructStatesSeq(
		[]int8{0, 0},
		binarynet.DiffLog{Updates: []int32{0, 1, 0, 1, 0}, Deltas: []int8{1, 1, -1, 0, 1}},
		2)
	if err != nil {
		log.Fatal(err)
	}
	for step, state := range samples { // state is reused: copy it to keep it
		fmt.Println(step, state)
	}
	// Output:
	// 0 [1 0]
	// 2 [0 1]
	// 4 [1 1]
}

func ExamplePopulationRatesSeq() {
	rates, err := binarynet.PopulationRatesSeq(
		[]int8{1, 0, 0, 0},
		binarynet.DiffLog{Updates: []int32{1, 3, 2, 0}, Deltas: []int8{1, 1, 1, -1}},
		1,
		[]binarynet.Range{{Start: 0, End: 2}, {Start: 2, End: 4}})
	if err != nil {
		log.Fatal(err)
	}
	for step, r := range rates {
		fmt.Println(step, r)
	}
	// Output:
	// 0 [1 0]
	// 1 [1 0.5]
	// 2 [1 1]
	// 3 [0.5 1]
}

// The Python module's population_rates_from_diff_logs example: the
// fraction of active units of each population after each step.
func ExampleNetwork_PopulationRatesFromDiffLogs() {
	nw := binarynet.NewNetwork("rates-demo")
	a := &binarynet.BinaryNeuronPopulation{Name: "a", N: 1, Tau: 1, Initializer: binarynet.ValuesInit{0}}
	b := &binarynet.BinaryNeuronPopulation{Name: "b", N: 1, Tau: 1, Initializer: binarynet.ValuesInit{0}}
	for _, p := range []binarynet.Population{a, b} {
		if err := nw.AddPopulation(p); err != nil {
			log.Fatal(err)
		}
	}
	if err := nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightDense}); err != nil {
		log.Fatal(err)
	}
	rates, err := nw.PopulationRatesFromDiffLogs(
		[]int8{0, 0},
		binarynet.DiffLog{Updates: []int32{0, 1, 0}, Deltas: []int8{1, 1, -1}},
		1,
	)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rates)
	// Output: [[1 0] [1 1] [0 1]]
}

// The package function takes unit ranges instead of populations.
func ExamplePopulationRatesFromDiffLogs() {
	rates, err := binarynet.PopulationRatesFromDiffLogs(
		[]int8{1, 0, 0, 0},
		binarynet.DiffLog{Updates: []int32{1, 3, 2, 0}, Deltas: []int8{1, 1, 1, -1}},
		2, // samples after steps 0 and 2
		[]binarynet.Range{{Start: 0, End: 2}, {Start: 2, End: 4}},
		0) // the default RAM budget
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(rates)
	// Output: [[1 0] [1 1]]
}

// The Python module's extract_spike_events_from_diff_logs example: the
// steps at which a unit switched on, and the unit.
func ExampleExtractSpikeEventsFromDiffLogs() {
	steps, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(
		binarynet.DiffLog{Updates: []int32{0, 1, 0}, Deltas: []int8{1, 1, -1}}, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(steps, units)
	// Output: [0 1] [0 1]
}

// A network of one's own: a ring of three units, each exciting the next,
// built from a sparse matrix and driven by an explicit update sequence.
func ExampleNewNetworkFromWeights() {
	// W[post, pre]: 0 -> 1 -> 2 -> 0, weight 1.
	w := sparse.NewCOO(3, 3, []int{1, 2, 0}, []int{0, 1, 2}, []float64{1, 1, 1})
	// One population; nil thresholds: its Threshold for every unit.
	ring := &binarynet.BinaryNeuronPopulation{Name: "ring", N: 3, Tau: 1, Threshold: 0.5}
	nw, err := binarynet.NewNetworkFromWeights("ring", w, []binarynet.Population{ring}, nil,
		[]int8{1, 0, 0},
		binarynet.Options{})
	if err != nil {
		log.Fatal(err)
	}
	if err := nw.EnableDiffLogging(4); err != nil {
		log.Fatal(err)
	}
	// Unit 1 switches on (input from 0), unit 0 off (no input: unit 2 is
	// off), unit 2 on (input from 1), unit 0 on again (input from 2).
	if err := nw.ApplyUpdates([]int32{1, 0, 2, 0}); err != nil {
		log.Fatal(err)
	}
	state, _ := nw.State(nil)
	d := nw.ConsumeDiffLog()
	fmt.Println(nw.PopulationSpecs()[0].Name, nw.Options().WeightMode, state, d.Deltas)
	// Output: ring sparse [1 1 1] [1 -1 1 1]
}

// Weights exports the weight matrix for analysis with gonum: a *mat.Dense
// in dense mode, a duplicate-free *sparse.CSC in sparse mode.
func ExampleNetwork_Weights() {
	nw := binarynet.NewNetwork("weights")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 3, Tau: 1}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 1, Tau: 1}
	for _, p := range []binarynet.Population{e, i} {
		if err := nw.AddPopulation(p); err != nil {
			log.Fatal(err)
		}
	}
	for _, s := range []binarynet.Synapse{
		binarynet.NewAllToAllSynapse(e, e, 1),
		binarynet.NewAllToAllSynapse(e, e, 0.5), // rules on one block add up
		binarynet.NewAllToAllSynapse(i, e, -2),
		binarynet.NewAllToAllSynapse(e, i, 0.25),
	} {
		if err := nw.AddSynapse(s); err != nil {
			log.Fatal(err)
		}
	}
	if err := nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightSparse}); err != nil {
		log.Fatal(err)
	}
	w, err := nw.Weights()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%T with %d stored weights\n", w, w.(*sparse.CSC).NNZ())
	fmt.Printf("%v\n", mat.Formatted(w))
	// Output:
	// *sparse.CSC with 12 stored weights
	// ⎡   0   1.5   1.5    -2⎤
	// ⎢ 1.5     0   1.5    -2⎥
	// ⎢ 1.5   1.5     0    -2⎥
	// ⎣0.25  0.25  0.25     0⎦
}

// A background population drives the units it connects to: here every
// unit of P receives 10 * 0.1 = 1 from the active background and switches
// on, although nothing else excites it.
func ExampleBackgroundActivity() {
	nw := binarynet.NewNetwork("driven")
	x := &binarynet.BackgroundActivity{Name: "X", N: 10, Tau: 1, Activity: 1}
	p := &binarynet.BinaryNeuronPopulation{Name: "P", N: 5, Tau: 1, Threshold: 0.5, Initializer: binarynet.ConstantInit(0)}
	for _, pop := range []binarynet.Population{x, p} {
		if err := nw.AddPopulation(pop); err != nil {
			log.Fatal(err)
		}
	}
	if err := nw.AddSynapse(binarynet.NewAllToAllSynapse(x, p, 0.1)); err != nil {
		log.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		log.Fatal(err)
	}
	if err := nw.Run(1000, 100); err != nil {
		log.Fatal(err)
	}
	state, _ := nw.State(nil)
	fmt.Println("X:", state[:10])
	fmt.Println("P:", state[10:])
	// Output:
	// X: [1 1 1 1 1 1 1 1 1 1]
	// P: [1 1 1 1 1]
}
