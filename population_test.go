package binarynet_test

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/binarynet/binarynet"
)

// initialState initializes a network with one population of n units and
// the given initializer and returns its state.
func initialState(t *testing.T, n int, init binarynet.Initializer, seed uint64) ([]int8, error) {
	t.Helper()
	nw := binarynet.NewNetwork("init")
	if err := nw.AddPopulation(&binarynet.BinaryNeuronPopulation{Name: "P", N: n, Tau: 1, Initializer: init}); err != nil {
		return nil, err
	}
	// Sparse: with WeightAuto a 20000-unit network would allocate a
	// 1.6 GB dense matrix.
	if err := nw.Initialize(binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: seed}); err != nil {
		return nil, err
	}
	return nw.State(nil)
}

func countActive(s []int8) int {
	k := 0
	for _, v := range s {
		k += int(v)
	}
	return k
}

// TestInitializers checks every initializer: a constant, one value per
// unit, a function of N, and Bernoulli with its default probability 0.2,
// whose active count must lie in the binomial confidence interval.
func TestInitializers(t *testing.T) {
	t.Parallel()
	for _, c := range []binarynet.ConstantInit{0, 1} {
		s, err := initialState(t, 17, c, 1)
		if err != nil {
			t.Fatal(err)
		}
		if want := int(c) * 17; countActive(s) != want {
			t.Errorf("ConstantInit(%d): %d active, want %d", c, countActive(s), want)
		}
	}
	values := binarynet.ValuesInit{1, 0, 0, 1, 1, 0, 1}
	s, err := initialState(t, len(values), values, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s, values) {
		t.Errorf("ValuesInit: state %v, want %v", s, values)
	}
	var gotN int
	alternate := binarynet.FuncInit(func(n int) []int8 {
		gotN = n
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(i % 2)
		}
		return v
	})
	s, err = initialState(t, 9, alternate, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int8{0, 1, 0, 1, 0, 1, 0, 1, 0}; gotN != 9 || !slices.Equal(s, want) {
		t.Errorf("FuncInit: called with %d, state %v, want 9 and %v", gotN, s, want)
	}

	const n = 20000
	for _, tc := range []struct {
		name string
		init binarynet.Initializer
		p    float64
	}{
		{"default (nil)", nil, 0.2}, // the Python module's default
		{"BernoulliInit(0.2)", binarynet.BernoulliInit(0.2), 0.2},
		{"BernoulliInit(0.65)", binarynet.BernoulliInit(0.65), 0.65},
		{"BernoulliInit(0)", binarynet.BernoulliInit(0), 0},
		{"BernoulliInit(1)", binarynet.BernoulliInit(1), 1},
	} {
		s, err := initialState(t, n, tc.init, 2)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		// Binomial(n, p): mean n p, sd sqrt(n p (1-p)); exact at p = 0, 1.
		if got, sd := float64(countActive(s)), math.Sqrt(n*tc.p*(1-tc.p)); !withinZ(got, n*tc.p, sd) {
			t.Errorf("%s: %v of %d active, want %.0f ± %.0f", tc.name, got, n, n*tc.p, zBound*sd)
		}
	}
	// The default draws of two populations come from different streams.
	nw := binarynet.NewNetwork("two")
	for _, name := range []string{"A", "B"} {
		if err := nw.AddPopulation(&binarynet.BinaryNeuronPopulation{Name: name, N: 500, Tau: 1}); err != nil {
			t.Fatal(err)
		}
	}
	mustInit(t, nw, binarynet.Options{Seed: 3})
	both, _ := nw.State(nil)
	if slices.Equal(both[:500], both[500:]) {
		t.Error("two populations with the default initializer got the same initial state")
	}
}

// TestInitializerErrors checks that a wrong length or values other than
// 0/1 make Initialize fail with ErrInvalidParameter, naming the problem.
func TestInitializerErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		init binarynet.Initializer
	}{
		{"values too short", binarynet.ValuesInit{0, 1}},
		{"values too long", binarynet.ValuesInit{0, 1, 0, 1}},
		{"value 2", binarynet.ValuesInit{0, 2, 1}},
		{"value -1", binarynet.ValuesInit{0, -1, 1}},
		{"func wrong length", binarynet.FuncInit(func(int) []int8 { return []int8{1} })},
		{"func value 7", binarynet.FuncInit(func(n int) []int8 { v := make([]int8, n); v[1] = 7; return v })},
		{"constant 2", binarynet.ConstantInit(2)},
		{"bernoulli 1.5", binarynet.BernoulliInit(1.5)},
		{"bernoulli NaN", binarynet.BernoulliInit(math.NaN())},
	} {
		if _, err := initialState(t, 3, tc.init, 1); !errors.Is(err, binarynet.ErrInvalidParameter) {
			t.Errorf("%s: error %v, want ErrInvalidParameter", tc.name, err)
		}
	}
}

// TestBackgroundDrivesNetwork checks that background activity reaches the
// network (the reference's fault 2: its background never does): a
// population whose only input is an active background population switches
// on, and stays off when the background is silent.
func TestBackgroundDrivesNetwork(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		activity   float64
		stochastic bool
		wantOn     int
	}{
		{1, false, 20},   // field 10*0.1 = 1 > 0.5 for every unit
		{0, false, 0},    // field 0, not above 0.5
		{1, true, 20},    // stochastic with probability 1: the same
		{0.5, false, 20}, // 5 active background units, J = 0.125: field 0.625
	} {
		for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
			nw := binarynet.NewNetwork("driven")
			bg := &binarynet.BackgroundActivity{Name: "X", N: 10, Tau: 1, Activity: tc.activity, Stochastic: tc.stochastic}
			pop := &binarynet.BinaryNeuronPopulation{Name: "P", N: 20, Tau: 1, Threshold: 0.5, Initializer: binarynet.ConstantInit(0)}
			for _, p := range []binarynet.Population{bg, pop} {
				if err := nw.AddPopulation(p); err != nil {
					t.Fatal(err)
				}
			}
			// J = 0.1 with activity 1 gives field 1; with 5 of 10 units
			// active the field is 0.5, not above 0.5, so use J = 0.125
			// there: 0.625 > 0.5.
			j := 0.1
			if tc.activity == 0.5 {
				j = 0.125
			}
			mustAdd(t, nw, binarynet.NewAllToAllSynapse(bg, pop, j))
			mustInit(t, nw, binarynet.Options{WeightMode: mode, Seed: 31})
			s, _ := nw.State(nil)
			if got, want := countActive(s[:10]), int(math.Round(tc.activity*10)); got != want && !tc.stochastic {
				t.Errorf("activity %v: %d background units active, want %d", tc.activity, got, want)
			}
			if err := nw.Run(3000, 100); err != nil { // 100 sweeps of 30 units
				t.Fatal(err)
			}
			s, _ = nw.State(nil)
			if got := countActive(s[10:]); got != tc.wantOn {
				t.Errorf("activity %v, stochastic %v, %v: %d of 20 driven units on, want %d", tc.activity, tc.stochastic, mode, got, tc.wantOn)
			}
		}
	}
}

// TestBackgroundDeterministic checks that a deterministic background
// population has exactly round(Activity*N) active units, chosen at random,
// and that updates never change them.
func TestBackgroundDeterministic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		bg   *binarynet.BackgroundActivity
		want int
	}{
		{&binarynet.BackgroundActivity{Name: "X", N: 1000, Tau: 1, Activity: 0.37}, 370},
		{&binarynet.BackgroundActivity{Name: "X", N: 1000, Tau: 1, Activity: 1}, 1000},
		{&binarynet.BackgroundActivity{Name: "X", N: 1000, Tau: 1}, 0}, // zero value: silent
		{&binarynet.BackgroundActivity{Name: "X", N: 1000, Tau: 1, ActivityFunc: func(int64) float64 { return 0.123 }}, 123},
	} {
		nw := binarynet.NewNetwork("bg")
		if err := nw.AddPopulation(tc.bg); err != nil {
			t.Fatal(err)
		}
		mustInit(t, nw, binarynet.Options{Seed: 32})
		s0, _ := nw.State(nil)
		if got := countActive(s0); got != tc.want {
			t.Errorf("activity %v: %d active, want exactly %d", tc.bg.Activity, got, tc.want)
		}
		if tc.want == 370 && (countActive(s0[:500]) == 0 || countActive(s0[500:]) == 0) {
			t.Errorf("active units not spread over the population")
		}
		log, s, _ := trace(t, nw, [2]int{20000, 1000})
		if flips(log) != 0 || !slices.Equal(s, s0) {
			t.Errorf("activity %v: a deterministic background changed state (%d changes)", tc.bg.Activity, flips(log))
		}
	}
}

// TestBackgroundStochastic checks that a drawn unit of a stochastic
// background population redraws its state, active with probability
// Activity whatever its previous state: binomial bounds on the new states
// after drawn-while-off and drawn-while-on units, and on the initial
// state.
func TestBackgroundStochastic(t *testing.T) {
	t.Parallel()
	const (
		n     = 2000
		a     = 0.3
		steps = 100000
	)
	nw := binarynet.NewNetwork("bg")
	if err := nw.AddPopulation(&binarynet.BackgroundActivity{Name: "X", N: n, Tau: 1, Activity: a, Stochastic: true}); err != nil {
		t.Fatal(err)
	}
	mustInit(t, nw, binarynet.Options{Seed: 33})
	s0, _ := nw.State(nil)
	if got, sd := float64(countActive(s0)), math.Sqrt(n*a*(1-a)); !withinZ(got, n*a, sd) {
		t.Errorf("%v of %d initially active, want %.0f ± %.0f", got, n, n*a, zBound*sd)
	}
	log, _, _ := trace(t, nw, [2]int{steps, 4096})
	state := slices.Clone(s0)
	var draws, on [2]int // indexed by the state before the draw
	for k, u := range log.Updates {
		old := state[u]
		state[u] += log.Deltas[k]
		draws[old]++
		on[old] += int(state[u])
	}
	for old := range 2 {
		m := float64(draws[old])
		if got, sd := float64(on[old]), math.Sqrt(m*a*(1-a)); !withinZ(got, m*a, sd) {
			t.Errorf("units drawn in state %d: %v of %v become active, want %.0f ± %.0f", old, got, m, m*a, zBound*sd)
		}
	}
}

// TestActivityFunc checks that a stochastic background population calls
// ActivityFunc with the current step count (0 at initialization) and
// redraws with the probability it returns.
func TestActivityFunc(t *testing.T) {
	t.Parallel()
	const (
		n       = 100
		cutStep = 3000
		steps   = 6000
	)
	var calls []int64
	bg := &binarynet.BackgroundActivity{Name: "X", N: n, Tau: 1, Stochastic: true, ActivityFunc: func(step int64) float64 {
		calls = append(calls, step)
		if step < cutStep {
			return 1
		}
		return 0
	}}
	nw := binarynet.NewNetwork("func")
	if err := nw.AddPopulation(bg); err != nil {
		t.Fatal(err)
	}
	mustInit(t, nw, binarynet.Options{Seed: 34})
	if s, _ := nw.State(nil); countActive(s) != n {
		t.Fatalf("ActivityFunc(0) = 1, but %d of %d units start active", countActive(s), n)
	}
	if !slices.Equal(calls, []int64{0}) {
		t.Fatalf("Initialize called ActivityFunc with %v, want [0]", calls)
	}
	calls = calls[:0]
	log, s, _ := trace(t, nw, [2]int{steps, 700})
	for k := range calls {
		if calls[k] != int64(k) {
			t.Fatalf("call %d of ActivityFunc got step %d, want %d", k, calls[k], k)
		}
	}
	if len(calls) != steps {
		t.Fatalf("ActivityFunc called %d times in %d steps of a background-only network", len(calls), steps)
	}
	for k, d := range log.Deltas {
		if k < cutStep && d != 0 {
			t.Fatalf("step %d: delta %d while the activity is 1 and every unit is on", k, d)
		}
	}
	// After the switch, every drawn unit turns off; 3000 draws over 100
	// units miss a given unit with probability (1-1/100)^3000 ~ 1e-13.
	if countActive(s) != 0 {
		t.Errorf("%d units still active after the activity dropped to 0", countActive(s))
	}
}

// buildEI builds and initializes a two-population network from e and i and
// runs it for steps with a diff log; it returns the network, the initial
// state and the log.
func buildEI(t testing.TB, e, i *binarynet.BinaryNeuronPopulation, steps int) (*binarynet.Network, []int8, binarynet.DiffLog) {
	t.Helper()
	nw := binarynet.NewNetwork("ei")
	for _, p := range []binarynet.Population{e, i} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []binarynet.Synapse{
		binarynet.NewPairwiseBernoulliSynapse(e, e, 0.2, 0.5),
		binarynet.NewPairwiseBernoulliSynapse(i, e, 0.4, -1),
		binarynet.NewPairwiseBernoulliSynapse(e, i, 0.4, 0.5),
	} {
		if err := nw.AddSynapse(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := nw.Initialize(binarynet.Options{Seed: 3}); err != nil {
		t.Fatal(err)
	}
	s0, err := nw.State(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableDiffLogging(steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(steps, 100); err != nil {
		t.Fatal(err)
	}
	return nw, s0, nw.ConsumeDiffLog()
}

// networkView is everything a network reports about its populations.
type networkView struct {
	n      int
	ranges []binarynet.Range
	rangeE binarynet.Range
	specs  []binarynet.PopulationSpec
	rates  [][]float64
}

func viewOf(nw *binarynet.Network, e binarynet.Population, s0 []int8, log binarynet.DiffLog) (networkView, error) {
	v := networkView{n: nw.N(), ranges: nw.PopulationRanges(), specs: nw.PopulationSpecs()}
	var err error
	if v.rangeE, err = nw.PopulationRange(e); err != nil {
		return v, err
	}
	v.rates, err = nw.PopulationRatesFromDiffLogs(s0, log, 50)
	return v, err
}

func mustView(t *testing.T, nw *binarynet.Network, e binarynet.Population, s0 []int8, log binarynet.DiffLog) networkView {
	t.Helper()
	v, err := viewOf(nw, e, s0, log)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (v networkView) equal(w networkView) bool {
	return v.n == w.n && slices.Equal(v.ranges, w.ranges) && v.rangeE == w.rangeE &&
		slices.Equal(v.specs, w.specs) &&
		slices.EqualFunc(v.rates, w.rates, func(a, b []float64) bool { return slices.Equal(a, b) })
}

// TestIssue9LivePopulationAfterInitialize changes a population struct after
// Initialize, as a parameter sweep reusing the struct does: the network's
// size, ranges, specs and rates must not change. The old code recomputed
// PopulationRange and the rates from the live struct.
func TestIssue9LivePopulationAfterInitialize(t *testing.T) {
	t.Parallel()
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 80, Tau: 10, Threshold: 0.5}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 20, Tau: 5, Threshold: 0.5}
	nw, s0, log := buildEI(t, e, i, 2000)
	before := mustView(t, nw, e, s0, log)
	want := []binarynet.PopulationSpec{
		{Name: "E", N: 80, Tau: 10, Threshold: 0.5, Kind: binarynet.KindNeuron},
		{Name: "I", N: 20, Tau: 5, Threshold: 0.5, Kind: binarynet.KindNeuron},
	}
	if !slices.Equal(before.specs, want) || before.rangeE != (binarynet.Range{Start: 0, End: 80}) || before.n != 100 {
		t.Fatalf("before: specs %v, range of E %v, N %d", before.specs, before.rangeE, before.n)
	}
	e.N, e.Name, e.Tau, e.Threshold = 30, "E'", 1, 2
	i.N = 500
	if after := mustView(t, nw, e, s0, log); !after.equal(before) {
		t.Errorf("after changing the structs: N %d, ranges %v, range of E %v, specs %v; want %d, %v, %v, %v",
			after.n, after.ranges, after.rangeE, after.specs, before.n, before.ranges, before.rangeE, before.specs)
	}
	if got := e.Spec(); got != (binarynet.PopulationSpec{Name: "E'", N: 30, Tau: 1, Threshold: 2, Kind: binarynet.KindNeuron}) {
		t.Errorf("e.Spec() = %+v, want the struct's current fields", got)
	}
}

// TestIssue9LivePopulationBeforeInitialize changes a population after
// AddPopulation and before Initialize: the network keeps what it was given
// when the population was added, so N() and the ranges seen before
// Initialize stay true after it.
func TestIssue9LivePopulationBeforeInitialize(t *testing.T) {
	t.Parallel()
	nw := binarynet.NewNetwork("x")
	a := &binarynet.BinaryNeuronPopulation{Name: "A", N: 10, Tau: 1, Initializer: binarynet.ConstantInit(1)}
	b := &binarynet.BackgroundActivity{Name: "B", N: 5, Tau: 1, Activity: 1}
	for _, p := range []binarynet.Population{a, b} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	rb, _ := nw.PopulationRange(b)
	a.N, a.Initializer, b.Activity = 1000, binarynet.ConstantInit(0), 0
	if err := nw.Initialize(binarynet.Options{}); err != nil {
		t.Fatal(err)
	}
	s, _ := nw.State(nil)
	if len(s) != 15 || nw.N() != 15 || countActive(s) != 15 {
		t.Errorf("state %v (N() = %d), want 15 active units as added", s, nw.N())
	}
	if r, _ := nw.PopulationRange(b); r != rb || r != (binarynet.Range{Start: 10, End: 15}) {
		t.Errorf("range of B %v after Initialize, %v before, want [10, 15)", r, rb)
	}
}

// TestIssue9SharedPopulationsRace shares population structs between
// networks on goroutines while the owner of the structs changes them for
// the next network of a sweep. Each network must keep its own view (the
// old code read the structs in PopulationRange and the rate helpers: wrong
// values, and a data race under -race).
func TestIssue9SharedPopulationsRace(t *testing.T) {
	t.Parallel()
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 80, Tau: 10, Threshold: 0.5}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 20, Tau: 5, Threshold: 0.5}
	const sweeps = 3
	var wg sync.WaitGroup
	changed := make(chan struct{})
	errs := make(chan string, 2*sweeps)
	for k := range sweeps {
		nw, s0, log := buildEI(t, e, i, 500)
		want := mustView(t, nw, e, s0, log)
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Unsynchronized with the struct changes below: a read of a
			// struct here is a data race.
			if got, err := viewOf(nw, e, s0, log); err != nil || !got.equal(want) {
				errs <- fmt.Sprintf("network %d while the structs change (%v)", k, err)
			}
			<-changed
			if got, err := viewOf(nw, e, s0, log); err != nil || !got.equal(want) {
				errs <- fmt.Sprintf("network %d after the structs changed (%v)", k, err)
			}
		}()
		e.N, i.N = e.N+10, i.N+5 // the next network of the sweep
		e.Name = "E" + string(rune('0'+k))
	}
	close(changed)
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error("network view changed " + msg)
	}
}
