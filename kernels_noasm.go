//go:build !amd64 || noasm || gccgo || safe

package binarynet

import "unsafe"

// haveScatterAsm reports whether scatterAdd32 is the assembly kernel.
const haveScatterAsm = false

// scatterAdd32 is the portable form of the assembly kernel: it adds vals
// to y at the indices rows, subtracting when sign is 1<<31 (delta = -1),
// and prefetches nothing.
func scatterAdd32(sign uint32, rows []int32, vals []float32, y []float32, _, _ unsafe.Pointer, _ int) {
	delta := int8(1)
	if sign != 0 {
		delta = -1
	}
	scatterAdd(delta, rows, vals, y)
}

// prefetchRange does nothing in the portable build.
func prefetchRange(unsafe.Pointer, uintptr) {}

// scatterGaps16 is the portable form of the assembly kernel; it
// prefetches nothing.
func scatterGaps16(sign uint32, gaps []uint16, runs []int32, vals []float32, y []float32, _ unsafe.Pointer, _ int) {
	scatterGaps(gaps, runs, vals, sign != 0, y)
}

// prefetchWrite does nothing in the portable build.
func prefetchWrite(_, _ unsafe.Pointer) {}
