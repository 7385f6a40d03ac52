package binarynet

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// randomLog returns a random diff log of steps updates of n units that
// starts in a random state; a delta is nonzero with probability pFlip.
func randomLog(seed uint64, n, steps int, pFlip float64) ([]int8, DiffLog) {
	rng := rand.New(rand.NewPCG(seed, 11))
	initial := make([]int8, n)
	for i := range initial {
		initial[i] = int8(rng.IntN(2))
	}
	log := DiffLog{Updates: make([]int32, steps), Deltas: make([]int8, steps)}
	for t := range steps {
		log.Updates[t] = int32(rng.IntN(n))
		if rng.Float64() < pFlip {
			log.Deltas[t] = int8(2*rng.IntN(2) - 1)
		}
	}
	return initial, log
}

// channelSeries returns the summed state of each channel after every step.
func channelSeries(t *testing.T, initial []int8, log DiffLog, channels []Range) [][]float64 {
	t.Helper()
	rows, err := ReconstructStatesFromDiffLogs(initial, log, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	x := make([][]float64, len(channels))
	for k, r := range channels {
		x[k] = make([]float64, len(rows))
		for s, row := range rows {
			for u := r.Start; u < r.End; u++ {
				x[k][s] += float64(row[u])
			}
		}
	}
	return x
}

// bruteCovariance evaluates the definition of Covariances directly.
func bruteCovariance(x [][]float64, a, b, lag int) float64 {
	T := len(x[a])
	mean := func(v []float64) float64 {
		s := 0.0
		for _, e := range v {
			s += e
		}
		return s / float64(T)
	}
	if lag < 0 {
		a, b, lag = b, a, -lag
	}
	s := 0.0
	for t := 0; t < T-lag; t++ {
		s += x[a][t] * x[b][t+lag]
	}
	return s/float64(T-lag) - mean(x[a])*mean(x[b])
}

func TestCovarianceFunctionsHandMade(t *testing.T) {
	t.Parallel()
	// States after each step: n0 = 1 1 0 0, n1 = 0 1 1 1, channel 2 is
	// their sum 1 2 1 1. Means 1/2, 3/4, 5/4.
	log := DiffLog{Updates: []int32{0, 1, 0, 1}, Deltas: []int8{1, 1, -1, 0}}
	c, err := CovarianceFunctions([]int8{0, 0}, log, []Range{{0, 1}, {1, 2}, {0, 2}}, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		a, b, lag int
		want      float64 // worked by hand from the series above
	}{
		{0, 0, 0, 0.5 - 0.25},
		{0, 1, 1, 2.0/3 - 3.0/8},   // (1*1 + 1*1 + 0*1)/3 - m0 m1
		{0, 1, -1, 0 - 3.0/8},      // (0*1 + 1*0 + 1*0)/3 - m0 m1
		{1, 0, 1, 0 - 3.0/8},       // c_10(1) = c_01(-1)
		{1, 1, 2, 0.5 - 9.0/16},    // (0*1 + 1*1)/2 - m1^2
		{2, 2, 0, 7.0/4 - 25.0/16}, // (1 + 4 + 1 + 1)/4 - m2^2
		{0, 2, 2, 1 - 5.0/8},       // (1*1 + 1*1)/2 - m0 m2
		{2, 0, -2, 1 - 5.0/8},
	} {
		got := c.Func(tc.a, tc.b)[tc.lag+c.MaxLag]
		if math.Abs(got-tc.want) > 1e-15 {
			t.Errorf("c_%d%d(%d) = %v, want %v", tc.a, tc.b, tc.lag, got, tc.want)
		}
	}
	if want := []float64{0.5, 0.75, 1.25}; fmt.Sprint(c.Means) != fmt.Sprint(want) {
		t.Errorf("means %v, want %v", c.Means, want)
	}
	if got, want := fmt.Sprint(c.Lags()), "[-2 -1 0 1 2]"; got != want {
		t.Errorf("lags %s, want %s", got, want)
	}
}

func TestCovarianceFunctionsBruteForce(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		n, steps   int
		pFlip      float64
		channels   []Range
		tauMax, dt int
		seed       uint64
	}{
		{"units dt1", 5, 200, 0.5, []Range{{0, 1}, {1, 2}, {4, 5}}, 20, 1, 1},
		{"overlapping dt3", 8, 400, 0.3, []Range{{0, 4}, {2, 8}, {0, 8}, {3, 4}}, 31, 3, 2}, // 4 pieces
		{"more pieces than channels", 6, 300, 0.5, []Range{{0, 3}, {2, 5}}, 12, 2, 7},       // 3 pieces: direct
		{"sums of units", 5, 300, 0.5, []Range{{0, 1}, {1, 2}, {2, 5}, {0, 5}, {1, 5}}, 9, 1, 8},
		{"dense flips dt7", 6, 500, 0.9, []Range{{0, 6}, {0, 1}}, 140, 7, 3},
		{"lag near the end", 3, 50, 0.6, []Range{{0, 3}, {1, 2}}, 49, 1, 4},
		{"no lag", 4, 60, 0.5, []Range{{0, 2}, {2, 4}}, 0, 5, 5},
		{"silent", 4, 60, 0, []Range{{0, 2}, {2, 4}}, 10, 2, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			initial, log := randomLog(tc.seed, tc.n, tc.steps, tc.pFlip)
			c, err := CovarianceFunctions(initial, log, tc.channels, tc.tauMax, tc.dt)
			if err != nil {
				t.Fatal(err)
			}
			x := channelSeries(t, initial, log, tc.channels)
			lags := c.Lags()
			if len(lags) != 2*(tc.tauMax/tc.dt)+1 {
				t.Fatalf("%d lags, want %d", len(lags), 2*(tc.tauMax/tc.dt)+1)
			}
			for a := range tc.channels {
				for b := range tc.channels {
					f := c.Func(a, b)
					for i, lag := range lags {
						// Sums of at most 500 products of small integers:
						// float64 rounding stays far below 1e-12.
						if want := bruteCovariance(x, a, b, lag); math.Abs(f[i]-want) > 1e-12 {
							t.Fatalf("c_%d%d(%d) = %v, want %v", a, b, lag, f[i], want)
						}
					}
				}
			}
		})
	}
}

// TestCovarianceFunctionsTwoNeuronExample is NEST's two-neuron example of
// the correlospinmatrix_detector: unit 0 is a ginzburg unit without input
// (theta = 0, c1 = 0, c2 = 1, c3 = 1), which at each update becomes 1 with
// probability g(0) = c2 (1 + tanh(c3 (0 - theta)))/2 = 1/2; unit 1 is a
// threshold unit (theta = 0.5) driven by unit 0 with weight 1, so it
// copies unit 0 when updated. Both have tau = 10. The process is simulated
// directly with time step h = 0.1: in each step unit 0 or unit 1 is
// updated with probability h/tau each, else an idle unit 2 (delta 0).
func TestCovarianceFunctionsTwoNeuronExample(t *testing.T) {
	t.Parallel()
	const (
		tau      = 10.0
		h        = 0.1
		duration = 1e6 // time units, as in the example
	)
	steps := int(duration / h)
	rng := rand.New(rand.NewPCG(7, 13))
	log := DiffLog{Updates: make([]int32, steps), Deltas: make([]int8, steps)}
	s := [2]int8{}
	for k := range steps {
		x := rng.Float64()
		u := 2
		switch {
		case x < h/tau:
			u = 0
			next := int8(0)
			if rng.Float64() < 0.5 {
				next = 1
			}
			log.Deltas[k] = next - s[0]
			s[0] = next
		case x < 2*h/tau:
			u = 1
			log.Deltas[k] = s[0] - s[1]
			s[1] = s[0]
		}
		log.Updates[k] = int32(u)
	}
	perUnit := int(1 / h) // steps per time unit
	c, err := CovarianceFunctions([]int8{0, 0, 0}, log, []Range{{0, 1}, {1, 2}}, 50*perUnit, perUnit)
	if err != nil {
		t.Fatal(err)
	}
	for a, m := range c.Means {
		// SE of a mean of a two-state process with correlation time tau:
		// sqrt(2 tau var / T) = sqrt(20 * 0.25 / 1e6) = 0.0022.
		if math.Abs(m-0.5) > 0.01 {
			t.Errorf("m%d = %v, want 0.5", a+1, m)
		}
	}
	c11, c12 := c.Func(0, 0), c.Func(0, 1)
	for i, lag := range c.Lags() {
		tt := float64(lag) * h
		want11 := 0.25 * math.Exp(-math.Abs(tt)/tau)
		want12 := 0.125 * math.Exp(tt/tau)
		if tt >= 0 {
			want12 = 0.25 * math.Exp(-tt/tau) * (0.5 + tt/tau)
		}
		// The tolerance 0.01 is the example's; the statistical error is
		// about 0.25 sqrt(2 tau / T) = 0.0011, and the time step h adds a
		// bias below 0.001 (per-step update probability h/tau instead of
		// a rate).
		if testing.Verbose() && i%10 == 0 {
			t.Logf("tau %v: c11 %.4f (%.4f) c12 %.4f (%.4f)", tt, c11[i], want11, c12[i], want12)
		}
		if math.Abs(c11[i]-want11) > 0.01 {
			t.Errorf("c11(%v) = %.4f, want %.4f", tt, c11[i], want11)
		}
		if math.Abs(c12[i]-want12) > 0.01 {
			t.Errorf("c12(%v) = %.4f, want %.4f", tt, c12[i], want12)
		}
	}
}

func TestCovarianceFunctionsErrors(t *testing.T) {
	t.Parallel()
	log := DiffLog{Updates: []int32{0, 1, 0}, Deltas: []int8{1, 1, -1}}
	for _, tc := range []struct {
		name       string
		initial    []int8
		log        DiffLog
		channels   []Range
		tauMax, dt int
		want       error
		param      string
	}{
		{"dt", []int8{0, 0}, log, []Range{{0, 2}}, 1, 0, ErrInvalidParameter, "covariance dt"},
		{"tauMax", []int8{0, 0}, log, []Range{{0, 2}}, -1, 1, ErrInvalidParameter, "covariance tauMax"},
		{"tauMax too long", []int8{0, 0}, log, []Range{{0, 2}}, 3, 1, ErrInvalidParameter, "covariance tauMax"},
		{"no channels", []int8{0, 0}, log, nil, 1, 1, ErrInvalidParameter, "covariance channels"},
		{"empty channel", []int8{0, 0}, log, []Range{{1, 1}}, 1, 1, ErrInvalidParameter, "covariance channels[0]"},
		{"channel past N", []int8{0, 0}, log, []Range{{0, 3}}, 1, 1, ErrInvalidParameter, "covariance channels[0]"},
		{"initial", []int8{0, 2}, log, []Range{{0, 2}}, 1, 1, ErrInvalidParameter, "initial state[1]"},
		{"unit", []int8{0, 0}, DiffLog{Updates: []int32{0, 2}, Deltas: []int8{1, 1}}, []Range{{0, 2}}, 0, 1, ErrInvalidParameter, "diff log updates[1]"},
		{"delta", []int8{0, 0}, DiffLog{Updates: []int32{0, 1}, Deltas: []int8{1, 2}}, []Range{{0, 2}}, 0, 1, ErrInvalidParameter, "diff log deltas[1]"},
		{"shape", []int8{0, 0}, DiffLog{Updates: []int32{0, 1}, Deltas: []int8{1}}, []Range{{0, 2}}, 0, 1, ErrShape, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CovarianceFunctions(tc.initial, tc.log, tc.channels, tc.tauMax, tc.dt)
			checkParamError(t, err, tc.want, tc.param)
		})
	}
}

// checkParamError checks that err wraps want and, for parameter errors,
// names param.
func checkParamError(t *testing.T, err, want error, param string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
	var pe *ParameterError
	if param != "" && (!errors.As(err, &pe) || pe.Param != param) {
		t.Fatalf("error %v, want one naming %q", err, param)
	}
}

// TestAnalysisMemoryChecked checks that results larger than the memory
// budget are refused before they are allocated.
func TestAnalysisMemoryChecked(t *testing.T) {
	t.Parallel()
	const n = 30000
	initial := make([]int8, n)
	log := DiffLog{Updates: make([]int32, 200), Deltas: make([]int8, 200)}
	// 3,000 channels at 100 lags: 3000^2 * 300 * 8 bytes = 21.6 GB.
	channels := make([]Range, 3000)
	for k := range channels {
		channels[k] = Range{k, k + 1}
	}
	if _, err := CovarianceFunctions(initial, log, channels, 99, 1); !errors.Is(err, ErrMemoryBudget) {
		t.Errorf("covariance of 3,000 channels at 100 lags: error %v, want ErrMemoryBudget", err)
	}
	// 30,000 units: two 30000^2 matrices and more, 21.6 GB.
	units := make([]int32, n)
	for k := range units {
		units[k] = int32(k)
	}
	if _, err := StateCorrelations(initial, log, units, nil); !errors.Is(err, ErrMemoryBudget) {
		t.Errorf("correlations of 30,000 units: error %v, want ErrMemoryBudget", err)
	}
	if _, err := CountCorrelations(initial, log, units, nil, 10); !errors.Is(err, ErrMemoryBudget) {
		t.Errorf("count correlations of 30,000 units: error %v, want ErrMemoryBudget", err)
	}
}
