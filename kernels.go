package binarynet

import (
	"gonum.org/v1/gonum/blas/gonum"
)

// axpy computes y += delta*x for delta = +1 or -1. With delta = ±1 every
// product is exact, so the result equals y ± x element by element whatever
// the order of operations, and the dense and sparse kernels agree bit for
// bit.
func axpy[T float32 | float64](delta int8, x, y []T) {
	switch x := any(x).(type) {
	case []float32:
		gonum.Implementation{}.Saxpy(len(x), float32(delta), x, 1, any(y).([]float32), 1)
	case []float64:
		gonum.Implementation{}.Daxpy(len(x), float64(delta), x, 1, any(y).([]float64), 1)
	}
}

// scatterAdd computes y[rows[i]] += delta*vals[i] for delta = +1 or -1.
func scatterAdd[T float32 | float64](delta int8, rows []int32, vals []T, y []T) {
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
