package binarynet_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/binarynet/binarynet"
)

// activityNet builds a clustered network of Q = 4 clusters of 100 E and 40
// I units with the given initial states and returns the number of active
// units of each population, in layout order.
func activityNet(t *testing.T, ia *binarynet.InitialActivity, rates []float64) ([]int, *binarynet.ClusteredLayout) {
	t.Helper()
	p := binarynet.DefaultClusteredParams()
	p.NE, p.NI, p.Q, p.REPlus = 400, 160, 4, new(2.0)
	p.InitialActivity, p.PopulationRateInit = ia, rates
	nw, l, err := binarynet.NewClusteredNetwork("init", p, binarynet.Options{Seed: 6})
	if err != nil {
		t.Fatal(err)
	}
	state, _ := nw.State(nil)
	active := make([]int, len(l.Populations))
	for k, cp := range l.Populations {
		for _, s := range state[cp.Range.Start:cp.Range.End] {
			active[k] += int(s)
		}
	}
	return active, l
}

// TestInitialActivity checks the toolkit's initial_activity on a clustered
// network: the entries apply in the order default, excitatory,
// inhibitory, excitatory_by_cluster, inhibitory_by_cluster (later wins);
// a list gives cluster k its k-th value; deterministic entries make
// exactly round(f n) units active (half to even); values are clipped to
// [0, 1]; Bernoulli entries give binomial counts, within zBound standard
// deviations; a population without an entry keeps the engine's default,
// Bernoulli 0.2.
func TestInitialActivity(t *testing.T) {
	t.Parallel()
	det := binarynet.ActivityDeterministic
	ia := &binarynet.InitialActivity{
		Mode:                binarynet.ActivityBernoulli,
		Default:             &binarynet.ActivityEntry{Values: []float64{0.5}},
		Excitatory:          &binarynet.ActivityEntry{Mode: det, Values: []float64{0.25}},
		ExcitatoryByCluster: &binarynet.ActivityEntry{Mode: det, Values: []float64{0.125, 1.5, -1, 0.335}},
	}
	active, l := activityNet(t, ia, nil)
	// E0: 0.125*100 = 12.5 -> 12 (half to even); E1: 1.5 -> 1 -> 100;
	// E2: -1 -> 0; E3: 33.5 -> 34.
	for k, want := range []int{12, 100, 0, 34} {
		if active[k] != want {
			t.Errorf("E%d: %d active, want exactly %d", k, active[k], want)
		}
	}
	// I clusters: the default, Bernoulli 0.5 over 40 units.
	for k := 4; k < 8; k++ {
		if mean, sd := 20.0, math.Sqrt(40*0.25); !withinZ(float64(active[k]), mean, sd) {
			t.Errorf("%s: %d active, want Bernoulli 0.5 of 40: %v ± %d × %.1f", l.Populations[k].Population.Name, active[k], mean, zBound, sd)
		}
	}

	// Only I entries: E keeps the engine's default, Bernoulli 0.2 (400
	// units in all); the top-level deterministic mode applies to I.
	active, _ = activityNet(t, &binarynet.InitialActivity{
		Mode:                det,
		Inhibitory:          &binarynet.ActivityEntry{Values: []float64{0.5}},
		InhibitoryByCluster: &binarynet.ActivityEntry{Values: []float64{0.1, 0.2, 0.3, 0.4}},
	}, nil)
	e := active[0] + active[1] + active[2] + active[3]
	if mean, sd := 80.0, math.Sqrt(400*0.2*0.8); !withinZ(float64(e), mean, sd) {
		t.Errorf("E without an entry: %d of 400 active, want %v ± %d × %.1f", e, mean, zBound, sd)
	}
	for k, want := range []int{4, 8, 12, 16} {
		if active[4+k] != want {
			t.Errorf("I%d: %d active, want exactly %d", k, active[4+k], want)
		}
	}

	// population_rate_init overrides initial_activity: 2Q values, exact
	// at 0 and 1.
	rates := []float64{1, 0, 1, 0, 0, 1, 0, 1}
	active, _ = activityNet(t, ia, rates)
	for k, r := range rates {
		size := 100
		if k >= 4 {
			size = 40
		}
		if want := int(r) * size; active[k] != want {
			t.Errorf("population %d with rate %v: %d active, want %d", k, r, active[k], want)
		}
	}
	// One value for all: Bernoulli 0.1 over 560 units.
	active, _ = activityNet(t, nil, []float64{0.1})
	total := 0
	for _, a := range active {
		total += a
	}
	if mean, sd := 56.0, math.Sqrt(560*0.1*0.9); !withinZ(float64(total), mean, sd) {
		t.Errorf("population_rate_init 0.1: %d of 560 active, want %v ± %d × %.1f", total, mean, zBound, sd)
	}
}

func TestFractionInit(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		f    float64
		n    int
		want int
	}{{0.25, 10, 2}, {0.35, 10, 4}, {0, 7, 0}, {1, 7, 7}, {0.5, 0, 0}, {0.5, 5, 2}} {
		dst := make([]int8, tc.n)
		for i := range dst {
			dst[i] = 1 // overwritten
		}
		if err := binarynet.FractionInit(tc.f).InitialState(dst, rng); err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, s := range dst {
			got += int(s)
		}
		if got != tc.want {
			t.Errorf("FractionInit(%v) of %d units: %d active, want %d", tc.f, tc.n, got, tc.want)
		}
	}
	// Every unit is equally likely: 2 of 10 units over 20,000 draws put
	// each unit on 4,000 times on average, with a binomial sd of
	// sqrt(20000 * 0.2 * 0.8).
	counts := make([]int, 10)
	dst := make([]int8, 10)
	for range 20_000 {
		if err := binarynet.FractionInit(0.2).InitialState(dst, rng); err != nil {
			t.Fatal(err)
		}
		for i, s := range dst {
			counts[i] += int(s)
		}
	}
	for i, c := range counts {
		if !withinZ(float64(c), 4000, math.Sqrt(20000*0.2*0.8)) {
			t.Errorf("unit %d active %d times in 20,000 draws, want 4000", i, c)
		}
	}
	for _, bad := range []float64{-0.1, 1.1, math.NaN()} {
		if err := binarynet.FractionInit(bad).InitialState(dst, rng); !errors.Is(err, binarynet.ErrInvalidParameter) {
			t.Errorf("FractionInit(%v): %v, want ErrInvalidParameter", bad, err)
		}
	}
	if err := binarynet.FractionInit(0.5).InitialState(dst, nil); !errors.Is(err, binarynet.ErrInvalidParameter) {
		t.Errorf("nil rng: %v", err)
	}
}
