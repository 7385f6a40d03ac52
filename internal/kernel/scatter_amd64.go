//go:build !noasm && !gccgo && !safe

package kernel

import "unsafe"

// HaveAsm reports whether ScatterAdd32 and ScatterGaps16 are the
// assembly kernels, which prefetch.
const HaveAsm = true

// ScatterAdd32 adds vals to y at the indices rows, with the sign bit of
// each value flipped when sign is 1<<31 (delta = -1), as this loop does:
//
//	for i, r := range rows {
//		if sign != 0 {
//			y[r] -= vals[i]
//		} else {
//			y[r] += vals[i]
//		}
//	}
//
// It also prefetches aheadLines cache lines from each of aheadRows and
// aheadVals, one line of each per 16 entries, so that the next column to
// be added arrives in cache while this one is added. Prefetches never
// fault, so the ahead slices may be shorter than the lines or empty;
// aheadLines = 0 prefetches nothing.
//
// len(vals) must be at least len(rows), and every index must be in
// [0, len(y)): the CSC invariants guarantee it, and the assembly does not
// check it.
func ScatterAdd32(sign uint32, rows []int32, vals, y []float32, aheadRows []int32, aheadVals []float32, aheadLines int) {
	scatterAdd32(sign, rows, vals, y, data(aheadRows), data(aheadVals), aheadLines)
}

// ScatterGaps16 is ScatterGaps for float32 values: for each run k, runs[k]
// entries y[r] += ±vals[k], the sign flipped when sign is 1<<31, each row
// r following the previous one (from -1) by the next code, and code 0
// advancing r by GapSkip without an addition. It also prefetches
// aheadLines cache lines from ahead, one per 16 codes, so that the next
// column arrives while this one is added without the processor stalling
// on many prefetches at once.
//
// The codes must describe rows in [0, len(y)) and hold the sum of runs
// entries; the assembly does not check it.
func ScatterGaps16(sign uint32, gaps []uint16, runs []int32, vals, y []float32, ahead []uint16, aheadLines int) {
	scatterGaps16(sign, gaps, runs, vals, y, data(ahead), aheadLines)
}

// Prefetch asks the processor to load the n bytes from the start of s
// into cache (one PREFETCHT0 per cache line). It has no effect on
// results, and prefetches never fault, so n may exceed the slice.
func Prefetch[E any](s []E, n uintptr) { prefetchRange(data(s), n) }

// PrefetchWrite asks the processor to load the cache lines at the start
// of a and b for writing (PREFETCHW), so that later stores to them do not
// wait. It has no effect on results.
func PrefetchWrite[A, B any](a []A, b []B) { prefetchWrite(data(a), data(b)) }

// data returns the address of the first element of s, or nil.
func data[E any](s []E) unsafe.Pointer { return unsafe.Pointer(unsafe.SliceData(s)) }

//go:noescape
func scatterAdd32(sign uint32, rows []int32, vals []float32, y []float32, ahead unsafe.Pointer, aheadVals unsafe.Pointer, aheadLines int)

//go:noescape
func prefetchRange(p unsafe.Pointer, n uintptr)

//go:noescape
func scatterGaps16(sign uint32, gaps []uint16, runs []int32, vals []float32, y []float32, ahead unsafe.Pointer, aheadLines int)

//go:noescape
func prefetchWrite(a, b unsafe.Pointer)
