package binarynet

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// adaptationGolden is testdata/adaptation/trace_golden.json, written by
// testdata/adaptation/gen_trace.py.
type adaptationGolden struct {
	NE              int         `json:"n_e"`
	NI              int         `json:"n_i"`
	ThetaE          float64     `json:"theta_e"`
	ThetaI          float64     `json:"theta_i"`
	ThetaQ          float64     `json:"theta_q"`
	TauTheta        float64     `json:"tau_theta"`
	Weights         [][]float64 `json:"weights"`
	Initial         []int8      `json:"initial"`
	Updates         []int32     `json:"updates"`
	Deltas          []int8      `json:"deltas"`
	FinalState      []int8      `json:"final_state"`
	FinalThresholds []float64   `json:"final_thresholds"`
	FinalLast       []int64     `json:"final_last"`
}

func readAdaptationGolden(t *testing.T) adaptationGolden {
	t.Helper()
	b, err := os.ReadFile("testdata/adaptation/trace_golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g adaptationGolden
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

// adaptationNetwork builds the golden case's network with the given
// adaptation of its excitatory population.
func adaptationNetwork(t *testing.T, g adaptationGolden, a Adaptation, mode WeightMode) *Network {
	t.Helper()
	n := g.NE + g.NI
	w := mat.NewDense(n, n, nil)
	for i, row := range g.Weights {
		w.SetRow(i, row)
	}
	pops := []Population{
		&BinaryNeuronPopulation{Name: "E", N: g.NE, Tau: 10, Threshold: g.ThetaE, Adaptation: a},
		&BinaryNeuronPopulation{Name: "I", N: g.NI, Tau: 5, Threshold: g.ThetaI},
	}
	nw, err := NewNetworkFromWeights("adaptation", w, pops, nil, g.Initial, Options{WeightType: Float64, WeightMode: mode})
	if err != nil {
		t.Fatal(err)
	}
	return nw
}

// TestAdaptationGolden replays the update sequence of the Python trace of
// the adaptive-threshold rule: the same state changes, final states, and
// final thresholds within 1e-12 (both sides compute exp in float64 with
// their own libraries), in dense and sparse mode.
func TestAdaptationGolden(t *testing.T) {
	t.Parallel()
	g := readAdaptationGolden(t)
	for _, mode := range []WeightMode{WeightDense, WeightSparse} {
		nw := adaptationNetwork(t, g, Adaptation{Step: g.ThetaQ, Tau: g.TauTheta}, mode)
		if err := nw.EnableDiffLogging(len(g.Updates)); err != nil {
			t.Fatal(err)
		}
		if err := nw.ApplyUpdates(g.Updates); err != nil {
			t.Fatal(err)
		}
		log := nw.ConsumeDiffLog()
		if !slices.Equal(log.Deltas, g.Deltas) {
			for i := range log.Deltas {
				if log.Deltas[i] != g.Deltas[i] {
					t.Fatalf("%v: step %d (unit %d): delta %d, want %d", mode, i, g.Updates[i], log.Deltas[i], g.Deltas[i])
				}
			}
		}
		state, _ := nw.State(nil)
		if !slices.Equal(state, g.FinalState) {
			t.Errorf("%v: final state %v, want %v", mode, state, g.FinalState)
		}
		a := nw.adapt[0]
		for i, want := range g.FinalThresholds {
			if math.Abs(a.thresh[i]-want) > 1e-12 || a.last[i] != g.FinalLast[i] {
				t.Errorf("%v: unit %d: threshold %.17g last %d, want %.17g last %d", mode, i, a.thresh[i], a.last[i], want, g.FinalLast[i])
			}
		}
	}
}

// TestAdaptationStepZeroIsPlain checks that Step 0 gives exactly the
// trajectory of a population without adaptation, and that a positive step
// changes it.
func TestAdaptationStepZeroIsPlain(t *testing.T) {
	t.Parallel()
	g := readAdaptationGolden(t)
	run := func(a Adaptation) DiffLog {
		nw := adaptationNetwork(t, g, a, WeightSparse)
		if err := nw.EnableDiffLogging(len(g.Updates)); err != nil {
			t.Fatal(err)
		}
		if err := nw.ApplyUpdates(g.Updates); err != nil {
			t.Fatal(err)
		}
		return nw.ConsumeDiffLog()
	}
	plain := run(Adaptation{})
	if got := run(Adaptation{Step: 0, Tau: 25}); !slices.Equal(got.Deltas, plain.Deltas) {
		t.Error("Step 0 changed the trajectory")
	}
	if got := run(Adaptation{Step: g.ThetaQ, Tau: g.TauTheta}); slices.Equal(got.Deltas, plain.Deltas) {
		t.Error("adaptation did not change the trajectory")
	}
}

// TestAdaptationCheckpointResume checks that a checkpoint of an adaptive
// network with a stochastic gain, taken mid-run, continues bit for bit.
func TestAdaptationCheckpointResume(t *testing.T) {
	t.Parallel()
	build := func() *Network {
		nw := NewNetwork("adaptive")
		e := &BinaryNeuronPopulation{Name: "E", N: 80, Tau: 10, Threshold: -0.1, Adaptation: Adaptation{Step: 0.3, Tau: 500}}
		s := &BinaryNeuronPopulation{Name: "S", N: 20, Tau: 10, Threshold: 0.1, Adaptation: Adaptation{Step: 0.2, Tau: 300}, Gain: ErfcGain{Sigma: 0.2}}
		i := &BinaryNeuronPopulation{Name: "I", N: 25, Tau: 5, Threshold: 0.2}
		for _, p := range []*BinaryNeuronPopulation{e, s, i} {
			if err := nw.AddPopulation(p); err != nil {
				t.Fatal(err)
			}
		}
		for _, pre := range []*BinaryNeuronPopulation{e, s, i} {
			j := 0.05
			if pre == i {
				j = -0.1
			}
			for _, post := range []*BinaryNeuronPopulation{e, s, i} {
				if err := nw.AddSynapse(NewPairwiseBernoulliSynapse(pre, post, 0.3, j)); err != nil {
					t.Fatal(err)
				}
			}
		}
		return nw
	}
	opts := Options{Seed: 9, WeightMode: WeightSparse}
	_, want := runLogged(t, build(), opts, 4000, 8000, 128)
	if flips := stateChanges(want.Deltas); flips < 500 {
		t.Fatalf("only %d state changes: the test network does not move", flips)
	}
	part := build()
	if err := part.Initialize(opts); err != nil {
		t.Fatal(err)
	}
	if err := part.Run(4000, 1000); err != nil {
		t.Fatal(err)
	}
	data := checkpointOf(t, part)
	back, err := ReadCheckpoint(bytes.NewReader(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := back.PopulationSpecs()[1].Adaptation; got != (Adaptation{Step: 0.2, Tau: 300}) {
		t.Errorf("restored adaptation %+v", got)
	}
	_, got := runLogged(t, back, Options{}, 0, 8000, 3)
	if !slices.Equal(got.Updates, want.Updates) || !slices.Equal(got.Deltas, want.Deltas) {
		t.Error("resumed run differs from the uninterrupted one")
	}
	// A corrupted adaptation state is refused: the last bytes before the
	// trailer are the last unit's last-update step; make it negative and
	// fix the checksum.
	bad := slices.Clone(data)
	bad[len(bad)-5] = 0xff
	resealCheckpoint(bad)
	if _, err := ReadCheckpoint(bytes.NewReader(bad), nil); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("corrupted adaptation state: err = %v, want ErrCheckpoint", err)
	}
}

// TestAdaptationErrors checks invalid adaptation parameters.
func TestAdaptationErrors(t *testing.T) {
	t.Parallel()
	for _, a := range []Adaptation{
		{Step: math.NaN(), Tau: 1},
		{Step: math.Inf(1), Tau: 1},
		{Step: 0.1},
		{Step: 0.1, Tau: -1},
		{Step: -0.1, Tau: math.Inf(1)},
	} {
		err := NewNetwork("bad").AddPopulation(&BinaryNeuronPopulation{Name: "p", N: 1, Tau: 1, Adaptation: a})
		if !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("%+v: err = %v, want ErrInvalidParameter", a, err)
		}
	}
}
