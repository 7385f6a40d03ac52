package binarynet

import (
	"math"
	"math/big"
	"testing"
)

// bruteSplit computes the variance split from the full channel series.
func bruteSplit(x [][]float64, sizes []int) VarianceSplit {
	var sum, sumSq, sqMean float64
	for c, xc := range x {
		var m, m2 float64
		for _, v := range xc {
			a := v / float64(sizes[c])
			m += a
			m2 += a * a
		}
		m /= float64(len(xc))
		m2 /= float64(len(xc))
		sum += m
		sumSq += m2
		sqMean += m * m
	}
	k := float64(len(x))
	mean := sum / k
	return VarianceSplit{Mean: mean, Total: sumSq/k - mean*mean, Temporal: (sumSq - sqMean) / k, Quenched: sqMean/k - mean*mean}
}

func TestActivityVarianceSplit(t *testing.T) {
	t.Parallel()
	initial, log := randomLog(31, 12, 5000, 0.3)
	var units []Range
	for i := range 6 {
		units = append(units, Range{i, i + 1})
	}
	groups := [][]Range{
		units,                             // the states of units 0..5
		{{0, 4}, {4, 8}, {8, 12}},         // three clusters
		{{0, 12}},                         // one channel: no quenched part
		{{2, 7}, {0, 12}, {6, 7}, {3, 4}}, // overlapping channels
	}
	got, err := ActivityVarianceSplit(initial, log, groups)
	if err != nil {
		t.Fatal(err)
	}
	for g, rs := range groups {
		x := channelSeries(t, initial, log, rs)
		sizes := make([]int, len(rs))
		for k, r := range rs {
			sizes[k] = r.End - r.Start
		}
		want := bruteSplit(x, sizes)
		s := got[g]
		for _, v := range []struct {
			name      string
			got, want float64
		}{{"mean", s.Mean, want.Mean}, {"total", s.Total, want.Total}, {"temporal", s.Temporal, want.Temporal}, {"quenched", s.Quenched, want.Quenched}} {
			// The brute force sums 5000 float64 terms: its error is below 1e-12.
			if math.Abs(v.got-v.want) > 1e-12 {
				t.Errorf("group %d %s = %v, want %v", g, v.name, v.got, v.want)
			}
		}
		// Exact in rationals, each part rounded once: the sum of the
		// rounded parts is within one rounding (2 ulps) of the total.
		if d := math.Abs(s.Total - (s.Temporal + s.Quenched)); d > 2*ulp(s.Total) {
			t.Errorf("group %d: total %v != temporal %v + quenched %v (off by %g)", g, s.Total, s.Temporal, s.Quenched, d)
		}
	}
	if got[2].Quenched != 0 {
		t.Errorf("one channel has quenched variance %v, want 0", got[2].Quenched)
	}
}

func ulp(x float64) float64 { return math.Nextafter(math.Abs(x), math.Inf(1)) - math.Abs(x) }

func TestActivityVarianceSplitHandMade(t *testing.T) {
	t.Parallel()
	// Unit 0 is on throughout, unit 1 off, unit 2 on half the time: rates
	// 1, 0, 1/2; temporal variance (0 + 0 + 1/4)/3, quenched variance of
	// the rates (1 + 0 + 1/4)/3 - 1/4.
	log := DiffLog{Updates: []int32{2, 0, 2, 1}, Deltas: []int8{1, 0, -1, 0}}
	got, err := ActivityVarianceSplit([]int8{1, 0, 0}, log, [][]Range{{{0, 1}, {1, 2}, {2, 3}}})
	if err != nil {
		t.Fatal(err)
	}
	want := VarianceSplit{Mean: 0.5, Total: 0.25, Temporal: 1.0 / 12, Quenched: 5.0/12 - 0.25}
	if math.Abs(got[0].Temporal-want.Temporal) > 1e-16 || math.Abs(got[0].Quenched-want.Quenched) > 1e-16 || got[0].Total != want.Total || got[0].Mean != want.Mean {
		t.Errorf("split %+v, want %+v", got[0], want)
	}
}

func TestUint128(t *testing.T) {
	t.Parallel()
	var x uint128
	want := new(big.Int)
	for _, p := range [][2]uint64{{1 << 40, 1 << 40}, {math.MaxUint64, math.MaxUint64 >> 8}, {3, 5}, {math.MaxUint32, 1 << 33}} {
		x.addMul(p[0], p[1])
		want.Add(want, new(big.Int).Mul(new(big.Int).SetUint64(p[0]), new(big.Int).SetUint64(p[1])))
	}
	if x.big().Cmp(want) != 0 {
		t.Errorf("uint128 sum %v, want %v", x.big(), want)
	}
}

func TestActivityVarianceSplitErrors(t *testing.T) {
	t.Parallel()
	log := DiffLog{Updates: []int32{0, 1}, Deltas: []int8{1, 1}}
	for _, tc := range []struct {
		name   string
		log    DiffLog
		groups [][]Range
		want   error
		param  string
	}{
		{"no groups", log, nil, ErrInvalidParameter, "variance groups"},
		{"empty group", log, [][]Range{{{0, 1}}, {}}, ErrInvalidParameter, "variance groups[1]"},
		{"bad range", log, [][]Range{{{0, 1}}, {{1, 3}}}, ErrInvalidParameter, "variance channels[1]"},
		{"empty log", DiffLog{}, [][]Range{{{0, 1}}}, ErrInvalidParameter, "diff log length"},
		{"bad delta", DiffLog{Updates: []int32{0}, Deltas: []int8{-2}}, [][]Range{{{0, 1}}}, ErrInvalidParameter, "diff log deltas[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ActivityVarianceSplit([]int8{0, 0}, tc.log, tc.groups)
			checkParamError(t, err, tc.want, tc.param)
		})
	}
}
