package binarynet_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/binarynet/binarynet"
)

// setStateNet builds two populations, E (300 units) and I (100), with
// Bernoulli, Poisson and fixed-indegree synapses of float32-inexact
// weights, initialized with opts. A nil init keeps the populations'
// default initial states; otherwise E and I start from init.
func setStateNet(t *testing.T, opts binarynet.Options, init []int8) *binarynet.Network {
	t.Helper()
	nw := binarynet.NewNetwork("setstate")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 300, Tau: 10, Threshold: 0.05}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 100, Tau: 5, Threshold: 0.02}
	if init != nil {
		e.Initializer = binarynet.ValuesInit(init[:300])
		i.Initializer = binarynet.ValuesInit(init[300:])
	}
	for _, p := range []*binarynet.BinaryNeuronPopulation{e, i} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	mustAdd(t, nw,
		binarynet.NewPairwiseBernoulliSynapse(e, e, 0.2, 0.0137),
		binarynet.NewPoissonSynapse(e, i, 0.2, 0.0211),
		binarynet.NewFixedIndegreeSynapse(i, e, 0.25, -0.0533),
		binarynet.NewPairwiseBernoulliSynapse(i, i, 0.3, -0.0419),
	)
	mustInit(t, nw, opts)
	return nw
}

// randomState returns n states, each 1 with probability p.
func randomState(n int, p float64, seed uint64) []int8 {
	rng := rand.New(rand.NewPCG(seed, 99))
	s := make([]int8, n)
	for i := range s {
		if rng.Float64() < p {
			s[i] = 1
		}
	}
	return s
}

// TestSetStateField checks SetState against its definition, in dense and
// sparse mode, float32 and float64: afterwards the state is s, the field
// equals W s (to the rounding of summing the active columns in the weight
// type: each of the at most k active inputs adds one rounding of relative
// size eps, so |h - W s| <= k eps sum_j |W_ij| s_j), and the field is bit
// for bit that of a network of the same seed initialized to s, whose run
// then takes exactly the same steps.
func TestSetStateField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts binarynet.Options
		eps  float64
	}{
		{"dense float32", binarynet.Options{Seed: 4, WeightMode: binarynet.WeightDense}, 0x1p-24},
		{"sparse float32", binarynet.Options{Seed: 4, WeightMode: binarynet.WeightSparse}, 0x1p-24},
		{"sparse float64", binarynet.Options{Seed: 4, WeightMode: binarynet.WeightSparse, WeightType: binarynet.Float64}, 0x1p-53},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := randomState(400, 0.3, 1)
			a := setStateNet(t, tc.opts, nil)
			before, _ := a.State(nil)
			if slices.Equal(before, s) {
				t.Fatal("the test state equals the initial one")
			}
			if err := a.SetState(s); err != nil {
				t.Fatal(err)
			}
			got, _ := a.State(nil)
			if !slices.Equal(got, s) {
				t.Fatal("State() after SetState differs from s")
			}
			field, _ := a.Field(nil)
			w, err := a.Weights()
			if err != nil {
				t.Fatal(err)
			}
			active := 0
			for _, v := range s {
				active += int(v)
			}
			for i := range field {
				var want, abs float64
				for j, v := range s {
					if v != 0 {
						want += w.At(i, j)
						abs += math.Abs(w.At(i, j))
					}
				}
				if d := math.Abs(field[i] - want); d > float64(active)*tc.eps*abs {
					t.Fatalf("h[%d] = %v, W s = %v: |difference| %g > %g", i, field[i], want, d, float64(active)*tc.eps*abs)
				}
			}

			b := setStateNet(t, tc.opts, s)
			fieldB, _ := b.Field(nil)
			if !slices.Equal(field, fieldB) {
				t.Fatal("field after SetState differs from that of a network initialized to s")
			}
			steps := 20 * 400
			for _, nw := range []*binarynet.Network{a, b} {
				if err := nw.EnableDiffLogging(steps); err != nil {
					t.Fatal(err)
				}
				if err := nw.Run(steps, 1000); err != nil {
					t.Fatal(err)
				}
			}
			la, lb := a.ConsumeDiffLog(), b.ConsumeDiffLog()
			if !slices.Equal(la.Updates, lb.Updates) || !slices.Equal(la.Deltas, lb.Deltas) {
				t.Error("the run after SetState differs from the run of a network initialized to s")
			}
			flips := 0
			for _, d := range la.Deltas {
				flips += int(d * d)
			}
			if flips == 0 {
				t.Error("no state changed in the run: the comparison says nothing")
			}
			fa, _ := a.Field(nil)
			fb, _ := b.Field(nil)
			if !slices.Equal(fa, fb) {
				t.Error("fields differ after the runs")
			}
		})
	}
}

// TestSetStateClustered redraws the states of a clustered network, as the
// toolkit's population_rate_init does after building: the field is then
// W s.
func TestSetStateClustered(t *testing.T) {
	t.Parallel()
	p := binarynet.DefaultClusteredParams()
	p.NE, p.NI, p.Q, p.REPlus = 400, 100, 5, new(3.0)
	nw, _, err := binarynet.NewClusteredNetwork("redraw", p, binarynet.Options{Seed: 2, WeightType: binarynet.Float64})
	if err != nil {
		t.Fatal(err)
	}
	s := randomState(nw.N(), 0.1, 3)
	if err := nw.SetState(s); err != nil {
		t.Fatal(err)
	}
	field, _ := nw.Field(nil)
	w, _ := nw.Weights()
	for i := range field {
		var want float64
		for j, v := range s {
			want += w.At(i, j) * float64(v)
		}
		if math.Abs(field[i]-want) > 1e-12 {
			t.Fatalf("h[%d] = %v, W s = %v", i, field[i], want)
		}
	}
}

func TestSetStateErrors(t *testing.T) {
	t.Parallel()
	nw := binarynet.NewNetwork("early")
	if err := nw.AddPopulation(&binarynet.BinaryNeuronPopulation{Name: "A", N: 3, Tau: 1}); err != nil {
		t.Fatal(err)
	}
	if err := nw.SetState([]int8{0, 1, 0}); !errors.Is(err, binarynet.ErrCallOrder) {
		t.Errorf("before Initialize: %v, want ErrCallOrder", err)
	}
	mustInit(t, nw, binarynet.Options{})
	for _, tc := range []struct {
		name string
		s    []int8
		want error
	}{
		{"short", []int8{0, 1}, binarynet.ErrShape},
		{"long", []int8{0, 1, 0, 1}, binarynet.ErrShape},
		{"not binary", []int8{0, 2, 0}, binarynet.ErrInvalidParameter},
		{"negative", []int8{-1, 0, 0}, binarynet.ErrInvalidParameter},
	} {
		if err := nw.SetState(tc.s); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := nw.EnableDiffLogging(5); err != nil {
		t.Fatal(err)
	}
	if err := nw.SetState([]int8{1, 1, 1}); err != nil {
		t.Errorf("with an empty diff log: %v", err)
	}
	if err := nw.Run(2, 1); err != nil {
		t.Fatal(err)
	}
	if err := nw.SetState([]int8{1, 1, 1}); !errors.Is(err, binarynet.ErrCallOrder) {
		t.Errorf("with logged steps pending: %v, want ErrCallOrder", err)
	}
	nw.ConsumeDiffLog()
	if err := nw.SetState([]int8{0, 0, 1}); err != nil {
		t.Errorf("after ConsumeDiffLog: %v", err)
	}
}
