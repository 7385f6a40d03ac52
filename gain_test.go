package binarynet

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// activeAfterUpdates returns, per unit, how many times it was updated in
// log and after how many of those updates it was active, replaying the
// log from the initial state.
func activeAfterUpdates(initial []int8, log DiffLog) (updates, active []int) {
	state := slices.Clone(initial)
	updates, active = make([]int, len(state)), make([]int, len(state))
	for i, u := range log.Updates {
		state[u] += log.Deltas[i]
		updates[u]++
		active[u] += int(state[u])
	}
	return updates, active
}

// stateChanges returns the number of non-zero deltas, the state changes
// in a stretch of a diff log.
func stateChanges(deltas []int8) int {
	k := 0
	for _, d := range deltas {
		if d != 0 {
			k++
		}
	}
	return k
}

// runLogged initializes nw, runs warmup steps, then steps more with the
// diff log on, and returns the state before the logged steps and the log.
func runLogged(t *testing.T, nw *Network, opts Options, warmup, steps, batch int) ([]int8, DiffLog) {
	t.Helper()
	if !nw.Initialized() {
		if err := nw.Initialize(opts); err != nil {
			t.Fatal(err)
		}
	}
	if warmup > 0 {
		if err := nw.Run(warmup, batch); err != nil {
			t.Fatal(err)
		}
	}
	initial, err := nw.State(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableDiffLogging(steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(steps, batch); err != nil {
		t.Fatal(err)
	}
	return initial, nw.ConsumeDiffLog()
}

// TestErfcGainMeanActivity checks unconnected erfc units, one per (sigma,
// theta) of NEST's erfc_neuron test grid, against their exact mean
// activity 0.5 erfc(theta / (sqrt(2) sigma)). Each update of a unit sets
// its state independently, so the fraction of its n updates after which it
// is active is Binomial(n, p)/n: the tolerance is 4 standard errors,
// sqrt(p(1-p)/n), plus 3/n for the discreteness when n p is small (NEST
// tolerates max(0.2 m(1-m), 0.01)).
func TestErfcGainMeanActivity(t *testing.T) {
	t.Parallel()
	var sigmas, thetas []float64
	for i := range 4 {
		sigmas = append(sigmas, math.Pow(10, -1+float64(i)*(1.1+1)/3))
	}
	for i := range 15 {
		thetas = append(thetas, -6+float64(i)*12/14)
	}
	nw := NewNetwork("erfc")
	var want []float64
	for _, s := range sigmas {
		for _, th := range thetas {
			pop := &BinaryNeuronPopulation{Name: fmt.Sprintf("s%.3g_t%.3g", s, th), N: 1, Tau: 1, Threshold: th, Gain: ErfcGain{Sigma: s}}
			if err := nw.AddPopulation(pop); err != nil {
				t.Fatal(err)
			}
			want = append(want, 0.5*math.Erfc(th/(math.Sqrt2*s)))
		}
	}
	const perUnit = 20000
	initial, log := runLogged(t, nw, Options{Seed: 1}, 0, perUnit*len(want), 1000)
	updates, active := activeAfterUpdates(initial, log)
	for k, p := range want {
		n := float64(updates[k])
		got := float64(active[k]) / n
		tol := 4*math.Sqrt(p*(1-p)/n) + 3/n
		if math.Abs(got-p) > tol {
			t.Errorf("unit %d (sigma %.3g, theta %.3g): mean activity %.5f over %d updates, want %.5f +- %.5f",
				k, sigmas[k/len(thetas)], thetas[k%len(thetas)], got, updates[k], p, tol)
		}
	}
}

// TestGlauberBoltzmann checks two Glauber units (logistic gain, beta 0.5)
// coupled by W = [[0, 0.5], [0.5, 0]] with biases b = (0, 0.6) (thresholds
// -b): over 1e5 updates after 2e4, the time shares of the joint states 00,
// 01, 10, 11 (unit 1, unit 2) are the Boltzmann distribution
// exp(beta (w s1 s2 + b.s)) / Z = (0.19673, 0.26556, 0.19673, 0.34098),
// within 3 standard errors estimated from 50 batch means.
func TestGlauberBoltzmann(t *testing.T) {
	t.Parallel()
	const beta, w = 0.5, 0.5
	b := []float64{0, 0.6}
	pops := []Population{
		&BinaryNeuronPopulation{Name: "a", N: 1, Tau: 1, Threshold: -b[0], Gain: LogisticGain{Beta: beta}},
		&BinaryNeuronPopulation{Name: "b", N: 1, Tau: 1, Threshold: -b[1], Gain: LogisticGain{Beta: beta}},
	}
	weights := mat.NewDense(2, 2, []float64{0, w, w, 0})
	nw, err := NewNetworkFromWeights("glauber", weights, pops, nil, []int8{0, 0}, Options{Seed: 7, WeightType: Float64})
	if err != nil {
		t.Fatal(err)
	}
	const warmup, steps, batches = 20000, 100000, 50
	initial, log := runLogged(t, nw, Options{}, warmup, steps, 4096)
	var z float64
	for _, s := range [][2]float64{{0, 0}, {0, 1}, {1, 0}, {1, 1}} {
		z += math.Exp(beta * (w*s[0]*s[1] + b[0]*s[0] + b[1]*s[1]))
	}
	state := slices.Clone(initial)
	share := make([][4]float64, batches)
	for i, u := range log.Updates {
		state[u] += log.Deltas[i]
		share[i*batches/steps][2*state[0]+state[1]] += float64(batches) / steps
	}
	for j, name := range []string{"00", "01", "10", "11"} {
		s := [2]float64{float64(j / 2), float64(j % 2)}
		want := math.Exp(beta*(w*s[0]*s[1]+b[0]*s[0]+b[1]*s[1])) / z
		var mean, sq float64
		for _, sh := range share {
			mean += sh[j] / batches
		}
		for _, sh := range share {
			sq += (sh[j] - mean) * (sh[j] - mean)
		}
		se := math.Sqrt(sq / (batches - 1) / batches)
		if math.Abs(mean-want) > 3*se {
			t.Errorf("P(%s) = %.5f, want %.5f +- %.5f (3 SE)", name, mean, want, 3*se)
		}
	}
}

// TestGinzburgHalfActive checks NEST's default ginzburg unit (c1 = 0,
// c2 = 1, c3 = 1) at theta = 0 without input: p = 1/2 exactly, so the
// fraction of n updates after which it is active is within 4 standard
// errors, 2/sqrt(n), of 1/2.
func TestGinzburgHalfActive(t *testing.T) {
	t.Parallel()
	nw := NewNetwork("ginzburg")
	if err := nw.AddPopulation(&BinaryNeuronPopulation{Name: "g", N: 1, Tau: 10, Gain: GinzburgGain{C2: 1, C3: 1}}); err != nil {
		t.Fatal(err)
	}
	const steps = 100000
	initial, log := runLogged(t, nw, Options{Seed: 3}, 0, steps, 1000)
	updates, active := activeAfterUpdates(initial, log)
	got := float64(active[0]) / float64(updates[0])
	if tol := 4 * 0.5 / math.Sqrt(steps); math.Abs(got-0.5) > tol {
		t.Errorf("active after %.4f of updates, want 0.5 +- %.4f", got, tol)
	}
}

// TestGainProb checks each gain function at points computed by hand.
func TestGainProb(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name     string
		g        Gain
		h, theta float64
		want     float64
	}{
		{"erfc at threshold", ErfcGain{Sigma: 2}, 1, 1, 0.5},
		{"erfc one sigma above", ErfcGain{Sigma: 2}, 3, 1, 0.5 * math.Erfc(-1/math.Sqrt2)},
		{"ginzburg tanh", GinzburgGain{C2: 1, C3: 1}, 0.5, 0, (1 + math.Tanh(0.5)) / 2},
		{"ginzburg linear clipped above", GinzburgGain{C1: 1}, 3, 0, 1},
		{"ginzburg linear clipped below", GinzburgGain{C1: 1}, -3, 0, 0},
		{"ginzburg linear", GinzburgGain{C1: 0.25}, 2, 0, 0.5},
		{"logistic", LogisticGain{Beta: 2}, 1, 0.5, 1 / (1 + math.Exp(-1))},
		{"logistic beta 0", LogisticGain{}, 5, -5, 0.5},
		{"glauber as ginzburg", GinzburgGain{C2: 1, C3: 0.25}, 1, -0.2, 1 / (1 + math.Exp(-0.5*1.2))},
		{"func", GainFunc(func(h, theta float64) float64 { return h * theta }), 0.5, 0.5, 0.25},
	} {
		if got := c.g.Prob(c.h, c.theta); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("%s: Prob(%g, %g) = %.17g, want %.17g", c.name, c.h, c.theta, got, c.want)
		}
	}
}

// gainNetwork is a small connected network of stochastic units of every
// gain type, with a threshold population among them.
func gainNetwork(t *testing.T, f GainFunc) *Network {
	t.Helper()
	nw := NewNetwork("gains")
	pops := []*BinaryNeuronPopulation{
		{Name: "erfc", N: 40, Tau: 10, Threshold: 0.5, Gain: ErfcGain{Sigma: 0.3}},
		{Name: "ginzburg", N: 30, Tau: 5, Threshold: 0.2, Gain: GinzburgGain{C1: 0.1, C2: 0.8, C3: 2}},
		{Name: "logistic", N: 20, Tau: 8, Threshold: 0.4, Gain: LogisticGain{Beta: 4}},
		{Name: "func", N: 10, Tau: 4, Threshold: 0.1, Gain: f},
		{Name: "threshold", N: 25, Tau: 6, Threshold: 0.3},
	}
	for _, p := range pops {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	for i, pre := range pops {
		j := 0.04 // excitatory from the first three, inhibitory from the others
		if i >= 3 {
			j = -0.06
		}
		for _, post := range pops {
			if err := nw.AddSynapse(NewPairwiseBernoulliSynapse(pre, post, 0.2, j)); err != nil {
				t.Fatal(err)
			}
		}
	}
	return nw
}

func sigmoidFunc(h, theta float64) float64 { return 1 / (1 + math.Exp(-3*(h-theta))) }

// TestGainBatchAndModeInvariance checks that a network of stochastic
// units follows the same trajectory for any batch size and in dense and
// sparse mode.
func TestGainBatchAndModeInvariance(t *testing.T) {
	t.Parallel()
	var ref DiffLog
	for i, c := range []struct {
		mode  WeightMode
		batch int
	}{{WeightDense, 1}, {WeightDense, 997}, {WeightSparse, 1}, {WeightSparse, 5000}} {
		_, log := runLogged(t, gainNetwork(t, sigmoidFunc), Options{Seed: 11, WeightMode: c.mode, WeightType: Float64}, 0, 20000, c.batch)
		if i == 0 {
			ref = log
			continue
		}
		if !slices.Equal(log.Updates, ref.Updates) || !slices.Equal(log.Deltas, ref.Deltas) {
			t.Errorf("mode %v, batch %d: trajectory differs from dense, batch 1", c.mode, c.batch)
		}
	}
	if flips := stateChanges(ref.Deltas); flips < 1000 {
		t.Errorf("only %d state changes in 20000 steps: the stochastic units hardly move", flips)
	}
}

// TestGainCheckpointResume checks that a checkpoint of a network with
// gains, the function gain re-supplied, continues bit for bit.
func TestGainCheckpointResume(t *testing.T) {
	t.Parallel()
	opts := Options{Seed: 5, WeightMode: WeightSparse}
	full := gainNetwork(t, sigmoidFunc)
	_, want := runLogged(t, full, opts, 3000, 6000, 100)

	part := gainNetwork(t, sigmoidFunc)
	if err := part.Initialize(opts); err != nil {
		t.Fatal(err)
	}
	if err := part.Run(3000, 100); err != nil {
		t.Fatal(err)
	}
	data := checkpointOf(t, part)
	if _, err := ReadCheckpoint(bytes.NewReader(data), nil); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("restoring without the gain function: err = %v, want ErrCheckpoint", err)
	}
	if _, err := ReadCheckpoint(bytes.NewReader(data), &RestoreOptions{Gains: map[string]Gain{"func": GainFunc(sigmoidFunc), "nope": GainFunc(sigmoidFunc)}}); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("restoring with a gain for no population: err = %v, want ErrInvalidParameter", err)
	}
	back, err := ReadCheckpoint(bytes.NewReader(data), &RestoreOptions{Gains: map[string]Gain{"func": GainFunc(sigmoidFunc)}})
	if err != nil {
		t.Fatal(err)
	}
	for k, s := range back.PopulationSpecs() {
		if _, isFunc := s.Gain.(GainFunc); isFunc != (k == 3) {
			t.Errorf("restored population %q has gain %T", s.Name, s.Gain)
		}
	}
	_, got := runLogged(t, back, Options{}, 0, 6000, 77)
	if !slices.Equal(got.Updates, want.Updates) || !slices.Equal(got.Deltas, want.Deltas) {
		t.Error("resumed run differs from the uninterrupted one")
	}
}

// TestGainErrors checks invalid gain parameters and a gain function that
// returns no probability.
func TestGainErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name string
		g    Gain
	}{
		{"erfc sigma zero", ErfcGain{}},
		{"erfc sigma negative", ErfcGain{Sigma: -1}},
		{"erfc sigma inf", ErfcGain{Sigma: math.Inf(1)}},
		{"ginzburg c1 nan", GinzburgGain{C1: math.NaN()}},
		{"ginzburg c3 inf", GinzburgGain{C3: math.Inf(-1)}},
		{"logistic beta nan", LogisticGain{Beta: math.NaN()}},
		{"nil func", GainFunc(nil)},
	} {
		err := NewNetwork("bad").AddPopulation(&BinaryNeuronPopulation{Name: "p", N: 1, Tau: 1, Gain: c.g})
		if !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("%s: err = %v, want ErrInvalidParameter", c.name, err)
		}
	}
	for _, p := range []float64{-0.1, 1.5, math.NaN()} {
		nw := NewNetwork("bad prob")
		if err := nw.AddPopulation(&BinaryNeuronPopulation{Name: "p", N: 3, Tau: 1, Gain: GainFunc(func(h, theta float64) float64 { return p })}); err != nil {
			t.Fatal(err)
		}
		if err := nw.Initialize(Options{Seed: 1}); err != nil {
			t.Fatal(err)
		}
		if err := nw.Run(10, 5); !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("gain returning %v: err = %v, want ErrInvalidParameter", p, err)
		}
		if nw.Steps() != 0 {
			t.Errorf("gain returning %v: %d steps taken, want 0", p, nw.Steps())
		}
	}
}
