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
