package binarynet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/binarynet/binarynet/internal/kernel"
	"gonum.org/v1/gonum/mat"
)

// engine holds the network's numeric state for one float type: the states,
// the cached field h = W s, the thresholds and the weights, dense or
// sparse.
type engine[T float32 | float64] struct {
	state  []int8
	field  []T
	thresh []T
	dense  []T     // column-major n x n, nil in sparse mode
	sparse *csc[T] // nil in dense mode

	// base holds the thresholds without stimulus input, and input the
	// input of the active stimuli per unit (see stimulate); base is nil
	// until a stimulus acts, input while none does.
	base  []T
	input []float64

	// kern is a gap-coded copy of sparse that the flip kernel reads
	// instead, when it pays and fits in the budget (see newGapColumns);
	// nil otherwise. The constructors make the choice.
	kern *gapColumns[T]

	// in is what the update loop reads and writes besides the numeric
	// state, handed over by the network (see attach).
	in engineInputs

	// Units drawn ahead by run, and their populations: scratch space that
	// lets the run loop look for the next state change (see runAhead).
	ahead    [lookahead]int32
	aheadPop [lookahead]int32
	// predict is whether runAhead looks for the next state change: the
	// weights are sparse and some population follows the threshold rule
	// (set by attach, once the weights are in place).
	predict bool
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
		n := len(e.field)
		col := e.dense[u*n : (u+1)*n]
		kernel.Axpy(delta, col, e.field)
		return
	}
	lo, hi := e.sparse.indptr[u], e.sparse.indptr[u+1]
	kernel.ScatterAdd(delta, e.sparse.rows[lo:hi], e.sparse.vals[lo:hi], e.field)
}

// flipAhead is flip, and it also starts loading the outgoing column of
// unit next (if next >= 0) into cache while it works. The sparse kernels
// prefetch on amd64; the dense one ignores next.
func (e *engine[T]) flipAhead(u int, delta int8, next int) {
	if e.kern != nil {
		e.kern.flip(u, delta, e.field, next)
		return
	}
	if e.dense != nil || !kernel.HaveAsm {
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
	var aheadRows []int32
	var aheadVals []float32
	lines := 0
	if next >= 0 {
		nlo, nhi := m.indptr[next], m.indptr[next+1]
		aheadRows, aheadVals = m.rows[nlo:nhi], vals[nlo:nhi]
		lines = int((nhi - nlo + 15) / 16)
	}
	kernel.ScatterAdd32(sign, m.rows[lo:hi], vals[lo:hi], any(e.field).([]float32), aheadRows, aheadVals, lines)
}

// prepareKernel makes the gap-coded copy of the sparse weights for the
// flip kernel on the given number of goroutines, if it pays and takes at
// most avail bytes. Without it, the CSC kernel reads an array of values,
// which implied values are then written into.
func (e *engine[T]) prepareKernel(workers int, avail float64) {
	if e.sparse != nil {
		e.kern = newGapColumns(e.sparse, workers, avail)
		if e.kern == nil {
			e.sparse.materialize(workers)
		}
	}
}

// prepareGivenKernel is prepareKernel with the budget left by the sparse
// weights as they are, for engines made from given weights or restored
// from a checkpoint.
func (e *engine[T]) prepareGivenKernel(opts Options) {
	if e.sparse != nil {
		e.prepareKernel(opts.Workers, restoredKernelBudget(opts, len(e.state), e.sparse.nnz()))
	}
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

// set sets the state of unit u to 1 if on and to 0 otherwise, and
// returns the change, -1, 0 or +1, leaving the field to the caller.
func (e *engine[T]) set(u int, on bool) int8 {
	var next int8
	if on {
		next = 1
	}
	delta := next - e.state[u]
	e.state[u] = next
	return delta
}

// threshold applies the threshold rule to unit u: its new state is 1 when
// its field is strictly above its threshold. It returns the change.
func (e *engine[T]) threshold(u int) int8 { return e.set(u, e.field[u] > e.thresh[u]) }

// redraw applies the rule of a stochastic background population to unit
// u: active with probability activity(step), drawn from the background
// stream. It returns the change, or an error for an activity outside
// [0, 1], drawing nothing.
func (e *engine[T]) redraw(u int, r *popRule) (int8, error) {
	step := e.in.rec.steps
	a := r.activity(step)
	if !(a >= 0 && a <= 1) {
		return 0, paramError(fmt.Sprintf("background %q activity at step %d", r.name, step), a, "must be in [0, 1]")
	}
	return e.set(u, uniform01(e.in.bg) < a), nil
}

// stochastic applies a gain rule to unit u: active with probability
// gain.Prob(h, theta), decided by one number of the gain stream. It
// returns the change, or an error for a probability outside [0, 1],
// drawing nothing.
func (e *engine[T]) stochastic(u int, r *popRule) (int8, error) {
	on, err := e.decide(r, float64(e.field[u]), float64(e.thresh[u]))
	if err != nil {
		return 0, err
	}
	return e.set(u, on), nil
}

// decide draws the state of a unit of r's population with field h and
// threshold theta: active with probability r.gain.Prob(h, theta), decided
// by one number of the gain stream. A probability outside [0, 1] is an
// error, and draws nothing.
func (e *engine[T]) decide(r *popRule, h, theta float64) (bool, error) {
	if r.erfc != nil {
		// The probability of an ErfcGain is valid whenever h - theta is
		// not NaN, so the number can be drawn before it is known.
		if x := h - theta; !math.IsNaN(x) {
			u := uniform01(e.in.gain)
			if on, ok := r.erfc.decide(u, x); ok {
				return on, nil
			}
			return u < r.gain.Prob(h, theta), nil
		}
	}
	p := r.gain.Prob(h, theta)
	if !(p >= 0 && p <= 1) {
		return false, paramError(fmt.Sprintf("population %q gain at field %g, threshold %g (step %d)", r.name, h, theta, e.in.rec.steps), p, "must be a probability in [0, 1]")
	}
	return uniform01(e.in.gain) < p, nil
}

// numeric is the part of a network that depends on the float type; it is
// implemented by *engine[float32] and *engine[float64], and every
// operation that depends on the type goes through it (engineFor makes
// one).
type numeric interface {
	// attach hands the engine the selector, the population rules and the
	// recorder that run uses; Network.finish calls it once.
	attach(in engineInputs)
	// run performs steps updates, of the given units or, when units is
	// nil, of units drawn by the selector.
	run(units []int32, steps int) error
	stateSlice() []int8
	// setState replaces the state by s and recomputes the field.
	setState(s []int8)
	fieldTo(dst []float64) []float64
	thresholdsTo(dst []float64) []float64
	// nonZero returns the number of non-zero weights, storedEntries the
	// number of stored sparse entries (0 in dense mode).
	nonZero() int64
	storedEntries() int64
	// weights returns a float64 copy of the weight matrix (see
	// Network.Weights).
	weights(opts Options) (mat.Matrix, error)
	// visitColumns visits the stored weights column by column (see
	// Network.VisitWeightColumns).
	visitColumns(fn func(pre int, post []int32, w []float64) error) error
	// stimulate sets the thresholds from the stimulus input per unit, nil
	// for none (see Network.applyStimuli).
	stimulate(input []float64)
	// rowsTo32 and rowsTo64 copy rows of the weight matrix (see
	// CopyWeightRows).
	rowsTo32(dst []float32, r0, r1 int)
	rowsTo64(dst []float64, r0, r1 int)
	// blockTo32 and blockTo64 load a WeightRowBlock, rowPointers
	// computes the row pointers it uses.
	blockTo32(b *WeightRowBlock[float32], r0, r1 int, cont bool)
	blockTo64(b *WeightRowBlock[float64], r0, r1 int, cont bool)
	rowPointers() []int64
	// writeArrays writes the state, field, thresholds and weights of a
	// checkpoint.
	writeArrays(cw *ckptWriter)
	fieldSampler
}

// engineInputs is what the update loop uses besides the numeric state:
// the selector that draws the unit of each step, the update rule of each
// population with the background stream that stochastic rules draw from,
// and the recorder that counts and logs every step. The network makes
// them and hands them over once, so that data flows one way: network,
// engine, logs.
type engineInputs struct {
	sel   selector
	rules []popRule
	bg    *rand.PCG // the background stream, drawn through uniform01 (rand.Rand.Float64's values)
	gain  *rand.PCG // the stream of stochastic gains' decisions
	rec   *recorder
}

// popRule is how the engine updates the units of one population: the
// threshold rule (ruleThreshold), a fixed state (ruleFixed), a state
// redrawn with a probability (ruleRedraw), or a stochastic gain
// (ruleGain). Rules that draw random numbers take them from a stream of
// their own in step order (background redraws and gains each have one),
// so that results do not depend on how a run is batched. Only threshold
// units take part in runAhead's lookahead; a new rule is a new ruleKind
// with a case in runAhead, and leaves the threshold path as it is.
type popRule struct {
	kind     ruleKind
	name     string                   // for messages
	activity func(step int64) float64 // ruleRedraw only
	gain     Gain                     // ruleGain, and ruleAdapt when not nil
	erfc     *erfcDecision            // when gain is an ErfcGain
	adapt    *adaptState              // ruleAdapt only
}

// ruleKind selects the update rule of a population's units.
type ruleKind uint8

const (
	ruleThreshold ruleKind = iota // deterministic threshold, h > theta
	ruleFixed                     // state fixed after initialization
	ruleRedraw                    // stochastic background: active with probability activity(step)
	ruleGain                      // stochastic unit: active with probability gain.Prob(h, theta)
	ruleAdapt                     // adaptive threshold, with or without a gain
)

// foreseen reports whether nextChange foresees the decisions of the
// population's units: stochastic units of an ErfcGain, whose table makes
// a decision cheap.
func (r *popRule) foreseen() bool { return r.kind == ruleGain && r.erfc != nil }

// rulesOf returns the update rules of the populations, whose units start
// at starts; adaptive populations get their state at rest, from the
// thresholds that thresh returns (called only if some population adapts).
func rulesOf(specs []popSpec, starts []int, thresh func() []float64) []popRule {
	rules := make([]popRule, len(specs))
	var base []float64
	var table erfcTable // made for the first ErfcGain population
	for k, s := range specs {
		r := popRule{name: s.name, activity: s.activity, gain: s.gain}
		switch {
		case s.kind == kindBackground:
			r.kind = ruleFixed
		case s.kind == kindBackgroundRnd:
			r.kind = ruleRedraw
		case s.adapt.on():
			r.kind = ruleAdapt
			if base == nil {
				base = thresh()
			}
			r.adapt = newAdaptState(s.adapt, starts[k], base[starts[k]:starts[k+1]])
		case s.gain != nil:
			r.kind = ruleGain
		}
		if g, ok := r.gain.(ErfcGain); ok && (r.kind == ruleGain || r.kind == ruleAdapt) {
			if table == nil {
				table = newErfcTable()
			}
			r.erfc = newErfcDecision(g.Sigma, table)
		}
		rules[k] = r
	}
	return rules
}

func (e *engine[T]) attach(in engineInputs) {
	e.in = in
	// Looking for the next change pays only where it is used: the sparse
	// kernels prefetch the column it finds (the dense one ignores it), and
	// it finds only threshold units and units of an ErfcGain.
	e.predict = e.dense == nil && slices.ContainsFunc(in.rules, func(r popRule) bool { return r.kind == ruleThreshold || r.foreseen() })
}

// engineType makes engines of one float type: engineFor(t) is the one
// place that turns Options.WeightType into a type parameter.
type engineType interface {
	generated(opts Options, l *layout, state []int8, thresh []float64) (numeric, error)
	explicit(w mat.Matrix, opts Options, state []int8, thresh []float64) (numeric, error)
	read(cr *ckptReader, h *ckptHeader) (func() (numeric, error), error)
}

// engineOf is the engineType of engine[T].
type engineOf[T float32 | float64] struct{}

// engineFor returns the engineType of a weight type, which
// checkOptions has validated.
func engineFor(t WeightType) engineType {
	if t == Float32 {
		return engineOf[float32]{}
	}
	return engineOf[float64]{}
}

func (engineOf[T]) generated(opts Options, l *layout, state []int8, thresh []float64) (numeric, error) {
	return newGeneratedEngine[T](opts, l, state, thresh)
}

func (engineOf[T]) explicit(w mat.Matrix, opts Options, state []int8, thresh []float64) (numeric, error) {
	return newExplicitEngine[T](w, opts, state, thresh)
}

func (engineOf[T]) read(cr *ckptReader, h *ckptHeader) (func() (numeric, error), error) {
	return readEngine[T](cr, h)
}

// newEngine returns an engine without weights for the given states and
// thresholds, with a zero field.
func newEngine[T float32 | float64](state []int8, thresh []float64) *engine[T] {
	n := len(state)
	e := &engine[T]{state: state, field: make([]T, n), thresh: make([]T, n)}
	for i, t := range thresh {
		e.thresh[i] = T(t)
	}
	return e
}

// newGeneratedEngine builds the weights of a network from its synapse
// blocks and computes the initial field.
func newGeneratedEngine[T float32 | float64](opts Options, l *layout, state []int8, thresh []float64) (numeric, error) {
	e := newEngine[T](state, thresh)
	n := len(state)
	var err error
	var kept int64
	if opts.WeightMode == WeightDense {
		e.dense, err = buildDense[T](l.blocks, n, opts.Workers, opts.networkSeed())
	} else {
		e.sparse, kept, err = buildCSC[T](l, n, opts.Workers, opts.networkSeed(), opts.RAMBudgetGB)
	}
	if err != nil {
		return nil, err
	}
	if e.sparse != nil {
		e.prepareKernel(opts.Workers, kernelBudget(opts, l, n, kept))
	}
	e.recomputeField()
	return e, nil
}

// run performs steps updates, of the given units or, when units is nil,
// of units drawn by the selector: it draws (or looks up) the units of up
// to lookahead steps and their populations, then updates them with
// runAhead, and then advances the clock of continuous time (if on) by
// the steps taken, outside the update loop. When a step fails (a
// background activity outside [0, 1]), the steps before it are taken and
// timed, and the selector is left as if the units after it had not been
// drawn.
func (e *engine[T]) run(units []int32, steps int) error {
	sel := &e.in.sel
	for done := 0; done < steps; {
		b := min(lookahead, steps-done)
		saved := *sel.src
		if units == nil {
			for i := range b {
				k, u := sel.draw()
				e.ahead[i], e.aheadPop[i] = int32(u), int32(k)
			}
		} else {
			for i, u := range units[done : done+b] {
				e.ahead[i], e.aheadPop[i] = u, int32(sel.population(int(u)))
			}
		}
		if failed, err := e.runAhead(e.ahead[:b], e.aheadPop[:b]); err != nil {
			e.in.rec.tick(failed)
			if units == nil {
				*sel.src = saved
				for range failed + 1 {
					sel.draw()
				}
			}
			return err
		}
		e.in.rec.tick(b)
		done += b
	}
	return nil
}

// runAhead updates units[i], of population pops[i], in order, each by
// its population's rule, and records every step. At each state change
// of a sparse network with threshold units it looks along the units for
// the next threshold unit whose state disagrees with its field and
// threshold, and prefetches that unit's column while adding the current
// one. The prediction ignores the change being made,
// so it is almost always right; a wrong one costs only the prefetch,
// never a result. On error it returns the index of the step that failed,
// which is not taken.
func (e *engine[T]) runAhead(units, pops []int32) (int, error) {
	pops = pops[:len(units)]
	rules, rec := e.in.rules, e.in.rec
	for i, u := range units {
		var delta int8
		switch r := &rules[pops[i]]; r.kind {
		case ruleThreshold:
			delta = e.threshold(int(u))
		case ruleFixed:
		case ruleRedraw:
			var err error
			if delta, err = e.redraw(int(u), r); err != nil {
				return i, err
			}
		case ruleGain:
			var err error
			if delta, err = e.stochastic(int(u), r); err != nil {
				return i, err
			}
		default:
			var err error
			if delta, err = e.adaptive(int(u), r); err != nil {
				return i, err
			}
		}
		if delta != 0 {
			next := -1
			if e.predict {
				next = e.nextChange(units[i+1:], pops[i+1:])
			}
			e.flipAhead(int(u), delta, next)
		}
		rec.record(int(u), delta, e.state)
	}
	return 0, nil
}

// nextChange returns the first of units (in populations pops) whose
// state disagrees with what its rule would decide from the present field,
// or -1. It looks at threshold units and at units of an ErfcGain, whose
// decisions it draws from a copy of the gain stream: one number for each
// unit that draws one (any unit with a gain), so that the copy stays in
// step with the stream, which is not touched. A decision the table of
// erfcDecision cannot take is guessed as no change.
func (e *engine[T]) nextChange(units, pops []int32) int {
	pops = pops[:len(units)]
	rules := e.in.rules
	var ahead rand.PCG
	copied := false
	for i, v := range units {
		switch r := &rules[pops[i]]; {
		case r.kind == ruleThreshold:
			if (e.field[v] > e.thresh[v]) != (e.state[v] != 0) {
				return int(v)
			}
		case r.gain != nil:
			if !copied {
				ahead, copied = *e.in.gain, true
			}
			u := uniform01(&ahead)
			if !r.foreseen() {
				continue
			}
			if on, ok := r.erfc.decide(u, float64(e.field[v])-float64(e.thresh[v])); ok && on != (e.state[v] != 0) {
				return int(v)
			}
		}
	}
	return -1
}

func (e *engine[T]) stateSlice() []int8 { return e.state }

func (e *engine[T]) setState(s []int8) {
	copy(e.state, s)
	e.recomputeField()
}

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

func (e *engine[T]) storedEntries() int64 {
	if e.sparse != nil {
		return e.sparse.nnz()
	}
	return 0
}
