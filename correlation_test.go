package binarynet

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/stat"
)

// directPearson is Pearson's coefficient of the columns of x computed by
// gonum, 0 when either column is constant (the package's convention).
func directPearson(x, y []float64) float64 {
	if stat.Variance(x, nil) == 0 || stat.Variance(y, nil) == 0 {
		return 0
	}
	return stat.Correlation(x, y, nil)
}

// corrSignals returns the state and windowed onset-count series of every
// unit, computed from the full state matrix.
func corrSignals(t *testing.T, initial []int8, log DiffLog, window int) (states, counts [][]float64) {
	t.Helper()
	rows, err := ReconstructStatesFromDiffLogs(initial, log, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	n, windows := len(initial), len(rows)/window
	states = make([][]float64, n)
	counts = make([][]float64, n)
	for u := range n {
		states[u] = make([]float64, len(rows))
		counts[u] = make([]float64, windows)
		prev := initial[u]
		for s, row := range rows {
			states[u][s] = float64(row[u])
			if prev == 0 && row[u] == 1 && s < windows*window {
				counts[u][s/window]++
			}
			prev = row[u]
		}
	}
	return states, counts
}

func TestCorrelationsAgainstDirect(t *testing.T) {
	t.Parallel()
	const n, steps, window = 10, 3000, 70
	initial, log := randomLog(21, n, steps, 0.4)
	for k := range log.Updates {
		// Units 8 and 9 are never updated: zero variance.
		log.Updates[k] %= 8
	}
	initial[8], initial[9] = 0, 1
	// End with units 0..7 on for the last 20 steps or more, so that the
	// pairs still on at the end count.
	for k := range 28 {
		log.Updates = append(log.Updates, int32(k%8))
		log.Deltas = append(log.Deltas, int8(max(0, 1-k/8)))
	}
	units := []int32{9, 0, 3, 1, 8, 5, 2, 7}
	groups := []int{0, 0, 1, 1, 2, 2, 2, 0}
	states, counts := corrSignals(t, initial, log, window)
	sc, err := StateCorrelations(initial, log, units, groups)
	if err != nil {
		t.Fatal(err)
	}
	cc, err := CountCorrelations(initial, log, units, groups, window)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		c    *Correlations
		x    [][]float64
	}{{"states", sc, states}, {"counts", cc, counts}} {
		t.Run(tc.name, func(t *testing.T) {
			mu := len(units)
			sum := make([]float64, 9)
			pairs := make([]int, 9)
			for i, a := range units {
				if want := stat.PopVariance(tc.x[a], nil); math.Abs(tc.c.Variance[i]-want) > 1e-9 {
					t.Errorf("variance of unit %d = %v, want %v", a, tc.c.Variance[i], want)
				}
				for j, b := range units {
					want := directPearson(tc.x[a], tc.x[b])
					if i == j && want != 0 {
						want = 1
					}
					if i == 1 && j == 2 {
						t.Logf("%s r=%v want %v", tc.name, tc.c.At(i, j), want)
					}
					if got := tc.c.At(i, j); math.Abs(got-want) > 1e-9 {
						t.Errorf("r(%d, %d) = %v, want %v", a, b, got, want)
					}
					if j > i && stat.Variance(tc.x[a], nil) > 0 && stat.Variance(tc.x[b], nil) > 0 {
						g, h := groups[i], groups[j]
						sum[g*3+h] += want
						pairs[g*3+h]++
						if g != h {
							sum[h*3+g] += want
							pairs[h*3+g]++
						}
					}
				}
			}
			if tc.c.Groups != 3 || len(tc.c.R) != mu*mu {
				t.Fatalf("groups %d, matrix %d, want 3, %d", tc.c.Groups, len(tc.c.R), mu*mu)
			}
			for k := range sum {
				want := math.NaN()
				if pairs[k] > 0 {
					want = sum[k] / float64(pairs[k])
				}
				got := tc.c.BlockMean[k]
				if tc.c.BlockPairs[k] != pairs[k] || !(math.Abs(got-want) <= 1e-9 || math.IsNaN(got) && math.IsNaN(want)) {
					t.Errorf("block %d: mean %v over %d pairs, want %v over %d", k, got, tc.c.BlockPairs[k], want, pairs[k])
				}
			}
		})
	}
	// Unit 8 (position 4) is constant: row and diagonal are 0.
	if sc.At(4, 4) != 0 || sc.At(4, 1) != 0 || sc.Variance[4] != 0 {
		t.Errorf("constant unit: r = %v, %v, variance %v, want 0", sc.At(4, 4), sc.At(4, 1), sc.Variance[4])
	}
	// Group 2 has only unit 8 of zero variance and units 5, 2: one pair.
	if sc.BlockPairs[2*3+2] != 1 {
		t.Errorf("block (2, 2) has %d pairs, want 1", sc.BlockPairs[2*3+2])
	}
}

func TestCorrelationsHandMade(t *testing.T) {
	t.Parallel()
	// States after each step: unit 0 = 1 1 0 0, unit 1 = 0 1 1 1 (as in
	// TestCovarianceFunctionsHandMade): means 1/2, 3/4, <s0 s1> = 1/4.
	log := DiffLog{Updates: []int32{0, 1, 0, 1}, Deltas: []int8{1, 1, -1, 0}}
	c, err := StateCorrelations([]int8{0, 0}, log, []int32{0, 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := (0.25 - 0.5*0.75) / math.Sqrt(0.25*0.1875)
	if got := c.At(0, 1); math.Abs(got-want) > 1e-15 {
		t.Errorf("r = %v, want %v", got, want)
	}
	if c.BlockPairs[0] != 1 || math.Abs(c.BlockMean[0]-want) > 1e-15 {
		t.Errorf("block mean %v over %d pairs, want %v over 1", c.BlockMean[0], c.BlockPairs[0], want)
	}
}

func TestCorrelationsErrors(t *testing.T) {
	t.Parallel()
	log := DiffLog{Updates: []int32{0, 1, 0}, Deltas: []int8{1, 1, -1}}
	init := []int8{0, 0, 0}
	for _, tc := range []struct {
		name   string
		units  []int32
		groups []int
		log    DiffLog
		window int
		want   error
		param  string
	}{
		{"no units", nil, nil, log, 1, ErrInvalidParameter, "correlation units"},
		{"unit out of range", []int32{0, 3}, nil, log, 1, ErrInvalidParameter, "correlation units[1]"},
		{"repeated unit", []int32{1, 1}, nil, log, 1, ErrInvalidParameter, "correlation units[1]"},
		{"groups length", []int32{0, 1}, []int{0}, log, 1, ErrShape, ""},
		{"negative group", []int32{0, 1}, []int{0, -1}, log, 1, ErrInvalidParameter, "correlation groups[1]"},
		{"bad delta", []int32{0, 1}, nil, DiffLog{Updates: []int32{0}, Deltas: []int8{3}}, 1, ErrInvalidParameter, "diff log deltas[0]"},
		{"bad unit", []int32{0, 1}, nil, DiffLog{Updates: []int32{5}, Deltas: []int8{1}}, 1, ErrInvalidParameter, "diff log updates[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := StateCorrelations(init, tc.log, tc.units, tc.groups)
			checkParamError(t, err, tc.want, tc.param)
			_, err = CountCorrelations(init, tc.log, tc.units, tc.groups, tc.window)
			checkParamError(t, err, tc.want, tc.param)
		})
	}
	for _, w := range []int{0, 4} {
		_, err := CountCorrelations(init, log, []int32{0}, nil, w)
		checkParamError(t, err, ErrInvalidParameter, "correlation window")
	}
	_, err := StateCorrelations(init, DiffLog{}, []int32{0}, nil)
	checkParamError(t, err, ErrInvalidParameter, "diff log length")
}
