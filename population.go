package binarynet

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Population is a group of units that occupies a contiguous index range of
// a Network. It is implemented by *BinaryNeuronPopulation and
// *BackgroundActivity; the set is closed.
//
// A Population value is a specification: the network reads its fields when
// it is added and again, validated, in Initialize.
type Population interface {
	// spec returns the validated description of the population.
	spec() (popSpec, error)
}

// popKind tells the update loop which rule applies to a unit.
type popKind uint8

const (
	kindNeuron        popKind = iota // threshold rule
	kindBackground                   // state fixed after initialization
	kindBackgroundRnd                // state redrawn with probability Activity
)

// popSpec is the validated, kind-independent description of a population.
type popSpec struct {
	name      string
	n         int
	tau       float64
	threshold float64
	kind      popKind
	init      func(dst []int8, rng *rand.Rand) error
	activity  func(step int64) float64 // background populations only
	// activityFunc reports that activity is a user's ActivityFunc rather
	// than the constant Activity (checkpoints cannot store a function).
	activityFunc bool
}

// BinaryNeuronPopulation is a population of binary threshold units. When
// drawn for an update a unit becomes active (1) if its input field is
// strictly greater than Threshold, and inactive (0) otherwise.
type BinaryNeuronPopulation struct {
	// Name labels the population in logs and outputs.
	Name string
	// N is the number of units, N >= 0.
	N int
	// Threshold is the firing threshold (dimensionless, same units as the
	// weights). It must be finite.
	Threshold float64
	// Tau is the update time constant, in units of update steps relative to
	// the other populations: a population is drawn with probability
	// proportional to N/Tau. It must be positive and finite; there is no
	// default, so the zero value is an error.
	Tau float64
	// Initializer sets the initial states. Nil means each unit is active
	// independently with probability 0.2 (the Python module's default).
	Initializer Initializer
}

func (p *BinaryNeuronPopulation) spec() (popSpec, error) {
	if p == nil {
		return popSpec{}, paramError("population", nil, "must not be nil")
	}
	if err := checkSizeTau(p.Name, p.N, p.Tau); err != nil {
		return popSpec{}, err
	}
	if math.IsNaN(p.Threshold) || math.IsInf(p.Threshold, 0) {
		return popSpec{}, paramError(fmt.Sprintf("population %q threshold", p.Name), p.Threshold, "must be finite")
	}
	init := p.Initializer
	if init == nil {
		init = BernoulliInit(0.2)
	}
	name := p.Name
	return popSpec{
		name:      p.Name,
		n:         p.N,
		tau:       p.Tau,
		threshold: p.Threshold,
		kind:      kindNeuron,
		init: func(dst []int8, rng *rand.Rand) error {
			if err := init.InitialState(dst, rng); err != nil {
				return fmt.Errorf("population %q initializer: %w", name, err)
			}
			return checkBinary(fmt.Sprintf("population %q initial state", name), dst)
		},
	}, nil
}

// BackgroundActivity is a population that drives other populations through
// synapses and is never updated by the threshold rule.
//
// Deterministic (Stochastic false): at initialization round(Activity*N)
// units, chosen at random, become active, and they stay so; a drawn unit
// keeps its state. Stochastic: a drawn unit redraws its state, active with
// probability Activity (or ActivityFunc(step)).
type BackgroundActivity struct {
	// Name labels the population.
	Name string
	// N is the number of units, N >= 0.
	N int
	// Tau is the update time constant, as for BinaryNeuronPopulation. It
	// must be positive and finite.
	Tau float64
	// Activity is the fraction of active units, in [0, 1]. The zero value
	// is a silent population.
	Activity float64
	// ActivityFunc, if not nil, replaces Activity: it is called with the
	// current step count when the value is needed (at initialization with
	// step 0, and for a stochastic population each time one of its units is
	// drawn). It must return a value in [0, 1]; otherwise the run stops with
	// an error.
	ActivityFunc func(step int64) float64
	// Stochastic selects the stochastic rule described above.
	Stochastic bool
}

func (b *BackgroundActivity) spec() (popSpec, error) {
	if b == nil {
		return popSpec{}, paramError("population", nil, "must not be nil")
	}
	if err := checkSizeTau(b.Name, b.N, b.Tau); err != nil {
		return popSpec{}, err
	}
	activity := b.ActivityFunc
	if activity == nil {
		a := b.Activity
		if err := checkActivity(b.Name, a); err != nil {
			return popSpec{}, err
		}
		activity = func(int64) float64 { return a }
	}
	name, stochastic := b.Name, b.Stochastic
	kind := kindBackground
	if stochastic {
		kind = kindBackgroundRnd
	}
	return popSpec{
		name:     b.Name,
		n:        b.N,
		tau:      b.Tau,
		kind:     kind,
		activity: activity,
		// ActivityFunc, not Activity, defines activity.
		activityFunc: b.ActivityFunc != nil,
		init: func(dst []int8, rng *rand.Rand) error {
			a := activity(0)
			if err := checkActivity(name, a); err != nil {
				return err
			}
			if stochastic {
				return BernoulliInit(a).InitialState(dst, rng)
			}
			clear(dst)
			k := int(math.Round(a * float64(len(dst))))
			for _, i := range rng.Perm(len(dst))[:k] {
				dst[i] = 1
			}
			return nil
		},
	}, nil
}

func checkSizeTau(name string, n int, tau float64) error {
	if n < 0 {
		return paramError(fmt.Sprintf("population %q N", name), n, "must be >= 0")
	}
	if n > maxUnits {
		return paramError(fmt.Sprintf("population %q N", name), n, fmt.Sprintf("must be <= %d", maxUnits))
	}
	if !(tau > 0) || math.IsInf(tau, 0) {
		return paramError(fmt.Sprintf("population %q tau", name), tau, "must be positive and finite")
	}
	return nil
}

func checkActivity(name string, a float64) error {
	if !(a >= 0 && a <= 1) {
		return paramError(fmt.Sprintf("background %q activity", name), a, "must be in [0, 1]")
	}
	return nil
}

func checkBinary(what string, s []int8) error {
	for i, v := range s {
		if v != 0 && v != 1 {
			return paramError(fmt.Sprintf("%s[%d]", what, i), v, "must be 0 or 1")
		}
	}
	return nil
}

// Initializer sets the initial states of a population. Implementations
// write one value, 0 or 1, per unit into dst and draw any randomness from
// rng, which is seeded from the network's seed.
type Initializer interface {
	InitialState(dst []int8, rng *rand.Rand) error
}

// ConstantInit sets every unit of a population to the same state, 0 or 1.
type ConstantInit int8

// InitialState implements Initializer.
func (c ConstantInit) InitialState(dst []int8, _ *rand.Rand) error {
	if c != 0 && c != 1 {
		return paramError("initializer value", int8(c), "must be 0 or 1")
	}
	for i := range dst {
		dst[i] = int8(c)
	}
	return nil
}

// ValuesInit gives one state, 0 or 1, per unit. Its length must equal the
// population size.
type ValuesInit []int8

// InitialState implements Initializer.
func (v ValuesInit) InitialState(dst []int8, _ *rand.Rand) error {
	if len(v) != len(dst) {
		return paramError("initializer length", len(v), fmt.Sprintf("must equal the population size %d", len(dst)))
	}
	copy(dst, v)
	return nil
}

// FuncInit calls a function of the population size, as the Python module's
// callable initializer does. The function must return exactly n values.
type FuncInit func(n int) []int8

// InitialState implements Initializer.
func (f FuncInit) InitialState(dst []int8, _ *rand.Rand) error {
	if f == nil {
		return paramError("initializer function", nil, "must not be nil")
	}
	return ValuesInit(f(len(dst))).InitialState(dst, nil)
}

// BernoulliInit makes each unit active independently with the given
// probability, in [0, 1].
type BernoulliInit float64

// InitialState implements Initializer.
func (p BernoulliInit) InitialState(dst []int8, rng *rand.Rand) error {
	if !(p >= 0 && p <= 1) {
		return paramError("initializer probability", float64(p), "must be in [0, 1]")
	}
	if rng == nil && len(dst) > 0 {
		return paramError("initializer rng", nil, "must not be nil")
	}
	for i := range dst {
		dst[i] = 0
		if rng.Float64() < float64(p) {
			dst[i] = 1
		}
	}
	return nil
}
