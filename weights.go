package binarynet

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// NewNetworkFromWeights builds an initialized network from explicit
// connectivity: w[post, pre] is the weight from unit pre onto unit post.
//
// pops gives the populations in unit order, so that the network keeps its
// structure (names, ranges, update rates N/Tau, background rules); their
// sizes must add up to the order of w. Nil means a single
// BinaryNeuronPopulation named "units" with Tau 1 and Threshold 0, so Run
// draws units uniformly. thresholds gives one threshold per unit; nil means
// each population's Threshold. initial gives one state per unit; nil means
// each population's initializer, drawn from Options.InitSeed (default
// Options.Seed) as Initialize does. ApplyUpdates replays a given sequence.
//
// w may be any mat.Matrix. Sparse matrices (*sparse.CSC, *sparse.CSR,
// *sparse.COO, *sparse.DOK, or anything with DoNonZero and NNZ) are read
// through their non-zero entries, and duplicate entries are summed here,
// whatever the input type did with them. With WeightAuto a sparse input is
// stored sparse and any other input dense. The weights are used as given:
// Options.Autapse and Options.Workers are ignored, and a non-zero diagonal
// is kept.
func NewNetworkFromWeights(name string, w mat.Matrix, pops []Population, thresholds []float64, initial []int8, opts Options) (*Network, error) {
	if w == nil {
		return nil, paramError("weights", nil, "must not be nil")
	}
	if err := checkOptions(&opts); err != nil {
		return nil, err
	}
	r, c := w.Dims()
	if r != c {
		return nil, shapeError("weights are %d x %d, must be square", r, c)
	}
	n := r
	if n == 0 || n > maxUnits {
		return nil, paramError("network size", n, fmt.Sprintf("must be in [1, %d]", maxUnits))
	}
	if pops == nil {
		pops = []Population{&BinaryNeuronPopulation{Name: "units", N: n, Tau: 1}}
	}
	nw := &Network{Name: name, fromData: true}
	for k, p := range pops {
		if err := nw.AddPopulation(p); err != nil {
			return nil, fmt.Errorf("pops[%d]: %w", k, err)
		}
	}
	if nw.N() != n {
		return nil, shapeError("populations have %d units, weights are %d x %d", nw.N(), n, n)
	}
	if thresholds == nil {
		thresholds = unitThresholds(nw.specs, nw.starts)
		for k, s := range nw.specs {
			if err := checkFits(opts.WeightType, fmt.Sprintf("population %q threshold", s.name), s.threshold); err != nil {
				return nil, fmt.Errorf("pops[%d]: %w", k, err)
			}
		}
	}
	if len(thresholds) != n {
		return nil, shapeError("%d thresholds for %d units", len(thresholds), n)
	}
	for i, t := range thresholds {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return nil, paramError(fmt.Sprintf("thresholds[%d]", i), t, "must be finite")
		}
		if !fitsType(opts.WeightType, t) {
			return nil, checkFits(opts.WeightType, fmt.Sprintf("thresholds[%d]", i), t)
		}
	}
	if initial != nil && len(initial) != n {
		return nil, shapeError("initial state has %d values for %d units", len(initial), n)
	}
	if err := checkBinary("initial state", initial); err != nil {
		return nil, err
	}
	sp, isSparse := w.(sparseMatrix)
	if opts.WeightMode == WeightAuto && isSparse {
		opts.WeightMode = WeightSparse
	}
	expected := float64(n) * float64(n)
	if isSparse {
		expected = float64(sp.NNZ())
	}
	if err := nw.checkContinuousTime(opts, nw.specs); err != nil {
		return nil, err
	}
	mode, err := chooseMode(opts, n, expected, givenWeights)
	if err != nil {
		return nil, err
	}
	opts.WeightMode = mode

	state := slices.Clone(initial)
	if state == nil {
		if state, err = initialStates(nw.specs, nw.starts, opts.initSeed()); err != nil {
			return nil, err
		}
	}
	num, err := engineFor(opts.WeightType).explicit(w, opts, state, thresholds)
	if err != nil {
		return nil, err
	}
	nw.finish(opts, nw.specs, nw.starts, num)
	return nw, nil
}

// newExplicitEngine stores the given weights in the mode of opts.
func newExplicitEngine[T float32 | float64](w mat.Matrix, opts Options, state []int8, thresh []float64) (numeric, error) {
	e := newEngine[T](state, thresh)
	n := len(state)
	var bad error
	_, is32 := any(T(0)).(float32)
	check := func(i, j int, v float64) bool {
		if bad == nil && (uint(i) >= uint(n) || uint(j) >= uint(n)) {
			// A sparse matrix may store entries outside its own Dims.
			bad = paramError("weights entry index", fmt.Sprintf("(%d, %d)", i, j), fmt.Sprintf("must be in [0, %d) for a %d x %d matrix", n, n, n))
		}
		if bad == nil && (math.IsNaN(v) || math.IsInf(v, 0) || (is32 && math.Abs(v) > math.MaxFloat32)) {
			bad = paramError(fmt.Sprintf("weights[%d, %d]", i, j), v, "must be finite in the weight type (Options.WeightType)")
		}
		return bad == nil
	}
	if opts.WeightMode == WeightDense {
		e.dense = make([]T, n*n)
		add := func(i, j int, v float64) {
			if check(i, j, v) {
				e.dense[j*n+i] += T(v)
			}
		}
		forEachEntry(w, add)
	} else {
		e.sparse = cscFromMatrix[T](w, n, check)
	}
	if bad != nil {
		return nil, bad
	}
	e.prepareGivenKernel(opts)
	e.recomputeField()
	return e, nil
}

// Weights returns a float64 copy of the weight matrix, W[post, pre]: a
// *mat.Dense in dense mode and a duplicate-free *sparse.CSC with sorted
// row indices in sparse mode. The copy takes 8 bytes per entry (dense) or
// 16 bytes per stored entry (sparse); ErrMemoryBudget is returned when it
// would exceed the network's RAM budget.
func (nw *Network) Weights() (mat.Matrix, error) {
	if !nw.Initialized() {
		return nil, orderError("Weights before Initialize")
	}
	return nw.num.weights(nw.opts)
}

func (e *engine[T]) weights(opts Options) (mat.Matrix, error) {
	n := len(e.state)
	var nnz int64
	if e.sparse != nil {
		nnz = e.sparse.nnz()
	}
	if err := checkBudget(exportBytes(n, e.sparse != nil, nnz), opts.RAMBudgetGB, "exporting the weights", ""); err != nil {
		return nil, err
	}
	if e.dense != nil {
		d := mat.NewDense(n, n, nil)
		for pre := range n {
			for post, v := range e.dense[pre*n : (pre+1)*n] {
				d.Set(post, pre, float64(v))
			}
		}
		return d, nil
	}
	return e.sparse.toSparse(), nil
}
