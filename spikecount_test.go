package binarynet

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSpikeCountStatisticsHandMade(t *testing.T) {
	t.Parallel()
	// Unit 0 switches on at steps 0, 3, 7, 10 (intervals 3, 4, 3), unit 1
	// at steps 2 and 6.
	log := DiffLog{
		Updates: []int32{0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1},
		Deltas:  []int8{1, -1, 1, 1, -1, -1, 1, 1, -1, 0, 1, 0},
	}
	nan := math.NaN()
	for _, tc := range []struct {
		name           string
		window         int
		fano           []float64
		popFano        float64
		meanFano       float64
		windows, units int
	}{
		// Windows of 4: unit 0 counts 2 1 1 (mean 4/3, variance 2/9), unit
		// 1 counts 1 1 0 (mean 2/3, variance 2/9), the sum 3 2 1 (mean 2,
		// variance 2/3).
		{"window 4", 4, []float64{1.0 / 6, 1.0 / 3}, 1.0 / 3, 0.25, 3, 2},
		// Windows of 5 ([0, 5), [5, 10); the onset at 10 is after them):
		// unit 0 counts 2 1, unit 1 1 1, the sum 3 2.
		{"window 5", 5, []float64{1.0 / 6, 0}, 0.25 / 2.5, 1.0 / 12, 2, 2},
		// One window of 12: no variance.
		{"window 12", 12, []float64{0, 0}, 0, 0, 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := SpikeCountStatistics([]int8{0, 0, 0}, log, tc.window, []Range{{0, 2}})
			if err != nil {
				t.Fatal(err)
			}
			if s.Windows != tc.windows || s.Onsets[0] != 4 || s.Onsets[1] != 2 || s.Onsets[2] != 0 {
				t.Fatalf("windows %d, onsets %v, want %d, [4 2 0]", s.Windows, s.Onsets, tc.windows)
			}
			for u, want := range tc.fano {
				if !agreeNaN(s.Fano[u], want) {
					t.Errorf("Fano[%d] = %v, want %v", u, s.Fano[u], want)
				}
			}
			p := s.Pops[0]
			if !agreeNaN(p.Fano, tc.popFano) || !agreeNaN(p.MeanFano, tc.meanFano) || p.UnitsFano != tc.units {
				t.Errorf("population Fano %v, mean %v over %d units, want %v, %v over %d", p.Fano, p.MeanFano, p.UnitsFano, tc.popFano, tc.meanFano, tc.units)
			}
			// Intervals 3 4 3: mean 10/3, variance 34/3 - 100/9 = 2/9.
			for _, c := range []struct {
				name      string
				got, want float64
			}{
				{"rate[0]", s.Rate[0], 4.0 / 12},
				{"CV[0]", s.CV[0], math.Sqrt(2.0/9) / (10.0 / 3)},
				{"CV2[0]", s.CV2[0], 2.0 / 7}, // 2 |4-3| / 7 twice
				{"CV[1]", s.CV[1], nan},       // one interval
				{"CV2[1]", s.CV2[1], nan},
				{"Fano[2]", s.Fano[2], nan}, // no onsets
				{"population rate", p.Rate, 6.0 / 2 / 12},
				{"mean CV", p.MeanCV, math.Sqrt(2.0/9) / (10.0 / 3)},
			} {
				if !agreeNaN(c.got, c.want) {
					t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
				}
			}
			if p.UnitsCV != 1 || p.UnitsCV2 != 1 {
				t.Errorf("CV over %d units, CV2 over %d, want 1, 1", p.UnitsCV, p.UnitsCV2)
			}
		})
	}
}

// agreeNaN reports whether a and b agree to 1e-12 or are both NaN.
func agreeNaN(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12 || math.IsNaN(a) && math.IsNaN(b)
}

// independentLog simulates n independent units: each step updates a unit
// drawn uniformly, which becomes 1 with probability p, else 0; the initial
// state is drawn from the same distribution (stationary).
func independentLog(seed uint64, n, steps int, p float64) ([]int8, DiffLog) {
	rng := rand.New(rand.NewPCG(seed, 17))
	initial := make([]int8, n)
	for i := range initial {
		if rng.Float64() < p {
			initial[i] = 1
		}
	}
	state := append([]int8(nil), initial...)
	log := DiffLog{Updates: make([]int32, steps), Deltas: make([]int8, steps)}
	for t := range steps {
		u := rng.IntN(n)
		next := int8(0)
		if rng.Float64() < p {
			next = 1
		}
		log.Updates[t], log.Deltas[t] = int32(u), next-state[u]
		state[u] = next
	}
	return initial, log
}

// TestSpikeCountStatisticsIndependentUnits checks rates, Fano factors and
// CVs of independent units that are active with probability p after each
// update against their exact values, within 3 standard errors.
//
// With N units, a unit is updated in each step with probability 1/N
// (tau = N steps), so its onset indicator X_t has mean r = p(1-p)/N: the
// onset rate p(1-p)/tau. Given an onset at t, an onset at t+k needs a
// resampling to 0 in between (probability (1-p)(1 - lambda^(k-1)),
// lambda = 1 - 1/N) and an update to 1 at t+k, so Cov(X_t, X_t+k) =
// -r^2 lambda^(k-1), and the count in w steps has variance
// w r(1-r) - 2 r^2 sum_{k=1}^{w-1} (w-k) lambda^(k-1). An interval is the
// sum of two geometric waiting times, for the switch off (success
// probability (1-p)/N) and the switch on (p/N), which gives CV^2. For
// w >> tau both tend to p^2 + (1-p)^2 - r: 0.5 at p = 0.5, 0.68 at
// p = 0.2 (the -r is the discreteness of the steps).
//
// Standard errors: the N units are identically distributed and nearly
// independent (they share only the choice of the updated unit), so the
// SE of the mean over units of a per-unit estimate is the SD of the
// estimates over units / sqrt(N).
func TestSpikeCountStatisticsIndependentUnits(t *testing.T) {
	t.Parallel()
	const n = 50
	steps := 10_000_000
	if testing.Short() {
		steps = 2_000_000
	}
	for _, p := range []float64{0.5, 0.2} {
		initial, log := independentLog(uint64(100*p), n, steps, p)
		r := p * (1 - p) / n
		meanISI := 1/((1-p)/n) + 1/(p/n)
		window := int(50 * meanISI) // windows >> tau: within 1% of the limit
		s, err := SpikeCountStatistics(initial, log, window, []Range{{0, n}})
		if err != nil {
			t.Fatal(err)
		}
		lambda := 1 - 1.0/n
		w := float64(window)
		sum := 0.0
		for k := 1; k < window; k++ {
			sum += (w - float64(k)) * math.Pow(lambda, float64(k-1))
		}
		// The estimator divides by the number of windows W, not W - 1: its
		// mean is the variance times (1 - 1/W) for nearly independent
		// windows.
		wantFano := (w*r*(1-r) - 2*r*r*sum) / (w * r) * (1 - 1/float64(s.Windows))
		q1, q2 := (1-p)/n, p/n
		wantCV2 := ((1-q1)/(q1*q1) + (1-q2)/(q2*q2)) / (meanISI * meanISI)
		limit := p*p + (1-p)*(1-p)
		if math.Abs(wantCV2-limit) > 0.01 || math.Abs(wantFano-limit) > 0.01 {
			t.Fatalf("p = %v: exact Fano %v, CV^2 %v, not near p^2+(1-p)^2 = %v", p, wantFano, wantCV2, limit)
		}
		cv2 := make([]float64, n)
		for u := range cv2 {
			cv2[u] = s.CV[u] * s.CV[u]
		}
		for _, c := range []struct {
			name string
			x    []float64
			want float64
		}{{"rate", s.Rate, r}, {"Fano", s.Fano, wantFano}, {"CV^2", cv2, wantCV2}} {
			mean, se := meanSE(c.x)
			t.Logf("p = %v: %s %.5g (SE %.2g), exact %.5g, limit %.4g", p, c.name, mean, se, c.want, limit)
			if math.Abs(mean-c.want) > 3*se {
				t.Errorf("p = %v: mean %s over units %v, want %v within 3 SE = %v", p, c.name, mean, c.want, 3*se)
			}
		}
		if got := s.Pops[0].Rate; math.Abs(got-r) > 3*r/math.Sqrt(r*float64(steps*n)) {
			// Poisson-like SE of the pooled rate: sqrt(F * count) / (n T), F < 1.
			t.Errorf("p = %v: population rate %v, want %v", p, got, r)
		}
	}
}

// meanSE returns the mean of x and its standard error SD/sqrt(len(x)).
func meanSE(x []float64) (mean, se float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss/float64(len(x)-1)) / math.Sqrt(float64(len(x)))
}

func TestSpikeCountStatisticsErrors(t *testing.T) {
	t.Parallel()
	log := DiffLog{Updates: []int32{0, 1, 0}, Deltas: []int8{1, 1, -1}}
	for _, tc := range []struct {
		name   string
		log    DiffLog
		window int
		pops   []Range
		want   error
		param  string
	}{
		{"window 0", log, 0, nil, ErrInvalidParameter, "spike count window"},
		{"window past log", log, 4, nil, ErrInvalidParameter, "spike count window"},
		{"population", log, 1, []Range{{0, 2}, {2, 1}}, ErrInvalidParameter, "spike count populations[1]"},
		{"unit", DiffLog{Updates: []int32{0, -1}, Deltas: []int8{1, 1}}, 1, nil, ErrInvalidParameter, "diff log updates[1]"},
		{"shape", DiffLog{Updates: []int32{0}, Deltas: nil}, 1, nil, ErrShape, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := SpikeCountStatistics([]int8{0, 0}, tc.log, tc.window, tc.pops)
			checkParamError(t, err, tc.want, tc.param)
		})
	}
}
