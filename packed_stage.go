package binarynet

import "slices"

// packedStage is the fill stage (see fillStage) of a network whose blocks
// have one rule each (see oneRulePerBlock), for builds that draw their
// connections again instead of keeping them: its entries take 4 bytes,
// row<<stageShift | col%(1<<stageShift), as packedSamples' do, instead of
// fillStage's 12 or 16, so that three times as many fit in the same room
// and a third of the bytes cross the memory bus. An entry's weight is
// found when it is written, from the block its row and column lie in;
// when the matrix's values are implied (see impliedValues), only its row
// is written. With merge, an entry whose row is that of the worker's
// entry before it in its column is added to that entry, as writePacked
// adds it, or, with implied values, counted as a further draw of that
// entry in the stage's repeatLog.
type packedStage[T float32 | float64] struct {
	m       *csc[T]
	weights *blockWeights[T]
	merge   bool
	log     repeatLog
	cur     []int32 // next slot of each column for this worker, from indptr
	origin  []int32 // the worker's first slot of each column
	size    int     // capacity of one bucket
	buf     []uint32
	fill    []int // entries buffered in each bucket

	hist   []int32  // scratch of flush: column counts
	sorted []uint32 // scratch of flush: one bucket sorted by column
}

// packedStageFactor is how many more entries a packedStage buffers per
// column than a fillStage: its entries are a third the size, so its
// buffers take no more room than stageBytes allows for a fillStage.
const packedStageFactor = 3

// newPackedStage returns the stage of a worker, with cur its column
// offsets from the count pass and repeats the layout's bound on repeats.
func newPackedStage[T float32 | float64](m *csc[T], cur []int32, weights *blockWeights[T], merge bool, repeats float64) *packedStage[T] {
	n := len(cur)
	var mine int64 // entries this worker will write
	for c, off := range cur {
		mine += m.indptr[c+1] - m.indptr[c] - int64(off)
	}
	buckets, size := stageSize(n, mine)
	size = max(1, min(size*packedStageFactor, mine/buckets+1))
	s := &packedStage[T]{
		m: m, weights: weights, merge: merge, cur: cur, origin: slices.Clone(cur), size: int(size),
		buf:    make([]uint32, buckets*size),
		fill:   make([]int, buckets),
		hist:   make([]int32, 1<<stageShift+1),
		sorted: make([]uint32, size),
	}
	if merge && m.vals == nil {
		s.log.pending = make([]uint32, n)
		s.log.done = make([]repeatRec, 0, repeatRoom(repeats, mine, m.nnz()))
	}
	return s
}

// add buffers the entries (row, c+preStart) for every c in pre.
func (s *packedStage[T]) add(row int, pre []int32, preStart int) {
	const mask = 1<<stageShift - 1
	buf, fill, size := s.buf, s.fill, s.size
	hi := uint32(row) << stageShift
	for _, c := range pre {
		col := int(c) + preStart
		b := col >> stageShift
		f := fill[b]
		buf[b*size+f] = hi | uint32(col&mask)
		fill[b] = f + 1
		if f+1 == size {
			s.flush(b)
		}
	}
}

// flush writes the entries of bucket b to their columns, sorted by column
// with a stable counting sort, so that each column's entries are written
// together, in the order they were drawn, which is increasing row order.
func (s *packedStage[T]) flush(b int) {
	const mask = 1<<stageShift - 1
	entries := s.buf[b*s.size : b*s.size+s.fill[b]]
	s.fill[b] = 0
	cnt := s.hist
	clear(cnt)
	for _, e := range entries {
		cnt[e&mask+1]++
	}
	for i := 1; i < len(cnt); i++ {
		cnt[i] += cnt[i-1]
	}
	sorted := s.sorted[:len(entries)]
	for _, e := range entries {
		k := e & mask
		sorted[cnt[k]] = e
		cnt[k]++
	}
	m, w := s.m, s.weights
	m.forStagedColumns(b<<stageShift, cnt, s.cur, func(col int, at int64, lo, hi int32) int64 {
		first := m.indptr[col] + int64(s.origin[col])
		if m.vals == nil {
			for _, e := range sorted[lo:hi] {
				at = m.putRow(at, first, col, int32(e>>stageShift), s.merge, &s.log)
			}
			return at
		}
		pre := w.of[col] * w.ranges
		// The column's rows increase, so its weight changes only where
		// a row reaches the end of its range: only there is it looked up.
		end, v := int32(0), T(0) // rows below end have weight v
		for _, e := range sorted[lo:hi] {
			row := int32(e >> stageShift)
			if row >= end {
				r := w.of[row]
				end, v = w.cuts[r+1], w.w[pre+r]
			}
			at = m.put(at, first, row, v, s.merge)
		}
		return at
	})
}

// flushAll writes every buffered entry, and returns the repeats recorded,
// each column's in increasing order of their offsets.
func (s *packedStage[T]) flushAll() []repeatRec {
	for b := range s.fill {
		s.flush(b)
	}
	if s.log.pending != nil {
		for col, off := range s.cur {
			s.log.settle(col, int64(off)-1)
		}
	}
	return s.log.done
}

// blockWeights gives the weight of an entry from its row and column, for
// blocks with one rule each: the units are cut into ranges at the bounds
// of every block, and w holds the weight of each pair of ranges (0 where
// no block lies).
type blockWeights[T float32 | float64] struct {
	of     []int32 // the range of each unit
	cuts   []int32 // range r is units cuts[r] to cuts[r+1]-1
	ranges int32
	w      []T // w[pre range * ranges + post range]
}

// maxWeightRanges bounds the ranges of a blockWeights, whose table grows
// as their square.
const maxWeightRanges = 1 << 10

// newBlockWeights returns the weights of the blocks of a network of n
// units, or nil when their bounds cut it into more than maxWeightRanges
// ranges.
func newBlockWeights[T float32 | float64](blocks []block, n int) *blockWeights[T] {
	cuts := []int{0, n}
	for _, b := range blocks {
		cuts = append(cuts, b.preStart, b.preEnd, b.postStart, b.postEnd)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	ranges := len(cuts) - 1
	if ranges > maxWeightRanges {
		return nil
	}
	bw := &blockWeights[T]{of: make([]int32, n), cuts: make([]int32, ranges+1), ranges: int32(ranges), w: make([]T, ranges*ranges)}
	for i, c := range cuts {
		bw.cuts[i] = int32(c)
	}
	for r := range ranges {
		for u := cuts[r]; u < cuts[r+1]; u++ {
			bw.of[u] = int32(r)
		}
	}
	for _, b := range blocks {
		if b.preStart == b.preEnd || b.postStart == b.postEnd {
			continue
		}
		v := T(b.rule.weight())
		for pre := bw.of[b.preStart]; pre <= bw.of[b.preEnd-1]; pre++ {
			for post := bw.of[b.postStart]; post <= bw.of[b.postEnd-1]; post++ {
				bw.w[int(pre)*ranges+int(post)] = v
			}
		}
	}
	return bw
}
