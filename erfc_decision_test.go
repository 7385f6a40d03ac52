package binarynet

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestErfcDecisionExact checks that every decision erfcDecision takes is
// u < Prob(h, theta): for random fields over the whole table and beyond,
// with random u and with u at the representable numbers next to Prob,
// where an error of the table would show, and at the table's ends.
func TestErfcDecisionExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const ulp = 1.0 / (1 << 53) // the step of uniform01
	for _, sigma := range []float64{0.02, 0.3, 1, 7.5} {
		g := ErfcGain{Sigma: sigma}
		dec := newErfcDecision(sigma, newErfcTable())
		taken, asked := 0, 0
		check := func(x, u float64) {
			asked++
			on, ok := dec.decide(u, x)
			if !ok {
				return
			}
			taken++
			if want := u < g.Prob(x, 0); on != want {
				t.Fatalf("sigma %v, x %v, u %v: decided %v, want %v", sigma, x, u, on, want)
			}
		}
		for range 200_000 {
			d := (rng.Float64()*2 - 1) * 1.2 * erfcSpan
			x := d * math.Sqrt2 * sigma
			check(x, uniform01(rand.NewPCG(rng.Uint64(), 0)))
			p := g.Prob(x, 0)
			k := math.Floor(p / ulp)
			for _, dk := range []float64{-2, -1, 0, 1, 2} {
				if u := (k + dk) * ulp; u >= 0 && u < 1 {
					check(x, u)
				}
			}
		}
		for _, d := range []float64{erfcSpan, -erfcSpan, math.Nextafter(erfcSpan, 0), math.Nextafter(-erfcSpan, 0), 0, math.Inf(1), math.Inf(-1)} {
			for _, u := range []float64{0, ulp, 0.5, 1 - ulp} {
				check(d*math.Sqrt2*sigma, u)
			}
		}
		// Most decisions need no erfc: all but those near Prob (5 of the 6
		// draws per field are there on purpose) and u = 0.
		if taken < asked/7 {
			t.Errorf("sigma %v: decided %d of %d without erfc", sigma, taken, asked)
		}
	}
}

// TestErfcDecisionTrajectory checks that units of an ErfcGain follow the
// trajectory they follow when their probability is evaluated at every
// update (the same gain as a GainFunc, which erfcDecision does not
// serve), in both weight modes.
func TestErfcDecisionTrajectory(t *testing.T) {
	t.Parallel()
	build := func(gain Gain) *Network {
		nw := NewNetwork("erfc")
		e := &BinaryNeuronPopulation{Name: "E", N: 400, Tau: 10, Threshold: 1, Gain: gain}
		i := &BinaryNeuronPopulation{Name: "I", N: 100, Tau: 5, Threshold: 0.8, Gain: gain}
		for _, p := range []Population{e, i} {
			if err := nw.AddPopulation(p); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range []Synapse{
			NewPairwiseBernoulliSynapse(e, e, 0.1, 0.2),
			NewPairwiseBernoulliSynapse(i, e, 0.1, -0.5),
			NewPairwiseBernoulliSynapse(e, i, 0.1, 0.2),
			NewPairwiseBernoulliSynapse(i, i, 0.1, -0.5),
		} {
			if err := nw.AddSynapse(s); err != nil {
				t.Fatal(err)
			}
		}
		return nw
	}
	for _, mode := range []WeightMode{WeightDense, WeightSparse} {
		for _, sigma := range []float64{0.05, 0.5} {
			g := ErfcGain{Sigma: sigma}
			opts := Options{Seed: 5, WeightMode: mode}
			_, fast := runLogged(t, build(g), opts, 5000, 50000, 1000)
			_, slow := runLogged(t, build(GainFunc(g.Prob)), opts, 5000, 50000, 1000)
			if !slices.Equal(fast.Updates, slow.Updates) || !slices.Equal(fast.Deltas, slow.Deltas) {
				t.Errorf("mode %v, sigma %v: the trajectory differs from that of the gain evaluated at every update", mode, sigma)
			}
			if flips := stateChanges(fast.Deltas); flips < 1000 {
				t.Errorf("mode %v, sigma %v: only %d state changes", mode, sigma, flips)
			}
		}
	}
}

// BenchmarkErfcDecision times one decision of an ErfcGain unit with Sigma
// 0.5, from the table with its fallback and from erfc alone, over fields
// spread as N(0, 1) around the threshold.
func BenchmarkErfcDecision(b *testing.B) {
	g := ErfcGain{Sigma: 0.5}
	dec := newErfcDecision(g.Sigma, newErfcTable())
	rng := rand.New(rand.NewPCG(1, 2))
	xs, us := make([]float64, 4096), make([]float64, 4096)
	for i := range xs {
		xs[i], us[i] = rng.NormFloat64(), rng.Float64()
	}
	var on int
	b.Run("table", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			k := i % len(xs)
			d, ok := dec.decide(us[k], xs[k])
			if !ok {
				d = us[k] < g.Prob(xs[k], 0)
			}
			if d {
				on++
			}
		}
	})
	b.Run("erfc", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			k := i % len(xs)
			if us[k] < g.Prob(xs[k], 0) {
				on++
			}
		}
	})
	if on < 0 {
		b.Fatal(on)
	}
}
