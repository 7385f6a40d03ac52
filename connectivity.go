package binarynet

import (
	"math/rand/v2"
	"sync"
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
	exclude            bool // population onto itself without autapses
}

// visitor receives the connections of one post row from one block: the
// local pre indices (offset by preStart to get unit ids) and the weight.
type visitor func(row int, pre []int32, preStart int, j float64)

// sampleRows draws the connections of post rows [lo, hi) for every block
// and hands them to visit in increasing row order, and for one row in
// block order. lo must be a multiple of rowsPerChunk.
func sampleRows(blocks []block, samplers []rowSampler, seed uint64, lo, hi int, visit visitor) {
	buf := make([]int32, 0, 256)
	type live struct {
		b   *block
		s   rowSampler
		src *rand.PCG
		rng *rand.Rand
	}
	var active []live
	for c := lo; c < hi; c += rowsPerChunk {
		end := min(c+rowsPerChunk, hi)
		active = active[:0]
		for i := range blocks {
			b := &blocks[i]
			if b.postEnd <= c || b.postStart >= end {
				continue
			}
			src := rand.NewPCG(seed, streamID(streamConnect, uint64(b.index), uint64(c/rowsPerChunk)))
			active = append(active, live{b: b, s: samplers[i], src: src, rng: rand.New(src)})
		}
		for r := c; r < end; r++ {
			for _, a := range active {
				if r < a.b.postStart || r >= a.b.postEnd {
					continue
				}
				buf = a.s.row(buf[:0], r-a.b.postStart, a.rng, a.src)
				if len(buf) > 0 {
					visit(r, buf, a.b.preStart, a.b.rule.weight())
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
	workers = groupCount(n, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo := chunks * w / workers * rowsPerChunk
		hi := min(chunks*(w+1)/workers*rowsPerChunk, n)
		wg.Go(func() { fn(w, lo, hi) })
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
	w := make([]T, n*n)
	forRowGroups(n, workers, func(worker, lo, hi int) {
		sampleRows(blocks, samplerSets[worker], seed, lo, hi, func(row int, pre []int32, preStart int, j float64) {
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
// passes over the same random streams: the first counts the entries of
// every column per worker, the second writes them into their final place.
// No coordinate list is ever held, so the peak memory is the final arrays
// plus one int32 counter per column and worker. Rows come out sorted within
// each column; entries for the same (row, column) pair are then summed.
func buildCSC[T float32 | float64](blocks []block, n, workers int, seed uint64, mayRepeat bool) (*csc[T], error) {
	samplerSets, err := samplerSetsFor(blocks, n, workers)
	if err != nil {
		return nil, err
	}
	workers = len(samplerSets)
	counts := make([][]int32, workers)
	for w := range counts {
		counts[w] = make([]int32, n)
	}
	forRowGroups(n, workers, func(worker, lo, hi int) {
		cnt := counts[worker]
		sampleRows(blocks, samplerSets[worker], seed, lo, hi, func(_ int, pre []int32, preStart int, _ float64) {
			for _, c := range pre {
				cnt[int(c)+preStart]++
			}
		})
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
	nnz := indptr[n]
	m := &csc[T]{indptr: indptr, rows: make([]int32, nnz), vals: make([]T, nnz)}
	forRowGroups(n, workers, func(worker, lo, hi int) {
		cur := counts[worker]
		sampleRows(blocks, samplerSets[worker], seed, lo, hi, func(row int, pre []int32, preStart int, j float64) {
			v := T(j)
			for _, c := range pre {
				col := int(c) + preStart
				at := indptr[col] + int64(cur[col])
				cur[col]++
				m.rows[at] = int32(row)
				m.vals[at] = v
			}
		})
	})
	if mayRepeat {
		m.sumDuplicates()
	}
	return m, nil
}

// stream purposes; see streamID.
const (
	streamSelect  = 1 // unit selection in Run
	streamBackRnd = 2 // stochastic background redraws
	streamInit    = 3 // initial states, per population
	streamConnect = 4 // connectivity, per synapse and row chunk
)

// streamID derives the second PCG seed word for a purpose and two indices
// by chained splitmix64 mixing, so that nearby indices give unrelated
// streams.
func streamID(purpose, a, b uint64) uint64 {
	return mix64(mix64(mix64(purpose)^a)^b)
}

// mix64 is the splitmix64 finalizer, a bijection on uint64.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z ^= z >> 30
	z *= 0xbf58476d1ce4e5b9
	z ^= z >> 27
	z *= 0x94d049bb133111eb
	z ^= z >> 31
	return z
}
