package binarynet

import (
	"fmt"
	"math"
	"slices"
	"sort"

	"github.com/binarynet/binarynet/internal/kernel"
)

// CopyWeightRows copies rows r0 to r1-1 of the weight matrix W (row =
// postsynaptic unit, column = presynaptic unit, as Weights returns it)
// into dst, row after row, (r1 - r0) x N values converted to D, and
// returns dst, grown when it is too short. Entries without a connection
// are zero. Growing dst beyond the network's RAM budget
// (Options.RAMBudgetGB) is an error wrapping ErrMemoryBudget.
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
	if elems := float64(r1-r0) * float64(n); elems > float64(cap(dst)) {
		what := fmt.Sprintf("CopyWeightRows of %d rows of %d units", r1-r0, n)
		if err := checkBudget(elems*float64(kernel.SizeOf[D]()), nw.opts.RAMBudgetGB, what, "; copy fewer rows at a time"); err != nil {
			return dst, err
		}
		if elems > math.MaxInt {
			return dst, fmt.Errorf("%w: %s needs more elements than this platform can index", ErrMemoryBudget, what)
		}
		dst = make([]D, int(elems))
	}
	need := (r1 - r0) * n
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
	all := m.rowArray()
	values := m.columns()
	for pre := range n {
		lo, hi := m.indptr[pre], m.indptr[pre+1]
		rows := all[lo:hi]
		k := sort.Search(len(rows), func(i int) bool { return int(rows[i]) >= r0 })
		k1 := k
		for k1 < len(rows) && int(rows[k1]) < r1 {
			k1++
		}
		for i, v := range values.valSpan(pre, k, k1) {
			dst[(int(rows[k+i])-r0)*n+pre] += D(v)
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
	net    *Network // whose row pointers ptr are
	ptr    []int64  // row pointers of the whole matrix of net
	spans  []int64  // per column: the entry after the last Load's rows
	end    int      // r1 of the last Load, with spans valid; -1 for none
}

// RowPointers returns the row pointers of the whole weight matrix of nw in
// CSR form, N+1 values: row r has entries RowPointers[r] to
// RowPointers[r+1]-1 of the concatenated blocks, as Load gives them. The
// block computes them once per network (a pass over the weights) and
// reuses them in its Loads; the slice returned is a copy.
func (b *WeightRowBlock[D]) RowPointers(nw *Network) ([]int64, error) {
	if err := b.prepare(nw); err != nil {
		return nil, err
	}
	return slices.Clone(b.ptr), nil
}

// prepare computes the row pointers of nw unless b holds them.
func (b *WeightRowBlock[D]) prepare(nw *Network) error {
	if !nw.Initialized() {
		return orderError("WeightRowBlock before Initialize")
	}
	if b.net == nw {
		return nil
	}
	b.net, b.ptr, b.end = nw, nw.num.rowPointers(), -1
	return nil
}

// Load fills b with rows r0 to r1-1 of the weights of nw: the stored
// entries of a sparse network, the non-zero ones of a dense network. The
// weights do not change after Initialize, so Load may run concurrently
// with Run and the other methods of nw. Blocks loaded in increasing order
// of rows, each starting where the last ended, cost one pass over the
// weights in all. A block beyond the network's RAM budget
// (Options.RAMBudgetGB) is an error wrapping ErrMemoryBudget.
func (b *WeightRowBlock[D]) Load(nw *Network, r0, r1 int) error {
	if err := b.prepare(nw); err != nil {
		return err
	}
	n := nw.N()
	if r0 < 0 || r1 < r0 || r1 > n {
		return paramError("rows", fmt.Sprintf("[%d, %d)", r0, r1), fmt.Sprintf("must lie within [0, %d)", n))
	}
	cont := b.end == r0 && r0 > 0
	b.end = -1 // until this Load has finished
	b.Start = r0
	b.Indptr = slices.Grow(b.Indptr[:0], r1-r0+1)[:r1-r0+1]
	for i := range b.Indptr {
		b.Indptr[i] = b.ptr[r0+i] - b.ptr[r0]
	}
	total := int(b.Indptr[r1-r0])
	if cap(b.Cols) < total {
		what := fmt.Sprintf("WeightRowBlock.Load of %d rows (%d weights)", r1-r0, total)
		if err := checkBudget(float64(total)*float64(4+kernel.SizeOf[D]()), nw.opts.RAMBudgetGB, what, "; load fewer rows at a time"); err != nil {
			return err
		}
		b.Cols, b.Vals = kernel.MakeHuge[int32](total), kernel.MakeHuge[D](total)
	}
	b.Cols, b.Vals = b.Cols[:total], b.Vals[:total]
	if len(b.spans) != n {
		b.spans, cont = make([]int64, n), false
	}
	switch d := any(b).(type) {
	case *WeightRowBlock[float32]:
		nw.num.blockTo32(d, r0, r1, cont)
	case *WeightRowBlock[float64]:
		nw.num.blockTo64(d, r0, r1, cont)
	}
	b.end = r1
	return nil
}

func (e *engine[T]) blockTo32(b *WeightRowBlock[float32], r0, r1 int, cont bool) {
	loadBlock(e, b, r0, r1, cont)
}

func (e *engine[T]) blockTo64(b *WeightRowBlock[float64], r0, r1 int, cont bool) {
	loadBlock(e, b, r0, r1, cont)
}

// rowPointers returns the CSR row pointers of the whole matrix: the
// stored entries of each row, or its non-zero entries in dense mode.
func (e *engine[T]) rowPointers() []int64 {
	n := len(e.state)
	ptr := make([]int64, n+1)
	if e.dense != nil {
		for pre := range n {
			for post, v := range e.dense[pre*n : (pre+1)*n] {
				if v != 0 {
					ptr[post+1]++
				}
			}
		}
	} else {
		for _, r := range e.sparse.rowArray()[:e.sparse.nnz()] {
			ptr[r+1]++
		}
	}
	for r := range n {
		ptr[r+1] += ptr[r]
	}
	return ptr
}

// loadBlock fills b, whose Indptr, Cols and Vals are sized for rows
// r0..r1-1, in one pass over the columns: each column's entries of the
// block go to the next free place of their row, so the writes stay
// within the block. A sparse column is entered where the last block left
// it when cont, else found by binary search.
func loadBlock[T, D float32 | float64](e *engine[T], b *WeightRowBlock[D], r0, r1 int, cont bool) {
	n := len(e.state)
	// next[i] is where the next entry of row r0+i goes; it is Indptr
	// shifted by one place, restored at the end.
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
		all := m.rowArray()
		values := m.columns()
		for pre := range n {
			lo, hi := m.indptr[pre], m.indptr[pre+1]
			var k int64
			if cont {
				k = b.spans[pre]
			} else {
				rows := all[lo:hi]
				k = lo + int64(sort.Search(len(rows), func(i int) bool { return int(rows[i]) >= r0 }))
			}
			k1 := k
			for k1 < hi && int(all[k1]) < r1 {
				k1++
			}
			for x, v := range values.valSpan(pre, int(k-lo), int(k1-lo)) {
				i := int(all[k+int64(x)]) - r0
				at := next[i]
				b.Cols[at], b.Vals[at] = int32(pre), D(v)
				next[i]++
			}
			b.spans[pre] = k1
		}
	}
	// Each row's place has advanced from its start to its end, the next
	// row's start: shift back.
	copy(b.Indptr[1:], b.Indptr[:len(b.Indptr)-1])
	b.Indptr[0] = 0
}
