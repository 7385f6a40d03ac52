package kernel

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Kernel tests in the manner of gonum's internal/asm/f32: every kernel,
// assembly or not, against a plain Go loop written here, with the
// destination embedded between guard regions whose sentinels must
// survive, for every tail length below the unroll width and beyond.

// guardLen is the number of sentinel elements on each side of a
// destination.
const guardLen = 19

// guardValue is the sentinel: a NaN with a payload, which no addition
// produces and which compares unequal to everything, so it is checked by
// its bits.
var guardValue = math.Float32frombits(0x7fc0_dead)

// guarded returns a slice of n elements (copied from init when not nil)
// inside a buffer with guardLen sentinels on each side, and the buffer.
func guarded(n int, init []float32) (y, buf []float32) {
	buf = make([]float32, n+2*guardLen)
	for i := range buf {
		buf[i] = guardValue
	}
	y = buf[guardLen : guardLen+n : guardLen+n]
	copy(y, init)
	return y, buf
}

// checkGuards reports the first sentinel of buf that was overwritten.
func checkGuards(t *testing.T, what string, buf []float32) {
	t.Helper()
	n := len(buf) - 2*guardLen
	for _, i := range append(seq(0, guardLen), seq(guardLen+n, len(buf))...) {
		if math.Float32bits(buf[i]) != math.Float32bits(guardValue) {
			t.Errorf("%s: guard element %d (of %d before and after %d) overwritten with %v", what, i, guardLen, n, buf[i])
			return
		}
	}
}

func seq(lo, hi int) []int {
	s := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

// sameBits reports whether two float32 slices hold the same bits.
func sameBits(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

// TestScatterAdd32 checks ScatterAdd32 (assembly on amd64, 16 entries per
// iteration) against the plain loop for every length from 0 to 3 unroll
// widths, both signs, repeated and extreme rows, with and without a
// prefetch of another column, and that it writes no element outside y and
// changes neither rows nor vals.
func TestScatterAdd32(t *testing.T) {
	t.Parallel()
	const n = 300
	rng := rand.New(rand.NewPCG(1, 2))
	other, otherVals := make([]int32, 1000), make([]float32, 1000) // a column to prefetch
	for length := 0; length <= 3*16+1; length++ {
		for _, sign := range []uint32{0, 1 << 31} {
			for _, ahead := range []int{0, 1, 20} { // cache lines prefetched
				rows := make([]int32, length)
				vals := make([]float32, length+3) // longer than rows is allowed
				for i := range rows {
					switch i % 5 {
					case 0:
						rows[i] = 0
					case 1:
						rows[i] = n - 1
					default:
						rows[i] = int32(rng.IntN(n))
					}
				}
				for i := range vals {
					vals[i] = float32(rng.NormFloat64())
				}
				init := make([]float32, n)
				for i := range init {
					init[i] = float32(rng.IntN(9) - 4)
				}
				want := slices.Clone(init)
				for i, r := range rows {
					if sign != 0 {
						want[r] -= vals[i]
					} else {
						want[r] += vals[i]
					}
				}
				y, buf := guarded(n, init)
				rows0, vals0 := slices.Clone(rows), slices.Clone(vals)
				ScatterAdd32(sign, rows, vals, y, other, otherVals, ahead)
				what := fmt.Sprintf("len=%d sign=%#x ahead=%d", length, sign, ahead)
				if !sameBits(y, want) {
					t.Errorf("%s: ScatterAdd32 differs from the loop", what)
				}
				checkGuards(t, what, buf)
				if !slices.Equal(rows, rows0) || !sameBits(vals, vals0) {
					t.Errorf("%s: ScatterAdd32 changed its inputs", what)
				}
			}
		}
	}
}

// gapReference decodes a gap-coded column by the format's definition (see
// ScatterGaps), independently of it: the rows of its entries.
func gapReference(gaps []uint16, entries int) []int {
	rows := make([]int, 0, entries)
	r := -1
	for _, g := range gaps {
		if g == 0 {
			r += GapSkip
			continue
		}
		r += int(g)
		rows = append(rows, r)
	}
	return rows
}

// encodeGaps writes the gap codes of strictly increasing rows.
func encodeGaps(rows []int) []uint16 {
	var gaps []uint16
	prev := -1
	for _, r := range rows {
		g := r - prev
		for ; g > GapSkip; g -= GapSkip {
			gaps = append(gaps, 0)
		}
		gaps = append(gaps, uint16(g))
		prev = r
	}
	return gaps
}

// TestScatterGaps16 checks ScatterGaps16 (assembly on amd64, 4 codes per
// iteration) and ScatterGaps against the format's definition, for runs of
// every length from 0 to 3 unroll widths, escape codes at each of the 4
// positions of a group and several in a row, gaps of exactly 65535 and
// 65536, the last row of y, both signs, and that no element outside y is
// written.
func TestScatterGaps16(t *testing.T) {
	t.Parallel()
	const n = 4*GapSkip + 100
	rng := rand.New(rand.NewPCG(3, 4))
	var cases []struct {
		name string
		rows []int
		runs []int32
	}
	add := func(name string, rows []int, runs ...int32) {
		cases = append(cases, struct {
			name string
			rows []int
			runs []int32
		}{name, rows, runs})
	}
	// Short gaps, every run length below and beyond the unroll width, in
	// one run and split into two.
	for length := 0; length <= 13; length++ {
		rows := make([]int, length)
		for i := range rows {
			rows[i] = 3*i + rng.IntN(3)
		}
		add(fmt.Sprintf("len=%d", length), rows, int32(length))
		if length > 1 {
			add(fmt.Sprintf("len=%d/two runs", length), rows, int32(length/2), int32(length-length/2))
		}
	}
	// An escape at position k of a group of four codes: entries before it
	// with gaps of 1, then a gap needing one escape code.
	for k := range 8 {
		rows := make([]int, 0, 12)
		for i := range k {
			rows = append(rows, i)
		}
		last := k - 1
		rows = append(rows, last+GapSkip+1) // one escape, then a code of 1
		for i := 1; i <= 6; i++ {
			rows = append(rows, last+GapSkip+1+i)
		}
		add(fmt.Sprintf("escape at %d", k), rows, int32(len(rows)))
	}
	add("gap of exactly 65535", []int{5, 5 + GapSkip, 6 + GapSkip}, 3)
	add("gap of 65536", []int{5, 5 + GapSkip + 1}, 2)
	add("three escapes in a row", []int{0, 3*GapSkip + 7, 3*GapSkip + 8, n - 1}, 1, 3)
	add("first row beyond 65535", []int{GapSkip + 2, 2*GapSkip + 1, n - 1}, 3)
	add("last row of y", []int{n - 3, n - 2, n - 1}, 3)

	other := make([]uint16, 5000)
	for _, tc := range cases {
		gaps := encodeGaps(tc.rows)
		if got := gapReference(gaps, len(tc.rows)); !slices.Equal(got, tc.rows) && len(tc.rows) > 0 {
			t.Fatalf("%s: test encoder and decoder disagree: %v, want %v", tc.name, got, tc.rows)
		}
		vals := make([]float32, len(tc.runs))
		for i := range vals {
			vals[i] = float32(rng.NormFloat64())
		}
		for _, neg := range []bool{false, true} {
			init := make([]float32, n)
			for i := range init {
				init[i] = float32(i%7) - 3
			}
			want := slices.Clone(init)
			at := 0
			for k, cnt := range tc.runs {
				for range cnt {
					if neg {
						want[tc.rows[at]] -= vals[k]
					} else {
						want[tc.rows[at]] += vals[k]
					}
					at++
				}
			}
			sign := uint32(0)
			if neg {
				sign = 1 << 31
			}
			for _, ahead := range []int{0, 3} {
				y, buf := guarded(n, init)
				gaps0 := slices.Clone(gaps)
				ScatterGaps16(sign, gaps, tc.runs, vals, y, other, ahead)
				what := fmt.Sprintf("%s neg=%v ahead=%d", tc.name, neg, ahead)
				if !sameBits(y, want) {
					t.Errorf("%s: ScatterGaps16 differs from the definition", what)
				}
				checkGuards(t, what, buf)
				if !slices.Equal(gaps, gaps0) {
					t.Errorf("%s: ScatterGaps16 changed the codes", what)
				}
			}
			y, buf := guarded(n, init)
			ScatterGaps(gaps, tc.runs, vals, neg, y)
			if !sameBits(y, want) {
				t.Errorf("%s neg=%v: ScatterGaps differs from the definition", tc.name, neg)
			}
			checkGuards(t, tc.name+" (Go)", buf)
		}
	}
}

// TestAxpyGuards checks the dense kernel, y += ±x through gonum's
// Saxpy/Daxpy (assembly on amd64, 16 floats per iteration for float32),
// for every length from 0 to 3 unroll widths, against the plain loop, with
// guard regions around y.
func TestAxpyGuards(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 6))
	for length := 0; length <= 3*16+1; length++ {
		for _, delta := range []int8{1, -1} {
			x := make([]float32, length)
			init := make([]float32, length)
			for i := range x {
				x[i], init[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			}
			want := slices.Clone(init)
			for i := range want {
				want[i] += float32(delta) * x[i]
			}
			y, buf := guarded(length, init)
			Axpy(delta, x, y)
			what := fmt.Sprintf("len=%d delta=%d", length, delta)
			if !sameBits(y, want) {
				t.Errorf("%s: Axpy differs from the loop", what)
			}
			checkGuards(t, what, buf)
			// float64: the same values, exactly representable.
			x64, y64 := make([]float64, length), make([]float64, length+2)
			for i := range x64 {
				x64[i], y64[i+1] = float64(x[i]), float64(init[i])
			}
			y64[0], y64[length+1] = math.Pi, math.E
			Axpy(delta, x64, y64[1:length+1])
			for i := range x64 {
				if y64[i+1] != float64(init[i])+float64(delta)*x64[i] {
					t.Errorf("%s: float64 Axpy[%d] = %v", what, i, y64[i+1])
					break
				}
			}
			if y64[0] != math.Pi || y64[length+1] != math.E {
				t.Errorf("%s: float64 Axpy wrote outside y", what)
			}
		}
	}
}
