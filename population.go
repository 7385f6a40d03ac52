package binarynet

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Population is a group of units that occupies a contiguous index range of
// a Network. It is implemented by *BinaryNeuronPopulation and
// *BackgroundActivity; the set is closed.
//
// A Population value is a specification. A Network reads and validates its
// fields once, in AddPopulation, and keeps that copy: changing the struct
// afterwards changes neither the network nor the results of its accessors
// (N, PopulationRange, PopulationSpecs, the diff-log helpers), and one struct
// may be added to several networks, even ones used on different goroutines,
// as long as it is not modified while another goroutine adds it.
type Population interface {
	// Spec returns the population's description from its current field
	// values, without validating them. A Network's copy, taken when the
	// population was added, is returned by Network.PopulationSpecs.
	Spec() PopulationSpec
	// spec returns the validated description of the population.
	spec() (popSpec, error)
}

// PopulationKind is the update rule of a population's units.
type PopulationKind uint8

const (
	// KindNeuron is a BinaryNeuronPopulation: a drawn unit applies the
	// threshold rule.
	KindNeuron PopulationKind = iota
	// KindBackground is a deterministic BackgroundActivity: its states are
	// fixed after initialization.
	KindBackground
	// KindStochasticBackground is a stochastic BackgroundActivity: a drawn
	// unit redraws its state with probability Activity.
	KindStochasticBackground
)

// String returns "neuron", "background" or "stochastic background".
func (k PopulationKind) String() string {
	switch k {
	case KindNeuron:
		return "neuron"
	case KindBackground:
		return "background"
	case KindStochasticBackground:
		return "stochastic background"
	}
	return fmt.Sprintf("PopulationKind(%d)", int(k))
}

// PopulationSpec describes a population: what a Network keeps of it.
type PopulationSpec struct {
	// Name labels the population.
	Name string
	// N is the number of units.
	N int
	// Tau is the update time constant (see BinaryNeuronPopulation.Tau).
	Tau float64
	// Threshold is the firing threshold of a neuron population; it is 0
	// for background populations, whose units have no threshold.
	Threshold float64
	// Kind is the update rule.
	Kind PopulationKind
	// Gain is the gain function of a neuron population's units; nil is
	// the deterministic threshold rule.
	Gain Gain
	// Adaptation is a neuron population's threshold adaptation; the zero
	// value is none.
	Adaptation Adaptation
}

// popKind and its values are the engine's names for PopulationKind.
type popKind = PopulationKind

const (
	kindNeuron        = KindNeuron               // threshold rule
	kindBackground    = KindBackground           // state fixed after initialization
	kindBackgroundRnd = KindStochasticBackground // state redrawn with probability Activity
)

// popSpec is the validated, kind-independent description of a population.
type popSpec struct {
	name      string
	n         int
	tau       float64
	threshold float64
	kind      popKind
	gain      Gain       // neuron populations only; nil: threshold rule
	adapt     Adaptation // neuron populations only; zero: none
	init      func(dst []int8, rng *rand.Rand) error
	activity  func(step int64) float64 // background populations only
	// activityFunc reports that activity is a user's ActivityFunc rather
	// than the constant Activity (checkpoints cannot store a function).
	activityFunc bool
}

// public returns the exported part of the spec.
func (s popSpec) public() PopulationSpec {
	return PopulationSpec{Name: s.name, N: s.n, Tau: s.tau, Threshold: s.threshold, Kind: s.kind, Gain: s.gain, Adaptation: s.adapt}
}

// BinaryNeuronPopulation is a population of binary threshold units. When
// drawn for an update a unit becomes active (1) if its input field is
// strictly greater than Threshold, and inactive (0) otherwise; with a Gain,
// it becomes active with probability Gain.Prob(field, Threshold).
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
	// Gain makes the units stochastic (see Gain). Nil, the default, is
	// the deterministic threshold rule.
	Gain Gain
	// Adaptation gives each unit an adaptive threshold (see Adaptation).
	// The zero value, the default, is none.
	Adaptation Adaptation
}

// Spec implements Population.
func (p *BinaryNeuronPopulation) Spec() PopulationSpec {
	if p == nil {
		return PopulationSpec{Kind: KindNeuron}
	}
	return PopulationSpec{Name: p.Name, N: p.N, Tau: p.Tau, Threshold: p.Threshold, Kind: KindNeuron, Gain: p.Gain, Adaptation: p.Adaptation}
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
	if err := checkGain(p.Name, p.Gain); err != nil {
		return popSpec{}, err
	}
	if err := p.Adaptation.check(p.Name); err != nil {
		return popSpec{}, err
	}
	init := p.Initializer
	switch v := init.(type) {
	case nil:
		init = BernoulliInit(0.2)
	case ValuesInit:
		init = slices.Clone(v) // the network keeps its own copy
	}
	name := p.Name
	return popSpec{
		name:      p.Name,
		n:         p.N,
		tau:       p.Tau,
		threshold: p.Threshold,
		kind:      kindNeuron,
		gain:      p.Gain,
		adapt:     p.Adaptation,
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

// Spec implements Population.
func (b *BackgroundActivity) Spec() PopulationSpec {
	if b == nil {
		return PopulationSpec{Kind: KindBackground}
	}
	kind := KindBackground
	if b.Stochastic {
		kind = KindStochasticBackground
	}
	return PopulationSpec{Name: b.Name, N: b.N, Tau: b.Tau, Kind: kind}
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
