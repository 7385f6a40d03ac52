//go:build !amd64 || noasm || gccgo || safe

package kernel

// HaveAsm reports whether ScatterAdd32 and ScatterGaps16 are the
// assembly kernels, which prefetch.
const HaveAsm = false

// ScatterAdd32 is the portable form of the assembly kernel: it adds vals
// to y at the indices rows, subtracting when sign is 1<<31 (delta = -1),
// and prefetches nothing.
func ScatterAdd32(sign uint32, rows []int32, vals, y []float32, _ []int32, _ []float32, _ int) {
	delta := int8(1)
	if sign != 0 {
		delta = -1
	}
	ScatterAdd(delta, rows, vals, y)
}

// ScatterGaps16 is the portable form of the assembly kernel; it
// prefetches nothing.
func ScatterGaps16(sign uint32, gaps []uint16, runs []int32, vals, y []float32, _ []uint16, _ int) {
	ScatterGaps(gaps, runs, vals, sign != 0, y)
}

// Prefetch does nothing in the portable build.
func Prefetch[E any](_ []E, _ uintptr) {}

// PrefetchWrite does nothing in the portable build.
func PrefetchWrite[A, B any](_ []A, _ []B) {}
