package binarynet_test

import (
	"errors"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/binarynet/binarynet"
)

// TestIssue9NetworkFromWeightsKeepsPopulations exports the weights of an
// E/I network with different taus and a background population and imports
// them with the same populations: the imported network must keep their
// names, ranges, kinds and update rates, so that with the same seed it
// runs the same trajectory as the original. The old NewNetworkFromWeights
// made one population "units" with Tau 1, which draws units uniformly.
func TestIssue9NetworkFromWeightsKeepsPopulations(t *testing.T) {
	t.Parallel()
	newPops := func() []binarynet.Population {
		return []binarynet.Population{
			&binarynet.BinaryNeuronPopulation{Name: "E", N: 60, Tau: 10, Threshold: 0.5},
			&binarynet.BinaryNeuronPopulation{Name: "I", N: 20, Tau: 2, Threshold: 0.25},
			&binarynet.BackgroundActivity{Name: "X", N: 10, Tau: 1, Activity: 0.5, Stochastic: true},
		}
	}
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		pops := newPops()
		nw := binarynet.NewNetwork("orig")
		for _, p := range pops {
			if err := nw.AddPopulation(p); err != nil {
				t.Fatal(err)
			}
		}
		// Dyadic weights: every field is exact, whatever the order of
		// additions, so the two networks agree bit for bit.
		mustAdd(t, nw,
			binarynet.NewPairwiseBernoulliSynapse(pops[0], pops[0], 0.2, 0.125),
			binarynet.NewPairwiseBernoulliSynapse(pops[1], pops[0], 0.4, -0.25),
			binarynet.NewPairwiseBernoulliSynapse(pops[0], pops[1], 0.4, 0.125),
			binarynet.NewPairwiseBernoulliSynapse(pops[2], pops[0], 0.5, 0.25),
		)
		opts := binarynet.Options{Seed: 11, WeightMode: mode}
		mustInit(t, nw, opts)
		w, err := nw.Weights()
		if err != nil {
			t.Fatal(err)
		}
		s0, _ := nw.State(nil)
		imp, err := binarynet.NewNetworkFromWeights("imported", w, newPops(), nil, s0, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := imp.PopulationSpecs(), nw.PopulationSpecs(); !slices.Equal(got, want) {
			t.Errorf("%v: specs %v, want %v", mode, got, want)
		}
		if got, want := imp.PopulationRanges(), nw.PopulationRanges(); !slices.Equal(got, want) {
			t.Errorf("%v: ranges %v, want %v", mode, got, want)
		}
		thr0, _ := nw.Thresholds(nil)
		thr1, _ := imp.Thresholds(nil)
		if !slices.Equal(thr0, thr1) {
			t.Errorf("%v: thresholds differ: %v, want %v", mode, thr1, thr0)
		}
		var logs [2]binarynet.DiffLog
		for k, x := range []*binarynet.Network{nw, imp} {
			if err := x.EnableDiffLogging(5000); err != nil {
				t.Fatal(err)
			}
			if err := x.Run(5000, 256); err != nil {
				t.Fatal(err)
			}
			logs[k] = x.ConsumeDiffLog()
		}
		if !slices.Equal(logs[0].Updates, logs[1].Updates) || !slices.Equal(logs[0].Deltas, logs[1].Deltas) {
			t.Errorf("%v: the imported network runs another trajectory than the original", mode)
		}
	}
}

// TestNetworkFromWeightsDefaults checks the nil arguments: no populations
// means one neuron population "units" of Tau 1; no thresholds means each
// population's Threshold; no initial state means the populations'
// initializers, drawn from the seed as Initialize draws them.
func TestNetworkFromWeightsDefaults(t *testing.T) {
	t.Parallel()
	w := mat.NewDense(4, 4, nil)
	nw, err := binarynet.NewNetworkFromWeights("d", w, nil, []float64{1, 2, 3, 4}, []int8{1, 0, 1, 0}, binarynet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []binarynet.PopulationSpec{{Name: "units", N: 4, Tau: 1, Kind: binarynet.KindNeuron}}
	if got := nw.PopulationSpecs(); !slices.Equal(got, want) {
		t.Errorf("specs %v, want %v", got, want)
	}
	pops := []binarynet.Population{
		&binarynet.BinaryNeuronPopulation{Name: "A", N: 3, Tau: 1, Threshold: 0.5, Initializer: binarynet.ValuesInit{1, 0, 1}},
		&binarynet.BackgroundActivity{Name: "B", N: 1, Tau: 1, Activity: 1},
	}
	nw, err = binarynet.NewNetworkFromWeights("d", w, pops, nil, nil, binarynet.Options{})
	if err != nil {
		t.Fatal(err)
	}
	thr, _ := nw.Thresholds(nil)
	s, _ := nw.State(nil)
	if !slices.Equal(thr, []float64{0.5, 0.5, 0.5, 0}) || !slices.Equal(s, []int8{1, 0, 1, 1}) {
		t.Errorf("thresholds %v and state %v, want [0.5 0.5 0.5 0] and [1 0 1 1]", thr, s)
	}
	for _, tc := range []struct {
		name string
		pops []binarynet.Population
		want error
	}{
		{"sizes do not add up", pops[:1], binarynet.ErrShape},
		{"nil population", []binarynet.Population{pops[0], nil}, binarynet.ErrInvalidParameter},
		{"population twice", []binarynet.Population{pops[1], pops[1], pops[1], pops[1]}, binarynet.ErrInvalidParameter},
		{"invalid population", []binarynet.Population{&binarynet.BinaryNeuronPopulation{Name: "Z", N: 4}}, binarynet.ErrInvalidParameter},
	} {
		if _, err := binarynet.NewNetworkFromWeights("d", w, tc.pops, nil, nil, binarynet.Options{}); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
}
