package binarynet_test

import (
	"errors"
	"math"
	"testing"

	"github.com/binarynet/binarynet"
)

// TestTimeAxis checks the steps-to-time conversion on the toolkit's
// default model (section 5 of its facts): 8000/10 + 2000/5 = 1,200 steps
// per ms, so 12,000,000 steps are 10 s and 12,000 steps a 10 ms bin. The
// conversion is the same before and after Initialize.
func TestTimeAxis(t *testing.T) {
	t.Parallel()
	// The populations of the default model, without its synapses.
	p := binarynet.DefaultClusteredParams()
	p.REPlus = new(7.25)
	l, err := p.Layout()
	if err != nil {
		t.Fatal(err)
	}
	nw := binarynet.NewNetwork("axis")
	for _, cp := range l.Populations {
		if err := nw.AddPopulation(cp.Population); err != nil {
			t.Fatal(err)
		}
	}
	mustInit(t, nw, binarynet.Options{})
	if rate, err := nw.StepsPerTimeUnit(); err != nil || rate != 1200 {
		t.Errorf("StepsPerTimeUnit = %v, %v; want 1200", rate, err)
	}
	if ms, err := nw.StepsToTime(12_000_000); err != nil || ms != 10_000 {
		t.Errorf("StepsToTime(12e6) = %v, %v; want 10000 ms", ms, err)
	}
	for _, tc := range []struct {
		t    float64
		want int64
	}{{10, 12_000}, {0, 0}, {1.0 / 2400, 1}, {1.0 / 3000, 0}} {
		if steps, err := nw.TimeToSteps(tc.t); err != nil || steps != tc.want {
			t.Errorf("TimeToSteps(%v) = %v, %v; want %d", tc.t, steps, err, tc.want)
		}
	}
	for _, bad := range []float64{-1, math.NaN(), math.Inf(1), 1e300} {
		if _, err := nw.TimeToSteps(bad); !errors.Is(err, binarynet.ErrInvalidParameter) {
			t.Errorf("TimeToSteps(%v): %v, want ErrInvalidParameter", bad, err)
		}
	}

	// Before Initialize, with a background population, which is drawn too.
	raw := binarynet.NewNetwork("raw")
	for _, pop := range []binarynet.Population{
		&binarynet.BinaryNeuronPopulation{Name: "A", N: 30, Tau: 3},
		&binarynet.BackgroundActivity{Name: "B", N: 10, Tau: 2, Activity: 0.5},
	} {
		if err := raw.AddPopulation(pop); err != nil {
			t.Fatal(err)
		}
	}
	if rate, err := raw.StepsPerTimeUnit(); err != nil || rate != 15 {
		t.Errorf("StepsPerTimeUnit before Initialize = %v, %v; want 30/3 + 10/2 = 15", rate, err)
	}
	mustInit(t, raw, binarynet.Options{})
	if rate, err := raw.StepsPerTimeUnit(); err != nil || rate != 15 {
		t.Errorf("StepsPerTimeUnit after Initialize = %v, %v; want 15", rate, err)
	}
	if _, err := binarynet.NewNetwork("empty").StepsPerTimeUnit(); !errors.Is(err, binarynet.ErrInvalidParameter) {
		t.Errorf("empty network: %v, want ErrInvalidParameter", err)
	}
}

// TestStepsPerTimeUnitReadsCopies: changing a population after adding it
// does not change the time axis, which follows the copy the network took
// (StepsPerTimeUnit read the live struct, while the clock and the selector
// used the copy).
func TestStepsPerTimeUnitReadsCopies(t *testing.T) {
	nw := binarynet.NewNetwork("copies")
	p := &binarynet.BinaryNeuronPopulation{Name: "E", N: 100, Tau: 10}
	if err := nw.AddPopulation(p); err != nil {
		t.Fatal(err)
	}
	p.Tau = 1
	rate, err := nw.StepsPerTimeUnit()
	if err != nil || rate != 10 {
		t.Errorf("StepsPerTimeUnit after changing Tau = %v, %v; want 10 (100 units / tau 10)", rate, err)
	}
}
