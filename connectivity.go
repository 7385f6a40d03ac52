package binarynet

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"unsafe"

	"github.com/binarynet/binarynet/internal/kernel"
)

// rowsPerChunk is the number of post rows that share one random stream per
// synapse. Streams depend only on (seed, synapse, chunk), never on the
// number of workers, so the network is the same on every machine.
const rowsPerChunk = 1024

// block is one synapse placed in the network: its rule and index ranges.
type block struct {
	index              int // position in the network's synapse list
	rule               synapseRule
	preStart, preEnd   int
	postStart, postEnd int
	exclude            bool // population onto itself, drawing from the other units (AutapseExcludeSelf)
	dropSelf           bool // population onto itself, deleting self-connections after drawing (AutapseDeleteSelf)
}

// layout is the synapse blocks of a network and what Initialize derives
// from them, once: whether some pair can receive more than one entry
// (several rules on a block, multapses, Poisson counts or layers), the
// expected number of entries drawn, and a bound on the expected number of
// pairs drawn more than once, which the memory estimates use.
type layout struct {
	blocks    []block
	mayRepeat bool
	expected  float64
	repeats   float64
}

// newLayout returns the layout of the given blocks, computing their
// expected number of entries and, when they may repeat, a bound on the
// repeats of the rules that can repeat (two rules on one block repeat
// too, but they are built with an array of values, whatever the bound).
func newLayout(blocks []block, mayRepeat bool) *layout {
	l := &layout{blocks: blocks, mayRepeat: mayRepeat}
	for _, b := range blocks {
		nPre, nPost := b.preEnd-b.preStart, b.postEnd-b.postStart
		draws := b.rule.expected(nPre, nPost)
		l.expected += draws
		if mayRepeat && ruleMayRepeat(b.rule) {
			l.repeats += repeatBound(draws, nPre, nPost)
		}
	}
	return l
}

// ruleMayRepeat reports whether a rule can draw a pair more than once:
// multapses, Poisson counts or layers.
func ruleMayRepeat(r synapseRule) bool {
	switch r := r.(type) {
	case bernoulliRule:
		return r.layers > 1
	case poissonRule:
		return true
	case indegreeRule:
		return r.multapses
	}
	return false
}

// repeatBound bounds the expected number of pairs of a block of nPre x
// nPost units that are drawn more than once, in draws expected draws
// spread evenly over the pairs (over nPre-1 pre units of a row, at
// least, when self-connections are excluded): at most half the draws,
// and, by the union bound over the pairs of draws, at most draws^2 / (2
// pairs).
func repeatBound(draws float64, nPre, nPost int) float64 {
	pairs := float64(max(1, nPre-1)) * float64(nPost)
	return min(draws/2, draws*draws/(2*pairs))
}

// visitor receives the connections of one post row from one block: the
// local pre indices (offset by preStart to get unit ids), the weight and
// the block's position in the blocks slice.
type visitor func(row int, pre []int32, preStart int, j float64, blk int)

// sampleRows draws the connections of post rows [lo, hi) for every block
// and hands them to visit in increasing row order, and for one row in
// block order. lo must be a multiple of rowsPerChunk.
func sampleRows(blocks []block, samplers []rowSampler, seed uint64, lo, hi int, visit visitor) {
	buf := make([]int32, 0, 256)
	type live struct {
		b   *block
		i   int // position of b in blocks
		s   rowSampler
		src *rand.PCG
	}
	// segment holds the live blocks of one post range, in block order.
	// Post ranges are populations, which do not overlap, so the blocks
	// that write row r are those of the segment holding r: a row visits
	// only them (a clustered network has 4 Q^2 blocks, 2Q per row).
	type segment struct {
		start, end int
		live       []live
	}
	var segs []segment
	index := map[int]int{} // post start -> position in segs
	for c := lo; c < hi; c += rowsPerChunk {
		end := min(c+rowsPerChunk, hi)
		segs = segs[:0]
		clear(index)
		for i := range blocks {
			b := &blocks[i]
			if b.postEnd <= c || b.postStart >= end || b.postStart == b.postEnd {
				continue // no row of the chunk (an empty population has none)
			}
			k, ok := index[b.postStart]
			if !ok {
				k = len(segs)
				index[b.postStart] = k
				segs = append(segs, segment{start: b.postStart, end: b.postEnd})
			}
			src := rand.NewPCG(seed, streamID(streamConnect, uint64(b.index), uint64(c/rowsPerChunk)))
			segs[k].live = append(segs[k].live, live{b: b, i: i, s: samplers[i], src: src})
		}
		slices.SortFunc(segs, func(x, y segment) int { return x.start - y.start })
		for _, sg := range segs {
			for r := max(c, sg.start); r < min(end, sg.end); r++ {
				for _, a := range sg.live {
					buf = a.s.row(buf[:0], r-a.b.postStart, a.src)
					if a.b.dropSelf {
						buf = dropSelf(buf, r-a.b.postStart)
					}
					if len(buf) > 0 {
						visit(r, buf, a.b.preStart, a.b.rule.weight(), a.i)
					}
				}
			}
		}
	}
}

// newSamplers returns one row sampler per block, with scratch space of its
// own so that workers do not share state.
func newSamplers(blocks []block) ([]rowSampler, error) {
	s := make([]rowSampler, len(blocks))
	for i, b := range blocks {
		var err error
		s[i], err = b.rule.newSampler(b.preEnd-b.preStart, b.exclude)
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// forRowGroups splits rows [0, n) into at most workers contiguous groups
// aligned to rowsPerChunk and runs fn on each group concurrently.
func forRowGroups(n, workers int, fn func(worker, lo, hi int)) {
	chunks := (n + rowsPerChunk - 1) / rowsPerChunk
	forRanges(chunks, groupCount(n, workers), func(w, lo, hi int) {
		fn(w, lo*rowsPerChunk, min(hi*rowsPerChunk, n))
	})
}

// forRanges splits [0, n) into parts contiguous ranges, part w from
// n*w/parts to n*(w+1)/parts, and runs fn on each, concurrently when
// there are several.
func forRanges(n, parts int, fn func(part, lo, hi int)) {
	if parts == 1 {
		fn(0, 0, n)
		return
	}
	var wg sync.WaitGroup
	for w := range parts {
		wg.Go(func() { fn(w, n*w/parts, n*(w+1)/parts) })
	}
	wg.Wait()
}

// buildDense fills a column-major n x n matrix: w[pre*n+post] is the
// weight from pre onto post. Workers own disjoint row ranges, so they never
// write the same entry.
func buildDense[T float32 | float64](blocks []block, n, workers int, seed uint64) ([]T, error) {
	samplerSets, err := samplerSetsFor(blocks, n, workers)
	if err != nil {
		return nil, err
	}
	w := kernel.MakeHuge[T](n * n)
	forRowGroups(n, workers, func(worker, lo, hi int) {
		sampleRows(blocks, samplerSets[worker], seed, lo, hi, func(row int, pre []int32, preStart int, j float64, _ int) {
			v := T(j)
			for _, c := range pre {
				w[(int(c)+preStart)*n+row] += v
			}
		})
	})
	return w, nil
}

// samplerSetsFor returns one set of row samplers for each worker that
// forRowGroups will start.
func samplerSetsFor(blocks []block, n, workers int) ([][]rowSampler, error) {
	sets := make([][]rowSampler, groupCount(n, workers))
	for w := range sets {
		var err error
		if sets[w], err = newSamplers(blocks); err != nil {
			return nil, err
		}
	}
	return sets, nil
}

// groupCount returns the number of row groups forRowGroups uses.
func groupCount(n, workers int) int {
	chunks := (n + rowsPerChunk - 1) / rowsPerChunk
	return max(1, min(workers, chunks))
}

// buildCSC builds the compressed sparse column form directly, in two
// passes: the first samples the connections and counts the entries of
// every column per worker, the second writes them into their final place.
// No coordinate list is ever held. The first pass may keep the sampled
// connections (4 bytes per entry) for the second; otherwise the second
// pass draws them again from the same random streams, which takes more
// time and no memory; keepSamples chooses. Rows come out sorted within
// each column; entries for the same (row, column) pair are then summed.
// It also returns the bytes the kept samples took (0 when they are drawn
// again), which the process still holds when it returns.
func buildCSC[T float32 | float64](l *layout, n, workers int, seed uint64, budgetGB float64) (m *csc[T], keptBytes int64, err error) {
	blocks := l.blocks
	samplerSets, err := samplerSetsFor(blocks, n, workers)
	if err != nil {
		return nil, 0, err
	}
	workers = len(samplerSets)
	keep, chunk := keepSamples(l, n, workers, budgetGB)
	oneRule := n <= maxPackedUnits && oneRulePerBlock(blocks)
	packed := keep && oneRule
	// When the weight of an entry follows from its block, the matrix has
	// no array of values (see impliedValues), and connections drawn again
	// are staged in 4 bytes each.
	var weights *blockWeights[T]
	if oneRule {
		weights = newBlockWeights[T](blocks, n)
	}
	staged := !keep && weights != nil
	implied := weights != nil && impliedPays(l.expected, l.repeats)
	// With one rule per block, the repeats of a pair come from one visit of
	// its row, so they arrive one after the other in their column:
	// writePacked and packedStage merge them as they write, and the first
	// pass counts each pair once. The entries of a block of weight 0 are
	// dropped, as sumDuplicates drops entries that sum to 0.
	merge := (packed || staged) && l.mayRepeat
	dropped := func(j float64) bool { return merge && T(j) == 0 }
	counts := make([][]int32, workers)
	for w := range counts {
		counts[w] = make([]int32, n)
	}
	kept := make([]*sampleBuffer, workers)
	pk := make([]*packedSamples, workers)
	forRowGroups(n, workers, func(worker, lo, hi int) {
		cnt := counts[worker]
		var sb *sampleBuffer
		var ps *packedSamples
		var tally []colTally
		if merge {
			tally = make([]colTally, n)
			for i := range tally {
				tally[i].last = -1
			}
		}
		switch {
		case packed:
			ps = newPackedSamples(n, len(blocks))
			pk[worker] = ps
		case keep:
			sb = &sampleBuffer{chunk: chunk}
			kept[worker] = sb
		}
		sampleRows(blocks, samplerSets[worker], seed, lo, hi, func(row int, pre []int32, preStart int, j float64, blk int) {
			if dropped(j) {
				return
			}
			switch {
			case merge:
				r := int32(row)
				for _, c := range pre {
					if t := &tally[int(c)+preStart]; t.last != r {
						t.last = r
						t.count++
					}
				}
			default:
				for _, c := range pre {
					cnt[int(c)+preStart]++
				}
			}
			switch {
			case ps != nil:
				ps.add(row, pre, preStart, blk)
			case sb != nil:
				sb.add(row, pre, preStart, j)
			}
		})
		if ps != nil {
			ps.close()
		}
		for c, t := range tally {
			cnt[c] = t.count
		}
	})
	indptr := make([]int64, n+1)
	for c := range n {
		total := indptr[c]
		for w := range workers {
			k := counts[w][c]
			counts[w][c] = int32(total - indptr[c]) // becomes the worker's offset in the column
			total += int64(k)
		}
		indptr[c+1] = total
	}
	for w := range workers {
		switch {
		case pk[w] != nil:
			keptBytes += pk[w].bytes()
		case kept[w] != nil:
			keptBytes += kept[w].bytes()
		}
	}
	nnz := indptr[n]
	// A network small enough for every gap between rows to fit in a code,
	// whose build kept its samples and whose values are implied, keeps its
	// rows as the gap codes that the flip kernel reads (see csc): 2 bytes
	// per synapse where an array of rows takes 4.
	m = &csc[T]{indptr: indptr}
	if packed && implied && n <= gapSkip {
		m.gaps = kernel.MakeHuge[uint16](int(nnz))
	} else {
		m.rows = kernel.MakeHuge[int32](int(nnz))
	}
	if !implied {
		m.vals = kernel.MakeHuge[T](int(nnz))
	}
	// The repeats of each worker, when the values are implied.
	logs := make([][]repeatRec, workers)
	if packed {
		counts = nil
		logs = writePacked(m, blocks, pk, merge, l.repeats)
	} else {
		forRowGroups(n, workers, func(worker, lo, hi int) {
			if staged {
				st := newPackedStage(m, counts[worker], weights, merge, l.repeats)
				sampleRows(blocks, samplerSets[worker], seed, lo, hi, func(row int, pre []int32, preStart int, j float64, _ int) {
					if !dropped(j) {
						st.add(row, pre, preStart)
					}
				})
				logs[worker] = st.flushAll()
				return
			}
			st := newFillStage(m, counts[worker])
			visit := func(row int, pre []int32, preStart int, j float64, _ int) {
				st.addRow(row, pre, preStart, T(j))
			}
			if keep {
				kept[worker].replay(visit)
				kept[worker] = nil
			} else {
				sampleRows(blocks, samplerSets[worker], seed, lo, hi, visit)
			}
			st.flushAll()
		})
	}
	if keep {
		// Return the kept samples to the heap now, so that what is
		// allocated next (the flip kernel's copy) reuses their memory
		// instead of raising the peak.
		runtime.GC()
	}
	if l.mayRepeat && !merge {
		m.sumDuplicates(workers)
	}
	if implied {
		m.implied = newImpliedValues(weights, n, logs)
	}
	return m, keptBytes, nil
}

// colTally is a column's count in the first pass of a build that merges
// repeats, which counts a pair once: the count beside the last row
// counted, so that one cache line holds both.
type colTally struct{ last, count int32 }

// maxPackedUnits is the largest network whose samples packedSamples can
// hold: a row and a column within a bucket in 32 bits.
const maxPackedUnits = 1 << (32 - stageShift)

// oneRulePerBlock reports whether no two rules write the same block of the
// weight matrix, so that the block of an entry gives its weight.
func oneRulePerBlock(blocks []block) bool {
	seen := make(map[[2]int]bool, len(blocks))
	for _, b := range blocks {
		key := [2]int{b.preStart, b.postStart}
		if seen[key] {
			return false
		}
		seen[key] = true
	}
	return true
}

// packedSamples keeps one worker's sampled connections for writePacked,
// sorted by block and column bucket (1<<stageShift columns), in drawing
// order: each entry is row<<stageShift | col%(1<<stageShift), in chunks.
// A list's chunks are its full chunks followed by its tail, the chunk
// being filled, which close appends.
type packedSamples struct {
	buckets int
	lists   [][][]uint32 // [blk*buckets+bucket] full chunks of entries
	tails   [][]uint32   // [blk*buckets+bucket] the chunk being filled
	slab    []uint32     // room for the next chunks
	slabs   int          // slabs cut so far
	held    int64        // bytes of the slabs cut so far
}

// Sizes in entries of the slabs that packedSamples cuts its chunks from:
// the first is small, and they double up to 16 MiB, so that a large
// network's samples come in huge pages (kernel.MakeHuge) rather than in
// a million small page faults per 4 GiB, and a small one's take little.
const (
	minPackedSlab = 1 << 16
	maxPackedSlab = 1 << 22
)

// Chunk sizes of packedSamples: the first chunk of a list is small, the
// next ones double up to the largest, so that many short lists take
// little memory and long ones few allocations.
const (
	minPackedChunk = 1 << 8
	maxPackedChunk = 1 << 16
)

func newPackedSamples(n, blocks int) *packedSamples {
	buckets := (n + 1<<stageShift - 1) >> stageShift
	return &packedSamples{buckets: buckets, lists: make([][][]uint32, buckets*blocks), tails: make([][]uint32, buckets*blocks)}
}

// add records the connections of one visit.
func (p *packedSamples) add(row int, pre []int32, preStart, blk int) {
	const mask = 1<<stageShift - 1
	hi := uint32(row) << stageShift
	first := blk * p.buckets
	tails := p.tails[first : first+p.buckets] // the block's lists
	for _, c := range pre {
		col := int(c) + preStart
		t := &tails[col>>stageShift]
		if len(*t) == cap(*t) {
			p.grow(t, first+col>>stageShift)
		}
		*t = append(*t, hi|uint32(col&mask))
	}
}

// grow files the full tail t of list i with the list's chunks and gives
// the list an empty tail twice its size.
func (p *packedSamples) grow(t *[]uint32, i int) {
	size := minPackedChunk
	if cap(*t) > 0 {
		size = min(maxPackedChunk, 2*cap(*t))
		p.lists[i] = append(p.lists[i], *t)
	}
	if len(p.slab) < size {
		p.slab = kernel.MakeHuge[uint32](max(size, min(maxPackedSlab, minPackedSlab<<p.slabs)))
		p.slabs++
		p.held += 4 * int64(len(p.slab))
	}
	*t = p.slab[:0:size]
	p.slab = p.slab[size:]
}

// bytes returns the bytes p holds: its slabs, and the headers of its
// lists and of their chunks.
func (p *packedSamples) bytes() int64 {
	const header = 24 // a slice header
	b := p.held + 2*header*int64(len(p.lists))
	for _, l := range p.lists {
		b += header * int64(cap(l))
	}
	return b
}

// close appends every tail to its list, once all connections are added.
func (p *packedSamples) close() {
	for i, t := range p.tails {
		if len(t) > 0 {
			p.lists[i] = append(p.lists[i], t)
		}
	}
	p.tails = nil
}

// writePacked writes the packed samples of all workers into m, whose
// indptr is final, one column bucket at a time: the bucket's columns are a
// contiguous stretch of m, and their write positions stay in cache while
// its entries stream in. Within a column, the entries come block by block
// in increasing order of the blocks' first post unit, and each block's
// worker by worker, which is increasing row order. Buckets are split among
// the workers. With merge, an entry whose row is that of the entry before
// it in its column is added to that entry, in stored order, as
// sumDuplicates would add it; m.indptr must then count each pair once.
// When m's values are implied, it writes the rows only and returns the
// repeats each worker recorded (see repeatLog), in the order of their
// buckets, with room reserved from repeats, the layout's bound.
func writePacked[T float32 | float64](m *csc[T], blocks []block, pk []*packedSamples, merge bool, repeats float64) [][]repeatRec {
	n := len(m.indptr) - 1
	buckets := (n + 1<<stageShift - 1) >> stageShift
	order := make([]int, len(blocks))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return blocks[a].postStart - blocks[b].postStart })
	logs := make([][]repeatRec, len(pk))
	forRanges(buckets, len(pk), func(w, lo, hi int) {
		cur := make([]int64, 1<<stageShift)
		last := make([]int32, 1<<stageShift) // with gap codes: each column's last row, -1 before its first
		log := &repeatLog{pending: make([]uint32, 1<<stageShift)}
		if merge && m.vals == nil {
			entries := m.indptr[min(n, hi<<stageShift)] - m.indptr[lo<<stageShift]
			log.done = make([]repeatRec, 0, repeatRoom(repeats, entries, m.nnz()))
		}
		for b := lo; b < hi; b++ {
			base := b << stageShift
			width := min(n, base+1<<stageShift) - base
			copy(cur, m.indptr[base:base+width])
			for k := range last {
				last[k] = -1
			}
			log.base = base
			for _, bi := range order {
				v := T(blocks[bi].rule.weight())
				for _, p := range pk {
					l := &p.lists[bi*p.buckets+b]
					for _, chunk := range *l {
						switch {
						case m.gaps != nil:
							m.writeGaps(chunk, cur, last, base, merge, log)
						case m.vals == nil:
							m.writeRows(chunk, cur, base, merge, log)
						default:
							m.writeEntries(chunk, cur, base, v, merge)
						}
					}
					*l = nil
				}
			}
			if merge && m.vals == nil {
				for k := range width {
					log.settle(base+k, cur[k]-1-m.indptr[base+k])
				}
			}
		}
		logs[w] = log.done
	})
	return logs
}

// writeEntries writes a chunk of packed samples of one block, of weight
// v, into the bucket of columns from base, whose next slots are cur (see
// writePacked).
func (m *csc[T]) writeEntries(chunk []uint32, cur []int64, base int, v T, merge bool) {
	const mask = 1<<stageShift - 1
	for _, e := range chunk {
		k := e & mask
		at := cur[k]
		next := m.put(at, m.indptr[base+int(k)], int32(e>>stageShift), v, merge)
		if next == at {
			continue // added to the entry before it
		}
		cur[k] = next
		if at%16 == 0 && at+16 < int64(len(m.rows)) {
			// Starting a line of rows: ask for the column's next lines,
			// needed 16 entries from now.
			kernel.PrefetchWrite(m.rows[at+16:], m.vals[at+16:])
		}
	}
}

// writeRows is writeEntries for a matrix whose values are implied: it
// writes the rows, and records the repeats in log, whose base is base.
// It is putRow written out, for the build's hottest loop.
func (m *csc[T]) writeRows(chunk []uint32, cur []int64, base int, merge bool, log *repeatLog) {
	const mask = 1<<stageShift - 1
	rows, indptr, pending := m.rows, m.indptr[base:], log.pending
	for _, e := range chunk {
		k := e & mask
		at := cur[k]
		row := int32(e >> stageShift)
		if merge {
			if at > indptr[k] && rows[at-1] == row {
				pending[k]++ // a further draw of the entry before it
				continue
			}
			if pending[k] != 0 {
				log.settle(base+int(k), at-1-indptr[k])
			}
		}
		rows[at] = row
		cur[k] = at + 1
		if at%16 == 0 && at+16 < int64(len(rows)) {
			// Starting a line of rows: ask for the column's next line,
			// needed 16 entries from now.
			kernel.PrefetchWrite(rows[at+16:], rows[at+16:])
		}
	}
}

// writeGaps is writeRows for a matrix that keeps its rows as gap codes:
// last holds the last row written in each column of the bucket (-1 before
// the first), from which a row's code is its gap.
func (m *csc[T]) writeGaps(chunk []uint32, cur []int64, last []int32, base int, merge bool, log *repeatLog) {
	const mask = 1<<stageShift - 1
	gaps, indptr, pending := m.gaps, m.indptr[base:], log.pending
	for _, e := range chunk {
		k := e & mask
		row := int32(e >> stageShift)
		prev := last[k]
		at := cur[k]
		if merge {
			if prev == row {
				pending[k]++ // a further draw of the entry before it
				continue
			}
			if pending[k] != 0 {
				log.settle(base+int(k), at-1-indptr[k])
			}
		}
		gaps[at] = uint16(row - prev)
		last[k] = row
		cur[k] = at + 1
		if at%32 == 0 && at+32 < int64(len(gaps)) {
			// Starting a line of codes: ask for the column's next line,
			// needed 32 entries from now.
			kernel.PrefetchWrite(gaps[at+32:], gaps[at+32:])
		}
	}
}

// Bounds of the number of column indices in one chunk of a sampleBuffer.
// Chunks of fixed size avoid the copies and the doubled peak of a growing
// slice.
const (
	minSampleChunk = 1 << 12
	maxSampleChunk = 1 << 20
)

// sampleBuffer keeps the connections drawn by one worker in the first pass
// of buildCSC, in drawing order, for the second pass.
type sampleBuffer struct {
	chunk  int           // capacity of one chunk
	chunks [][]int32     // column indices (unit ids of pre units)
	visits []sampleVisit // one per call of the visitor
}

// sampleVisit records one call of the visitor: the row, the number of
// column indices it handed over, and the weight.
type sampleVisit struct {
	row, count int32
	j          float64
}

// bytes returns the bytes b holds: its chunks and its visits.
func (b *sampleBuffer) bytes() int64 {
	const header = 24 // a slice header
	return int64(cap(b.chunks))*header + int64(len(b.chunks))*4*int64(b.chunk) +
		int64(cap(b.visits))*int64(unsafe.Sizeof(sampleVisit{}))
}

// add records one call of the visitor.
func (b *sampleBuffer) add(row int, pre []int32, preStart int, j float64) {
	b.visits = append(b.visits, sampleVisit{row: int32(row), count: int32(len(pre)), j: j})
	for len(pre) > 0 {
		if len(b.chunks) == 0 || len(b.chunks[len(b.chunks)-1]) == b.chunk {
			b.chunks = append(b.chunks, make([]int32, 0, b.chunk))
		}
		last := &b.chunks[len(b.chunks)-1]
		at := len(*last)
		k := min(len(pre), b.chunk-at)
		*last = (*last)[:at+k]
		dst := (*last)[at:]
		for i, c := range pre[:k] {
			dst[i] = c + int32(preStart)
		}
		pre = pre[k:]
	}
}

// replay calls visit with the recorded connections, in recorded order
// (pre indices are unit ids, so preStart is 0), releasing chunks as it
// goes. A visit that spans two chunks is handed over in two calls.
func (b *sampleBuffer) replay(visit visitor) {
	ci, off := 0, 0
	for _, v := range b.visits {
		for need := int(v.count); need > 0; {
			chunk := b.chunks[ci]
			k := min(need, len(chunk)-off)
			visit(int(v.row), chunk[off:off+k], 0, v.j, -1)
			need -= k
			off += k
			if off == len(chunk) {
				b.chunks[ci] = nil
				ci, off = ci+1, 0
			}
		}
	}
	b.chunks, b.visits = nil, nil
}

// Staging of the fill pass. Writing each entry straight to its column
// touches a new cache line per entry, anywhere in the matrix: about 50 ns
// per entry once the matrix is larger than the caches. Instead each worker
// buffers its entries by bucket of 1<<stageShift consecutive columns and
// writes a bucket out, sorted by column, when its buffer is full; the lines
// being written then stay in cache and each is filled several times. With
// stagePerColumn entries per column of a bucket, the buffers take at most
// stagePerColumn*(8+elem) bytes per unit and worker; stageBytes bounds it.
// A packedStage buffers packedStageFactor times as many entries of 4
// bytes in the same room.
const (
	stageShift     = 10 // a bucket is 1<<stageShift columns
	stagePerColumn = 8  // buffered entries per column of a bucket
)

// stagedEntry is one buffered entry of the fill pass.
type stagedEntry[T float32 | float64] struct {
	col, row int32
	val      T
}

// fillStage buffers one worker's entries of the fill pass by column bucket.
// Entries keep their order within a bucket, so rows stay sorted within
// every column.
type fillStage[T float32 | float64] struct {
	m    *csc[T]
	cur  []int32 // next slot of each column for this worker, from indptr
	size int     // capacity of one bucket
	buf  []stagedEntry[T]
	fill []int // entries buffered in each bucket

	hist   []int32          // scratch of flush: column counts
	sorted []stagedEntry[T] // scratch of flush: one bucket sorted by column
}

// newFillStage returns the stage of a worker, with cur its column offsets
// from the count pass. The buffers are sized by the worker's number of
// entries, so small networks take little.
func newFillStage[T float32 | float64](m *csc[T], cur []int32) *fillStage[T] {
	n := len(cur)
	var mine int64 // entries this worker will write
	for c, off := range cur {
		mine += m.indptr[c+1] - m.indptr[c] - int64(off)
	}
	buckets, size := stageSize(n, mine)
	return &fillStage[T]{
		m: m, cur: cur, size: int(size),
		buf:    make([]stagedEntry[T], buckets*size),
		fill:   make([]int, buckets),
		hist:   make([]int32, 1<<stageShift+1),
		sorted: make([]stagedEntry[T], size),
	}
}

// addRow buffers the entries (row, c+preStart) with value v for every c
// in pre.
func (s *fillStage[T]) addRow(row int, pre []int32, preStart int, v T) {
	buf, fill, size := s.buf, s.fill, s.size
	for _, c := range pre {
		col := int(c) + preStart
		b := col >> stageShift
		f := fill[b]
		buf[b*size+f] = stagedEntry[T]{col: int32(col), row: int32(row), val: v}
		fill[b] = f + 1
		if f+1 == size {
			s.flush(b)
		}
	}
}

// flush writes the entries of bucket b to their columns. It first sorts
// them by column (a stable counting sort), so that each column's entries
// are written together and the writes sweep forward through the arrays.
func (s *fillStage[T]) flush(b int) {
	entries := s.buf[b*s.size : b*s.size+s.fill[b]]
	s.fill[b] = 0
	base := b << stageShift
	cnt := s.hist
	clear(cnt)
	for _, e := range entries {
		cnt[int(e.col)-base+1]++
	}
	for i := 1; i < len(cnt); i++ {
		cnt[i] += cnt[i-1]
	}
	sorted := s.sorted[:len(entries)]
	for _, e := range entries {
		k := int(e.col) - base
		sorted[cnt[k]] = e
		cnt[k]++
	}
	rows, vals := s.m.rows, s.m.vals
	s.m.forStagedColumns(base, cnt, s.cur, func(_ int, at int64, lo, hi int32) int64 {
		for _, e := range sorted[lo:hi] {
			rows[at] = e.row
			vals[at] = e.val
			at++
		}
		return at
	})
}

// forStagedColumns writes out a bucket of a fill stage, whose entries a
// stable counting sort by column left so that column base+k's are
// sorted[cnt[k-1]:cnt[k]], column by column: for each column col with
// entries it calls write(col, at, lo, hi), where at is the column's next
// slot (m.indptr[col] + cur[col]) and lo, hi the bounds of its entries in
// sorted, and takes the slot write returns as the next one. It asks for
// the lines of the next slot of the column ahead columns further on
// beforehand, so that they arrive while this column is written.
func (m *csc[T]) forStagedColumns(base int, cnt, cur []int32, write func(col int, at int64, lo, hi int32) int64) {
	const ahead = 8
	indptr, rows, vals := m.indptr, m.rows, m.vals
	width := min(1<<stageShift, len(cur)-base)
	start := int32(0)
	for k := range width {
		col := base + k
		if c := col + ahead; k+ahead < width && cnt[k+ahead] > cnt[k+ahead-1] {
			at := indptr[c] + int64(cur[c])
			if vals != nil {
				kernel.PrefetchWrite(rows[at:], vals[at:])
			} else {
				kernel.PrefetchWrite(rows[at:], rows[at:])
			}
		}
		end := cnt[k]
		if end == start {
			continue
		}
		at := indptr[col] + int64(cur[col])
		cur[col] = int32(write(col, at, start, end) - indptr[col])
		start = end
	}
}

// flushAll writes every buffered entry.
func (s *fillStage[T]) flushAll() {
	for b := range s.fill {
		s.flush(b)
	}
}
