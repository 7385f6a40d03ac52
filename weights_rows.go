package binarynet

import (
	"fmt"
	"sort"

	"github.com/binarynet/binarynet/internal/kernel"
)

// CopyWeightRows copies rows r0 to r1-1 of the weight matrix W (row =
// postsynaptic unit, column = presynaptic unit, as Weights returns it)
// into dst, row after row, (r1 - r0) x N values converted to D, and
// returns dst, grown when it is too short. Entries without a connection
// are zero.
//
// It reads the stored weights directly, a block of rows at a time, so a
// dense matrix can be written out row by row without a transposed copy of
// it: for a dense network it reads (r1 - r0) consecutive values of each
// stored column. The weights do not change after Initialize, so it may run
// concurrently with Run and the other methods of nw.
func CopyWeightRows[D float32 | float64](nw *Network, dst []D, r0, r1 int) ([]D, error) {
	if !nw.Initialized() {
		return dst, orderError("CopyWeightRows before Initialize")
	}
	n := nw.N()
	if r0 < 0 || r1 < r0 || r1 > n {
		return dst, paramError("rows", fmt.Sprintf("[%d, %d)", r0, r1), fmt.Sprintf("must lie within [0, %d)", n))
	}
	need := (r1 - r0) * n
	if cap(dst) < need {
		dst = make([]D, need)
	}
	dst = dst[:need]
	switch d := any(dst).(type) {
	case []float32:
		nw.num.rowsTo32(d, r0, r1)
	case []float64:
		nw.num.rowsTo64(d, r0, r1)
	}
	return dst, nil
}

func (e *engine[T]) rowsTo32(dst []float32, r0, r1 int) { copyRows(e, dst, r0, r1) }
func (e *engine[T]) rowsTo64(dst []float64, r0, r1 int) { copyRows(e, dst, r0, r1) }

// rowBlock is the number of presynaptic columns copyRows reads before it
// moves on, so that the rows of dst it writes stay in cache.
const rowBlock = 16

// copyRows fills dst with rows r0..r1-1 of W, (r1 - r0) x n values.
func copyRows[T, D float32 | float64](e *engine[T], dst []D, r0, r1 int) {
	n := len(e.state)
	if e.dense != nil {
		for p0 := 0; p0 < n; p0 += rowBlock {
			p1 := min(p0+rowBlock, n)
			for pre := p0; pre < p1; pre++ {
				col := e.dense[pre*n+r0 : pre*n+r1]
				for i, v := range col {
					dst[i*n+pre] = D(v)
				}
			}
		}
		return
	}
	clear(dst)
	m := e.sparse
	for pre := range n {
		lo, hi := m.indptr[pre], m.indptr[pre+1]
		rows := m.rows[lo:hi]
		k := sort.Search(len(rows), func(i int) bool { return int(rows[i]) >= r0 })
		for ; k < len(rows) && int(rows[k]) < r1; k++ {
			dst[(int(rows[k])-r0)*n+pre] += D(m.vals[int(lo)+k])
		}
	}
}

// WeightRowBlock holds a block of consecutive rows of the weight matrix W
// (row = postsynaptic unit) in compressed sparse row form, as Load fills
// it: row Start+i has the columns (presynaptic units, increasing)
// Cols[Indptr[i]:Indptr[i+1]] and the weights Vals[Indptr[i]:Indptr[i+1]],
// converted to D. A block is reused from one Load to the next, so a
// matrix can be written out in CSR form a block of rows at a time
// without a transposed copy of it.
type WeightRowBlock[D float32 | float64] struct {
	Start  int
	Indptr []int64
	Cols   []int32
	Vals   []D
	spans  []int64  // per column: first and end entry of the block's rows
	end    int      // r1 of the last Load
	net    *Network // of the last Load
	cont   bool     // this Load continues the last one: spans hold its ends
}

// Load fills b with rows r0 to r1-1 of the weights of nw: the stored
// entries of a sparse network, the non-zero ones of a dense network. The
// weights do not change after Initialize, so Load may run concurrently
// with Run and the other methods of nw.
func (b *WeightRowBlock[D]) Load(nw *Network, r0, r1 int) error {
	if !nw.Initialized() {
		return orderError("WeightRowBlock.Load before Initialize")
	}
	n := nw.N()
	if r0 < 0 || r1 < r0 || r1 > n {
		return paramError("rows", fmt.Sprintf("[%d, %d)", r0, r1), fmt.Sprintf("must lie within [0, %d)", n))
	}
	b.Start = r0
	b.cont = b.net == nw && b.end == r0 && r0 > 0
	b.net, b.end = nil, 0 // until this Load has finished
	b.Indptr = append(b.Indptr[:0], make([]int64, r1-r0+1)...)
	switch d := any(b).(type) {
	case *WeightRowBlock[float32]:
		nw.num.blockTo32(d, r0, r1)
	case *WeightRowBlock[float64]:
		nw.num.blockTo64(d, r0, r1)
	}
	b.net, b.end = nw, r1
	return nil
}

func (e *engine[T]) blockTo32(b *WeightRowBlock[float32], r0, r1 int) { loadBlock(e, b, r0, r1) }
func (e *engine[T]) blockTo64(b *WeightRowBlock[float64], r0, r1 int) { loadBlock(e, b, r0, r1) }

// loadBlock fills b (Indptr already zeroed, r1-r0+1 long) with rows
// r0..r1-1: a pass over the columns counts the entries of each row and
// a second one places them, so the writes stay within the block.
func loadBlock[T, D float32 | float64](e *engine[T], b *WeightRowBlock[D], r0, r1 int) {
	n := len(e.state)
	cnt := b.Indptr[1:]
	if e.dense != nil {
		for pre := range n {
			for i, v := range e.dense[pre*n+r0 : pre*n+r1] {
				if v != 0 {
					cnt[i]++
				}
			}
		}
	} else {
		m := e.sparse
		if len(b.spans) != 2*n {
			b.spans = make([]int64, 2*n)
		}
		spans := b.spans
		// A block that continues the last one starts each column where
		// the last one ended; any other searches for it.
		cont := b.cont && len(b.spans) == 2*n
		for pre := range n {
			lo, hi := m.indptr[pre], m.indptr[pre+1]
			rows := m.rows[lo:hi]
			var k int
			if cont {
				k = int(spans[2*pre+1] - lo)
			} else {
				k = sort.Search(len(rows), func(i int) bool { return int(rows[i]) >= r0 })
			}
			first := k
			for ; k < len(rows) && int(rows[k]) < r1; k++ {
				cnt[int(rows[k])-r0]++
			}
			spans[2*pre], spans[2*pre+1] = lo+int64(first), lo+int64(k)
		}
	}
	for i := range cnt {
		b.Indptr[i+1] += b.Indptr[i]
	}
	total := int(b.Indptr[len(b.Indptr)-1])
	if cap(b.Cols) < total {
		b.Cols, b.Vals = kernel.MakeHuge[int32](total), kernel.MakeHuge[D](total)
	}
	b.Cols, b.Vals = b.Cols[:total], b.Vals[:total]
	// next[i] is where the next entry of row r0+i goes; it reuses cnt,
	// which ends as Indptr[1:] again.
	next := b.Indptr[:len(b.Indptr)-1]
	if e.dense != nil {
		for pre := range n {
			for i, v := range e.dense[pre*n+r0 : pre*n+r1] {
				if v != 0 {
					at := next[i]
					b.Cols[at], b.Vals[at] = int32(pre), D(v)
					next[i]++
				}
			}
		}
	} else {
		m := e.sparse
		for pre := range n {
			for k := b.spans[2*pre]; k < b.spans[2*pre+1]; k++ {
				i := int(m.rows[k]) - r0
				at := next[i]
				b.Cols[at], b.Vals[at] = int32(pre), D(m.vals[k])
				next[i]++
			}
		}
	}
	// next has advanced each row's start to its end: shift back.
	copy(b.Indptr[1:], b.Indptr[:len(b.Indptr)-1])
	b.Indptr[0] = 0
}
