package binarynet_test

import (
	"bytes"
	"reflect"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"

	"github.com/binarynet/binarynet"
)

// seedRun builds a small clustered network with opts, runs it for 10
// sweeps and returns its weights, initial state and diff log.
func seedRun(t *testing.T, opts binarynet.Options) (mat.Matrix, []int8, binarynet.DiffLog) {
	t.Helper()
	p := binarynet.DefaultClusteredParams()
	p.NE, p.NI, p.Q, p.REPlus = 400, 100, 5, new(3.0)
	p.ConnectionType = binarynet.ConnectFixedIndegree
	nw, _, err := binarynet.NewClusteredNetwork("seeds", p, opts)
	if err != nil {
		t.Fatal(err)
	}
	w, err := nw.Weights()
	if err != nil {
		t.Fatal(err)
	}
	initial, _ := nw.State(nil)
	steps := 10 * nw.N()
	if err := nw.EnableDiffLogging(steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(steps, steps); err != nil {
		t.Fatal(err)
	}
	return w, initial, nw.ConsumeDiffLog()
}

// TestSeedsSeparateStreams checks the optional seeds: one network seed
// with two initial-state seeds gives the same weights and different
// initial states (and so different runs); one initial-state seed on two
// network seeds gives the same initial state on different weights; the run
// seed alone changes only the dynamics; and seeds set to the run seed
// give exactly the run of the run seed alone (unset is the old behaviour).
func TestSeedsSeparateStreams(t *testing.T) {
	t.Parallel()
	net, init1, init2 := uint64(7), uint64(1), uint64(2)
	w1, s1, l1 := seedRun(t, binarynet.Options{Seed: 3, NetworkSeed: &net, InitSeed: &init1})
	w2, s2, l2 := seedRun(t, binarynet.Options{Seed: 3, NetworkSeed: &net, InitSeed: &init2})
	if !mat.Equal(w1, w2) {
		t.Error("same network seed, two init seeds: weights differ")
	}
	if slices.Equal(s1, s2) {
		t.Error("same network seed, two init seeds: same initial states")
	}
	if sameLog(l1, l2) {
		t.Error("two initial states gave the same run")
	}

	other := uint64(8)
	w3, s3, _ := seedRun(t, binarynet.Options{Seed: 3, NetworkSeed: &other, InitSeed: &init1})
	if mat.Equal(w1, w3) || !slices.Equal(s1, s3) {
		t.Error("same init seed, two network seeds: want other weights, the same initial state")
	}

	w4, s4, l4 := seedRun(t, binarynet.Options{Seed: 4, NetworkSeed: &net, InitSeed: &init1})
	if !mat.Equal(w1, w4) || !slices.Equal(s1, s4) || sameLog(l1, l4) {
		t.Error("another run seed: want the same weights and initial state, another run")
	}

	seed := uint64(3)
	w5, s5, l5 := seedRun(t, binarynet.Options{Seed: 3})
	w6, s6, l6 := seedRun(t, binarynet.Options{Seed: 3, NetworkSeed: &seed, InitSeed: &seed})
	if !mat.Equal(w5, w6) || !slices.Equal(s5, s6) || !sameLog(l5, l6) {
		t.Error("seeds set to Seed differ from Seed alone")
	}
}

// TestCheckpointRecordsNewOptions checks that a checkpoint keeps the
// autapse rule and the separate seeds, and that a network without them
// keeps its options too.
func TestCheckpointRecordsNewOptions(t *testing.T) {
	t.Parallel()
	net, init := uint64(11), uint64(12)
	for _, opts := range []binarynet.Options{
		{Seed: 5},
		{Seed: 5, AutapseRule: binarynet.AutapseDeleteSelf},
		{Seed: 5, NetworkSeed: &net},
		{Seed: 5, InitSeed: &init},
		{Seed: 5, NetworkSeed: &net, InitSeed: &init, AutapseRule: binarynet.AutapseDeleteSelf},
	} {
		nw := binarynet.NewNetwork("ckpt")
		a := &binarynet.BinaryNeuronPopulation{Name: "A", N: 50, Tau: 1}
		if err := nw.AddPopulation(a); err != nil {
			t.Fatal(err)
		}
		mustAdd(t, nw, binarynet.NewFixedIndegreeSynapse(a, a, 0.2, 0.1))
		mustInit(t, nw, opts)
		var buf bytes.Buffer
		if err := nw.WriteCheckpoint(&buf); err != nil {
			t.Fatal(err)
		}
		back, err := binarynet.ReadCheckpoint(&buf, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := back.Options(), nw.Options(); !reflect.DeepEqual(got, want) {
			t.Errorf("options after the checkpoint %+v, want %+v", got, want)
		}
	}
}

// TestNewNetworkFromWeightsInitSeed: without given initial states,
// NewNetworkFromWeights draws them from Options.InitSeed, as Initialize
// does (it used Options.Seed whatever InitSeed said): the same InitSeed
// under two run seeds gives the same states, another InitSeed others.
func TestNewNetworkFromWeightsInitSeed(t *testing.T) {
	w := mat.NewDense(400, 400, nil)
	pops := []binarynet.Population{&binarynet.BinaryNeuronPopulation{Name: "P", N: 400, Tau: 1, Threshold: 0.5}}
	states := func(seed, init uint64) []int8 {
		nw, err := binarynet.NewNetworkFromWeights("w", w, pops, nil, nil, binarynet.Options{Seed: seed, InitSeed: &init})
		if err != nil {
			t.Fatal(err)
		}
		s, err := nw.State(nil)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if a, b := states(1, 7), states(2, 7); !slices.Equal(a, b) {
		t.Error("the same InitSeed under two seeds gave different initial states")
	}
	if a, b := states(1, 7), states(1, 8); slices.Equal(a, b) {
		t.Error("two InitSeeds gave the same initial states")
	}
}
