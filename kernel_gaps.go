package binarynet

import (
	"runtime"
	"slices"
	"sync/atomic"

	"github.com/binarynet/binarynet/internal/kernel"
)

// gapColumns is a compact copy of a sparse weight matrix, made for the
// flip kernel, which reads one column per state change: 8 bytes per
// synapse in the CSC form (4 for the row, 4 for the value), about 2 here.
// Each column is
//
//   - its rows as gaps from the previous row (the first from -1), one
//     uint16 code per entry. Rows are strictly increasing, so a gap is at
//     least 1; the code 0 means "advance by 65535 rows, add nothing", so
//     that any gap can be written;
//   - its values as runs: runLen[k] consecutive entries have the value
//     runVal[k]. The generators give every block one weight, times a
//     multiplicity, so a column has a few runs.
//
// The kernel adds the same value to the same field element as the CSC
// kernel does for every entry, so the two give bit-identical fields.
type gapColumns[T float32 | float64] struct {
	gaps   []uint16 // row gap codes
	gapPtr []int64  // column c's codes are gaps[gapPtr[c]:gapPtr[c+1]]
	runPtr []int64  // column c's runs are runLen[runPtr[c]:runPtr[c+1]]
	runLen []int32  // number of entries of a run
	runVal []T      // value of the entries of a run
}

// gapSkip is the largest gap of one code; a code 0 advances the row by
// this much.
const gapSkip = kernel.GapSkip

// minRunLength is the smallest mean number of entries per run for which
// newGapColumns makes a copy: below it, walking the runs costs more than
// reading the values saves (Poisson connectivity, for example).
const minRunLength = 8

// newGapColumns returns the gap-coded copy of m, made on the given number
// of goroutines, or nil when its runs are too short to pay (see
// minRunLength) or when it would take more than avail bytes. While it is
// made, the runs are held twice (each goroutine's, then the copy's), so
// the budget counts them twice.
func newGapColumns[T float32 | float64](m *csc[T], workers int, avail float64) *gapColumns[T] {
	n := len(m.indptr) - 1
	nnz := m.nnz()
	maxRuns, elem := nnz/minRunLength, float64(kernel.SizeOf[T]())
	codes := float64(nnz)
	if m.rows == nil {
		codes = 0 // the matrix's own
	}
	if nnz == 0 || gapColumnsBytes(n, codes, 2*float64(maxRuns), elem) > avail {
		return nil
	}
	if runsClearlyShort(m) {
		return nil
	}
	// One pass writes the runs and, at each entry's position in the CSC
	// arrays, one gap code per entry, which serves unless some gap exceeds
	// gapSkip (never for n <= gapSkip, and almost never for random
	// connectivity of more than 1 entry in 5,000 rows). It stops as soon
	// as the runs are too many to pay. When a sample of the columns holds
	// such a gap already, the pass writes only the runs.
	//
	// The codes are taken from the garbage-collected heap, where a build
	// that kept its samples has just freed them (twice the bytes of the
	// codes): so they are written into memory the process holds already,
	// which spares the first touch of fresh pages and lowers the peak.
	// The runs, small, are mapped (kernel.AllocHuge) and freed by hand
	// below or by a cleanup.
	k := &gapColumns[T]{runPtr: make([]int64, n+1)}
	if m.rows == nil {
		// The matrix keeps its rows as the codes: only the runs are made.
		runs, _ := writeRuns(m, workers, k.runPtr, maxRuns, nil)
		if runs.lens == nil {
			return nil
		}
		k.runLen, k.runVal = runs.lens, runs.vals
		k.gapPtr, k.gaps = m.indptr, m.gaps
		return k.freeWith(runs.free)
	}
	long := gapsLikelyLong(m)
	var gaps []uint16
	if !long {
		gaps = kernel.MakeHuge[uint16](int(nnz))
	}
	runs, found := writeRuns(m, workers, k.runPtr, maxRuns, gaps)
	if runs.lens == nil {
		return nil
	}
	k.runLen, k.runVal = runs.lens, runs.vals
	if long = long || found; !long {
		k.gapPtr, k.gaps = slices.Clone(m.indptr), gaps
		return k.freeWith(runs.free)
	}
	// Some gaps need several codes: count them per column, then write.
	k.gapPtr = make([]int64, n+1)
	forColumnRanges(n, workers, func(_, lo, hi int) {
		for c := lo; c < hi; c++ {
			var codes int64
			prev := int64(-1)
			for i := m.indptr[c]; i < m.indptr[c+1]; i++ {
				codes += 1 + (int64(m.rows[i])-prev-1)/gapSkip
				prev = int64(m.rows[i])
			}
			k.gapPtr[c+1] = codes
		}
	})
	for c := range n {
		k.gapPtr[c+1] += k.gapPtr[c]
	}
	if gapColumnsBytes(n, float64(k.gapPtr[n]), float64(len(k.runLen)), elem) > avail {
		release(runs.free)
		return nil
	}
	if found {
		runtime.GC() // so that the codes written in vain make room for these
	}
	k.gaps = kernel.MakeHuge[uint16](int(k.gapPtr[n]))
	forColumnRanges(n, workers, func(_, lo, hi int) {
		for c := lo; c < hi; c++ {
			g := k.gapPtr[c]
			prev := int64(-1)
			for i := m.indptr[c]; i < m.indptr[c+1]; i++ {
				gap := int64(m.rows[i]) - prev
				prev = int64(m.rows[i])
				for ; gap > gapSkip; gap -= gapSkip {
					k.gaps[g] = 0
					g++
				}
				k.gaps[g] = uint16(gap)
				g++
			}
		}
	})
	return k.freeWith(runs.free)
}

// freeWith arranges for frees, the functions that free k's arrays (nil
// for arrays the garbage collector frees), to run once k is unreachable,
// and returns k.
func (k *gapColumns[T]) freeWith(frees ...func()) *gapColumns[T] {
	runtime.AddCleanup(k, func(frees []func()) { release(frees...) }, frees)
	return k
}

// release calls those of frees that are not nil.
func release(frees ...func()) {
	for _, free := range frees {
		if free != nil {
			free()
		}
	}
}

// runSample is the step between the columns runsClearlyShort reads.
const runSample = 64

// runsClearlyShort reports whether the columns of a sample, one in
// runSample, have runs so short on average (under 0.8 minRunLength) that
// the gap-coded copy cannot pay, which spares counting the runs of every
// column (a tenth of the build of a network with Poisson blocks). Small
// matrices are not sampled. The choice of kernel never changes a result:
// the kernels give bit-identical fields.
func runsClearlyShort[T float32 | float64](m *csc[T]) bool {
	n := len(m.indptr) - 1
	if n < 16*runSample {
		return false
	}
	var runs, entries int64
	r := m.columns()
	for c := 0; c < n; c += runSample {
		runs += countRuns(r.vals(c))
		entries += m.indptr[c+1] - m.indptr[c]
	}
	return 8*runs*minRunLength > 10*entries // entries / runs < 0.8 minRunLength
}

// gapsLikelyLong reports whether some gap between the rows of a column of
// m (or before its first row) exceeds gapSkip in a sample of its columns,
// one in runSample.
func gapsLikelyLong[T float32 | float64](m *csc[T]) bool {
	n := len(m.indptr) - 1
	if n <= gapSkip {
		return false // rows lie in [0, n): no gap exceeds n
	}
	for c := 0; c < n; c += runSample {
		prev := int32(-1)
		for _, r := range m.rows[m.indptr[c]:m.indptr[c+1]] {
			if r-prev > gapSkip {
				return true
			}
			prev = r
		}
	}
	return false
}

// countRuns returns the number of runs of equal values in vals.
func countRuns[T float32 | float64](vals []T) int64 {
	if len(vals) == 0 {
		return 0
	}
	runs := int64(1)
	for i := 1; i < len(vals); i++ {
		if vals[i] != vals[i-1] {
			runs++
		}
	}
	return runs
}

// valueRuns is the runs of equal values of a matrix's columns, one after
// the other, in arrays that free releases.
type valueRuns[T float32 | float64] struct {
	lens []int32 // number of entries of a run
	vals []T     // value of the entries of a run
	free func()
}

// runCheck is the number of columns after which writeRuns checks whether
// the runs found so far are already too many.
const runCheck = 1024

// writeRuns finds the runs of equal values of every column of m, on the
// given number of goroutines, and counts them into runPtr (cumulated:
// column c's runs are runPtr[c] to runPtr[c+1]-1). With them, unless gaps
// is nil, it writes one gap code per entry into gaps, at the entry's
// position, and reports whether some gap (the first from -1) exceeds
// gapSkip, in which case the codes written are not all right. It returns
// no runs (nil lens) when there are more than maxRuns of them, and then
// stops as soon as it finds so many.
func writeRuns[T float32 | float64](m *csc[T], workers int, runPtr []int64, maxRuns int64, gaps []uint16) (runs valueRuns[T], long bool) {
	n := len(m.indptr) - 1
	ranges := max(1, min(workers, n/4096))
	parts := make([]valueRuns[T], ranges)
	longs := make([]bool, ranges)
	var found atomic.Int64 // runs found by all goroutines, checked every runCheck columns
	forColumnRanges(n, ranges, func(w, lo, hi int) {
		indptr, rows, values := m.indptr, m.rows, m.columns()
		// A range holds at most one run per entry, and no more than
		// maxRuns are wanted in all.
		room := min(indptr[hi]-indptr[lo], maxRuns)
		lens, freeLens := kernel.AllocHuge[int32](room)
		rvals, freeVals := kernel.AllocHuge[T](room)
		part := valueRuns[T]{free: func() { release(freeLens, freeVals) }}
		at, checked := int64(0), int64(0)
		long := false
		for c := lo; c < hi; c++ {
			if (c-lo)%runCheck == runCheck-1 {
				if found.Add(at-checked) > maxRuns {
					release(part.free)
					return // too many runs: parts[w] stays empty
				}
				checked = at
			}
			first, end := indptr[c], indptr[c+1]
			if gaps != nil {
				prev := int32(-1)
				for i := first; i < end; i++ {
					long = long || rows[i]-prev > gapSkip
					gaps[i] = uint16(rows[i] - prev)
					prev = rows[i]
				}
			}
			if end == first {
				continue
			}
			before := at
			vals := values.vals(c)
			from, v := 0, vals[0]
			for i := 1; i <= len(vals); i++ {
				if i < len(vals) && vals[i] == v {
					continue
				}
				if at == room {
					release(part.free)
					return // more than maxRuns runs in this range alone
				}
				lens[at], rvals[at] = int32(i-from), v
				at++
				if i < len(vals) {
					from, v = i, vals[i]
				}
			}
			runPtr[c+1] = at - before
		}
		found.Add(at - checked)
		part.lens, part.vals = lens[:at], rvals[:at]
		parts[w] = part
		longs[w] = long
	})
	var total int64
	for _, p := range parts {
		if p.free == nil { // the range stopped early
			for _, q := range parts {
				release(q.free)
			}
			return valueRuns[T]{}, false
		}
		total += int64(len(p.lens))
	}
	if total > maxRuns {
		for _, p := range parts {
			release(p.free)
		}
		return valueRuns[T]{}, false
	}
	for c := range n {
		runPtr[c+1] += runPtr[c]
	}
	for _, l := range longs {
		long = long || l
	}
	if ranges == 1 {
		return parts[0], long
	}
	// Join the ranges' runs, freeing each once copied.
	lens, freeLens := kernel.AllocHuge[int32](total)
	vals, freeVals := kernel.AllocHuge[T](total)
	at := 0
	for _, p := range parts {
		copy(lens[at:], p.lens)
		copy(vals[at:], p.vals)
		at += len(p.lens)
		release(p.free)
	}
	return valueRuns[T]{lens: lens, vals: vals, free: func() { release(freeLens, freeVals) }}, long
}

// forColumnRanges splits columns [0, n) into max(1, min(workers,
// n/4096)) contiguous ranges and runs fn on each concurrently, with the
// range's index w.
func forColumnRanges(n, workers int, fn func(w, lo, hi int)) {
	forRanges(n, max(1, min(workers, n/4096)), fn)
}

// flip adds delta (+1 or -1) times column u to y. If next >= 0, it also
// prefetches column next, spread over the work (float32 on amd64) or at
// once.
func (k *gapColumns[T]) flip(u int, delta int8, y []T, next int) {
	lo, hi := k.runPtr[u], k.runPtr[u+1]
	runs, vals := k.runLen[lo:hi], k.runVal[lo:hi]
	gaps := k.gaps[k.gapPtr[u]:k.gapPtr[u+1]]
	var ahead []uint16
	lines := 0
	if next >= 0 {
		if r, end := k.runPtr[next], k.runPtr[next+1]; r < end {
			kernel.Prefetch(k.runLen[r:end], 1)
			kernel.Prefetch(k.runVal[r:end], 1)
		}
		if glo, ghi := k.gapPtr[next], k.gapPtr[next+1]; ghi > glo {
			ahead = k.gaps[glo:ghi]
			lines = int((ghi-glo)*2+63) / 64
		}
	}
	if v32, ok := any(vals).([]float32); ok && kernel.HaveAsm {
		sign := uint32(0)
		if delta < 0 {
			sign = 1 << 31
		}
		kernel.ScatterGaps16(sign, gaps, runs, v32, any(y).([]float32), ahead, lines)
		return
	}
	if lines > 0 {
		kernel.Prefetch(ahead, uintptr(lines)*64)
	}
	kernel.ScatterGaps(gaps, runs, vals, delta < 0, y)
}
