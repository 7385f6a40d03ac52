//go:build !noasm && !gccgo && !safe

package binarynet

import "unsafe"

// haveScatterAsm reports whether scatterAdd32 is the assembly kernel.
const haveScatterAsm = true

// scatterAdd32 adds vals to y at the indices rows, with the sign bit of
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
// It also prefetches aheadLines cache lines from each of ahead and
// aheadVals, one line of each per 16 entries, so that the next column to
// be added arrives in cache while this one is added. Prefetches never
// fault, so ahead may point anywhere; aheadLines = 0 prefetches nothing.
//
// len(vals) must be at least len(rows), and every index must be in
// [0, len(y)): the CSC invariants guarantee it, and the assembly does not
// check it.
//
//go:noescape
func scatterAdd32(sign uint32, rows []int32, vals []float32, y []float32, ahead unsafe.Pointer, aheadVals unsafe.Pointer, aheadLines int)

// prefetchRange asks the processor to load the n bytes at p into cache
// (PREFETCHT0, one per cache line). It has no effect on results, and
// prefetches never fault.
//
//go:noescape
func prefetchRange(p unsafe.Pointer, n uintptr)

// scatterGaps16 is scatterGaps for float32 values and uint16 gap codes
// (see gapColumns): for each run k, runs[k] entries y[r] += ±vals[k], the
// sign flipped when sign is 1<<31, each row r following the previous one
// (from -1) by the next code, and code 0 advancing r by 65535 without an
// addition. It also prefetches aheadLines cache lines from ahead, one per
// 16 codes, so that the next column arrives while this one is added
// without the processor stalling on many prefetches at once.
//
// The codes must describe rows in [0, len(y)) and hold the sum of runs
// entries: newGapColumns guarantees it, and the assembly does not check
// it.
//
//go:noescape
func scatterGaps16(sign uint32, gaps []uint16, runs []int32, vals []float32, y []float32, ahead unsafe.Pointer, aheadLines int)

// prefetchWrite asks the processor to load the cache lines at a and b for
// writing (PREFETCHW), so that later stores to them do not wait. It has
// no effect on results, and prefetches never fault.
//
//go:noescape
func prefetchWrite(a, b unsafe.Pointer)
