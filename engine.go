package binarynet

import (
	"fmt"
	"unsafe"
)

// engine holds the network's numeric state for one float type: the states,
// the cached field h = W s, the thresholds and the weights, dense or
// sparse.
type engine[T float32 | float64] struct {
	n      int
	state  []int8
	field  []T
	thresh []T
	dense  []T     // column-major n x n, nil in sparse mode
	sparse *csc[T] // nil in dense mode

	// kern is a gap-coded copy of sparse that the flip kernel reads
	// instead, when it pays and fits in the budget (see newGapColumns);
	// nil otherwise. kernChecked records that the choice was made.
	kern        *gapColumns[T]
	kernChecked bool

	// Units drawn ahead by run, and their populations: scratch space that
	// lets the run loop look for the next state change (see runAhead).
	ahead    [lookahead]int32
	aheadPop [lookahead]int32
}

// lookahead is the number of units run draws before updating them.
const lookahead = 256

// flip adds delta (+1 or -1) times the outgoing column of unit u to the
// field.
func (e *engine[T]) flip(u int, delta int8) {
	if e.kern != nil {
		e.kern.flip(u, delta, e.field, -1)
		return
	}
	if e.dense != nil {
		col := e.dense[u*e.n : (u+1)*e.n]
		axpy(delta, col, e.field)
		return
	}
	lo, hi := e.sparse.indptr[u], e.sparse.indptr[u+1]
	scatterAdd(delta, e.sparse.rows[lo:hi], e.sparse.vals[lo:hi], e.field)
}

// flipAhead is flip, and it also starts loading the outgoing column of
// unit next (if next >= 0) into cache while it works. The sparse kernels
// prefetch on amd64; the dense one ignores next.
func (e *engine[T]) flipAhead(u int, delta int8, next int) {
	if e.kern != nil {
		e.kern.flip(u, delta, e.field, next)
		return
	}
	if e.dense != nil || !haveScatterAsm {
		e.flip(u, delta)
		return
	}
	m := e.sparse
	lo, hi := m.indptr[u], m.indptr[u+1]
	vals, ok := any(m.vals).([]float32)
	if !ok {
		e.flip(u, delta)
		return
	}
	sign := uint32(0)
	if delta < 0 {
		sign = 1 << 31
	}
	var aheadRows, aheadVals unsafe.Pointer
	lines := 0
	if next >= 0 {
		nlo, nhi := m.indptr[next], m.indptr[next+1]
		if nhi > nlo {
			aheadRows = unsafe.Pointer(&m.rows[nlo])
			aheadVals = unsafe.Pointer(&vals[nlo])
			lines = int((nhi - nlo + 15) / 16)
		}
	}
	scatterAdd32(sign, m.rows[lo:hi], vals[lo:hi], any(e.field).([]float32), aheadRows, aheadVals, lines)
}

// prepareKernel makes the gap-coded copy of the sparse weights for the
// flip kernel on the given number of goroutines, if it pays and takes at
// most avail bytes, and records that the choice was made.
func (e *engine[T]) prepareKernel(workers int, avail float64) {
	if e.sparse != nil && !e.kernChecked {
		e.kern = newGapColumns(e.sparse, workers, avail)
	}
	e.kernChecked = true
}

// prepare is prepareKernel with the budget left by the sparse weights as
// they are, for engines made from given weights or restored from a
// checkpoint; it does nothing for engines that made their choice.
func (e *engine[T]) prepare(opts Options) {
	if e.sparse != nil && !e.kernChecked {
		e.prepareKernel(opts.Workers, restoredKernelBudget(opts, e.n, e.sparse.nnz()))
	}
	e.kernChecked = true
}

// recomputeField sets field = W state from scratch, adding the columns of
// the active units in increasing order.
func (e *engine[T]) recomputeField() {
	clear(e.field)
	for u, s := range e.state {
		if s != 0 {
			e.flip(u, 1)
		}
	}
}

// decide applies the rule of the unit's population to unit u: it sets the
// unit's new state and returns the change, -1, 0 or +1, leaving the field
// to the caller. For threshold units the new state is 1 when the field is
// strictly above the threshold.
func (e *engine[T]) decide(u int, kind popKind, drawn bool) int8 {
	var next int8
	switch kind {
	case kindNeuron:
		if e.field[u] > e.thresh[u] {
			next = 1
		}
	case kindBackgroundRnd:
		if drawn {
			next = 1
		}
	default:
		return 0
	}
	delta := next - e.state[u]
	e.state[u] = next
	return delta
}

// numeric is the part of a network that depends on the float type; it is
// implemented by *engine[float32] and *engine[float64].
type numeric interface {
	// run performs steps updates, of the given units or, when units is
	// nil, of units drawn by the network's selector.
	run(nw *Network, units []int32, steps int) error
	stateSlice() []int8
	fieldTo(dst []float64) []float64
	thresholdsTo(dst []float64) []float64
	nonZero() int64
	// prepare readies the flip kernel (see engine.prepareKernel) for the
	// network's options; Network.finish calls it.
	prepare(opts Options)
}

// newEngine returns an engine without weights for the given states and
// thresholds, with a zero field.
func newEngine[T float32 | float64](state []int8, thresh []float64) *engine[T] {
	n := len(state)
	e := &engine[T]{n: n, state: state, field: make([]T, n), thresh: make([]T, n)}
	for i, t := range thresh {
		e.thresh[i] = T(t)
	}
	return e
}

// newGeneratedEngine builds the weights of a network from its synapse
// blocks and computes the initial field.
func newGeneratedEngine[T float32 | float64](opts Options, l *layout, state []int8, thresh []float64) (numeric, error) {
	e := newEngine[T](state, thresh)
	n := e.n
	var err error
	if opts.WeightMode == WeightDense {
		e.dense, err = buildDense[T](l.blocks, n, opts.Workers, opts.Seed)
	} else {
		e.sparse, err = buildCSC[T](l, n, opts.Workers, opts.Seed, opts.RAMBudgetGB)
	}
	if err != nil {
		return nil, err
	}
	if e.sparse != nil {
		e.prepareKernel(opts.Workers, kernelBudget(opts, l, n))
	}
	e.recomputeField()
	return e, nil
}

// run is the batch-update kernel shared by the dense and sparse modes.
func (e *engine[T]) run(nw *Network, units []int32, steps int) error {
	sel := &nw.sel
	if units == nil && !redraws(nw.specs) {
		for done := 0; done < steps; {
			b := min(lookahead, steps-done)
			for i := range b {
				k, u := sel.draw()
				e.ahead[i], e.aheadPop[i] = int32(u), int32(k)
			}
			e.runAhead(nw, e.ahead[:b], e.aheadPop[:b])
			done += b
		}
		return nil
	}
	for i := range steps {
		var k, u int
		if units != nil {
			u = int(units[i])
			k = sel.population(u)
		} else {
			k, u = sel.draw()
		}
		spec := &nw.specs[k]
		drawn := false
		if spec.kind == kindBackgroundRnd {
			a := spec.activity(nw.steps)
			if !(a >= 0 && a <= 1) {
				return paramError(fmt.Sprintf("background %q activity at step %d", spec.name, nw.steps), a, "must be in [0, 1]")
			}
			drawn = nw.bgRand.Float64() < a
		}
		delta := e.decide(u, spec.kind, drawn)
		if delta != 0 {
			e.flip(u, delta)
		}
		nw.record(u, delta, e.state)
	}
	return nil
}

// redraws reports whether some population is stochastic background,
// whose updates call a user's function and draw from their own stream.
func redraws(specs []popSpec) bool {
	for i := range specs {
		if specs[i].kind == kindBackgroundRnd {
			return true
		}
	}
	return false
}

// runAhead updates the units drawn ahead, units[i] in population pops[i],
// in order; no population redraws. It takes the same steps as run's loop
// but, at each state change, looks along the drawn units for the next
// one whose state disagrees with its field and threshold, and prefetches
// its column while adding the current one. The prediction ignores the
// change being made, so it is almost always right; a wrong one costs only
// the prefetch, never a result.
func (e *engine[T]) runAhead(nw *Network, units, pops []int32) {
	pops = pops[:len(units)]
	specs := nw.specs
	for i, u := range units {
		delta := e.decide(int(u), specs[pops[i]].kind, false)
		if delta != 0 {
			e.flipAhead(int(u), delta, e.nextChange(units[i+1:], pops[i+1:], specs))
		}
		nw.record(int(u), delta, e.state)
	}
}

// nextChange returns the first of units (in populations pops) whose state
// disagrees with its field and threshold, or -1.
func (e *engine[T]) nextChange(units, pops []int32, specs []popSpec) int {
	pops = pops[:len(units)]
	for i, v := range units {
		if specs[pops[i]].kind != kindNeuron {
			continue
		}
		if (e.field[v] > e.thresh[v]) != (e.state[v] != 0) {
			return int(v)
		}
	}
	return -1
}

func (e *engine[T]) stateSlice() []int8 { return e.state }

func (e *engine[T]) fieldTo(dst []float64) []float64 {
	for _, v := range e.field {
		dst = append(dst, float64(v))
	}
	return dst
}

func (e *engine[T]) thresholdsTo(dst []float64) []float64 {
	for _, v := range e.thresh {
		dst = append(dst, float64(v))
	}
	return dst
}

func (e *engine[T]) nonZero() int64 {
	if e.sparse != nil {
		return e.sparse.nnz()
	}
	var k int64
	for _, v := range e.dense {
		if v != 0 {
			k++
		}
	}
	return k
}
