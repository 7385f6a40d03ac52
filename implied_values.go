package binarynet

import (
	"math"
	"sort"
)

// impliedValues holds the values of a sparse weight matrix built from
// blocks with one rule each (see oneRulePerBlock) without an array of
// them: the value of an entry is the weight of the block it lies in,
// added to itself once more for every further time its pair was drawn,
// in the order put adds the repeats of a pair. Only the entries drawn
// more than once are stored, in 8 bytes each, where an array of values
// takes 4 or 8 bytes for every entry; the build then writes, and the
// process first touches, half the bytes per synapse.
//
// Readers take a column's values from a colReader. The update loop's CSC
// kernel reads an array of values, so an engine that uses it, rather than
// the gap-coded copy, writes the array out once (materialize).
type impliedValues[T float32 | float64] struct {
	weights *blockWeights[T]
	repPtr  []int64 // column c's repeats are reps[repPtr[c]:repPtr[c+1]]; nil without repeats
	reps    []repeat
}

// impliedPays reports whether a matrix of about expected entries, of
// which at most repeats are expected to be drawn more than once (see
// repeatBound), is built with implied values: when its repeats are at most
// one entry in 32, so that recording them takes at most 1.5 bytes per
// entry where an array of values takes 4 or 8. Networks with Poisson
// blocks of high probability, whose pairs repeat often, keep an array of
// values.
func impliedPays(expected, repeats float64) bool { return repeats <= expected/32 }

// repeatRoom returns the number of repeats to reserve room for in the log
// of a writer that writes entries of a matrix of nnz entries whose
// repeats are bounded by bound (see repeatBound): its share of the bound,
// plus 6 standard deviations as for a Poisson count, at most entries. A
// log with room does not grow by copying as it is written, which would
// touch fresh memory twice; room it does not use is never touched.
func repeatRoom(bound float64, entries, nnz int64) int {
	if nnz == 0 {
		return 0
	}
	mean := bound * float64(entries) / float64(nnz)
	return int(min(float64(entries), mean+6*math.Sqrt(mean)+64))
}

// repeat is an entry drawn more than once: its offset in its column and
// the number of its draws after the first.
type repeat struct{ at, extra uint32 }

// repeatRec is a repeat as a writer of the build records it, with its
// column.
type repeatRec struct {
	col int32
	repeat
}

// newImpliedValues returns the implied values of a matrix of n columns
// with the given block weights, from the repeats its writers recorded.
// Within a column, each writer's records must come in increasing order of
// their offsets, and the writers' parts of the column in the order of
// logs; a stable counting sort by column then puts every column's repeats
// in order, in time linear in their number.
func newImpliedValues[T float32 | float64](weights *blockWeights[T], n int, logs [][]repeatRec) *impliedValues[T] {
	iv := &impliedValues[T]{weights: weights}
	var total int
	for _, l := range logs {
		total += len(l)
	}
	if total == 0 {
		return iv
	}
	iv.repPtr = make([]int64, n+1)
	for _, l := range logs {
		for _, r := range l {
			iv.repPtr[r.col+1]++
		}
	}
	for c := range n {
		iv.repPtr[c+1] += iv.repPtr[c]
	}
	// Place the repeats with repPtr[c] as column c's next place, which
	// then ends at the start of column c+1: shift back.
	iv.reps = make([]repeat, total)
	for _, l := range logs {
		for _, r := range l {
			iv.reps[iv.repPtr[r.col]] = r.repeat
			iv.repPtr[r.col]++
		}
	}
	copy(iv.repPtr[1:], iv.repPtr[:n])
	iv.repPtr[0] = 0
	return iv
}

// fill writes the values of the entries k0 to k0+len(dst)-1 of column c,
// whose rows are rows, into dst (len(dst) == len(rows)).
func (iv *impliedValues[T]) fill(dst []T, rows []int32, c int, k0 int) {
	w := iv.weights
	pre := w.of[c] * w.ranges
	// The column's rows increase, so its weight changes only where a row
	// reaches the end of its range: only there is it looked up.
	end, v := int32(0), T(0) // rows below end have weight v
	for i, row := range rows {
		if row >= end {
			r := w.of[row]
			end, v = w.cuts[r+1], w.w[pre+r]
		}
		dst[i] = v
	}
	if iv.repPtr == nil {
		return
	}
	reps := iv.reps[iv.repPtr[c]:iv.repPtr[c+1]]
	if k0 > 0 {
		reps = reps[sort.Search(len(reps), func(i int) bool { return int(reps[i].at) >= k0 }):]
	}
	for _, r := range reps {
		at := int(r.at) - k0
		if at >= len(dst) {
			break
		}
		v := dst[at]
		sum := v
		for range r.extra {
			sum += v
		}
		dst[at] = sum
	}
}

// repeatLog records one writer's repeats as it writes the rows of a
// matrix whose values are implied: pending counts the further draws of
// the entry last written in each column (indexed by column - base), until
// the column's next entry, or the end of the writer's work, settles it
// into done.
type repeatLog struct {
	base    int
	pending []uint32
	done    []repeatRec
}

// settle records the pending repeats of column col, whose last entry is
// at offset at of the column, and clears them.
func (l *repeatLog) settle(col int, at int64) {
	if p := l.pending[col-l.base]; p != 0 {
		l.done = append(l.done, repeatRec{col: int32(col), repeat: repeat{at: uint32(at), extra: p}})
		l.pending[col-l.base] = 0
	}
}
