// Package kernel holds the update kernels of binarynet and the only code
// of the module that uses unsafe or syscall: the dense axpy, the sparse
// scatter-adds over CSC and gap-coded columns (float32 assembly on amd64,
// portable Go under the noasm, safe and gccgo tags or elsewhere), cache
// prefetches, and the huge-page allocator for the arrays the kernels
// read.
//
// The kernels trust their arguments: row indices and gap codes must lie
// in the destination, as the callers' invariants guarantee. With delta =
// ±1 every kernel adds the same values to the same elements in the same
// order, so all of them give bit-identical results.
package kernel

import (
	"math"
	"reflect"

	"gonum.org/v1/gonum/blas/gonum"
)

// Axpy computes y += delta*x for delta = +1 or -1, with gonum's Saxpy or
// Daxpy. With delta = ±1 every product is exact, so the result equals
// y ± x element by element whatever the order of operations, and the dense
// and sparse kernels agree bit for bit.
func Axpy[T float32 | float64](delta int8, x, y []T) {
	switch x := any(x).(type) {
	case []float32:
		gonum.Implementation{}.Saxpy(len(x), float32(delta), x, 1, any(y).([]float32), 1)
	case []float64:
		gonum.Implementation{}.Daxpy(len(x), float64(delta), x, 1, any(y).([]float64), 1)
	}
}

// ScatterAdd computes y[rows[i]] += delta*vals[i] for delta = +1 or -1.
func ScatterAdd[T float32 | float64](delta int8, rows []int32, vals []T, y []T) {
	vals = vals[:len(rows)]
	if delta > 0 {
		for i, r := range rows {
			y[r] += vals[i]
		}
		return
	}
	for i, r := range rows {
		y[r] -= vals[i]
	}
}

// GapSkip is the largest row gap of one code of the gap format; a code 0
// advances the row by this much and adds nothing.
const GapSkip = math.MaxUint16

// ScatterGaps adds the runs of one gap-coded column to y, negated when neg
// is set: for each run k, runs[k] entries y[r] += vals[k], where each row
// r follows the previous one (from -1) by the next gap code, and code 0
// adds GapSkip to r and reads on. y - v equals y + (-v) exactly, so
// negating the value gives the same result as ScatterAdd's subtraction.
func ScatterGaps[T float32 | float64](gaps []uint16, runs []int32, vals []T, neg bool, y []T) {
	vals = vals[:len(runs)]
	r, p := -1, 0
	for i, cnt := range runs {
		v := vals[i]
		if neg {
			v = -v
		}
		for range cnt {
			g := int(gaps[p])
			p++
			for g == 0 {
				r += GapSkip
				g = int(gaps[p])
				p++
			}
			r += g
			y[r] += v
		}
	}
}

// SizeOf returns the size in bytes of a value of type E.
func SizeOf[E any]() uintptr { return reflect.TypeFor[E]().Size() }
