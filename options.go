package binarynet

import (
	"fmt"
	"math"
	"runtime"
)

// DefaultRAMBudgetGB is the memory budget, in GiB, used when
// Options.RAMBudgetGB is zero, as in the Python module.
const DefaultRAMBudgetGB = 12

// WeightMode selects how the weight matrix is stored.
type WeightMode int

const (
	// WeightAuto picks WeightDense when the dense matrix takes at most 60 %
	// of the RAM budget, and WeightSparse otherwise.
	WeightAuto WeightMode = iota
	// WeightDense stores all N*N weights, each unit's outgoing column
	// contiguous.
	WeightDense
	// WeightSparse stores the non-zero weights in compressed sparse column
	// form with int32 row indices.
	WeightSparse
)

// String returns "auto", "dense" or "sparse".
func (m WeightMode) String() string {
	switch m {
	case WeightAuto:
		return "auto"
	case WeightDense:
		return "dense"
	case WeightSparse:
		return "sparse"
	}
	return fmt.Sprintf("WeightMode(%d)", int(m))
}

// WeightType selects the floating-point type of weights, fields and
// thresholds.
type WeightType int

const (
	// Float32 stores weights and fields as float32, as the Python module
	// does by default.
	Float32 WeightType = iota
	// Float64 stores weights and fields as float64.
	Float64
)

// String returns "float32" or "float64".
func (t WeightType) String() string {
	switch t {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	}
	return fmt.Sprintf("WeightType(%d)", int(t))
}

func (t WeightType) size() int64 {
	if t == Float64 {
		return 8
	}
	return 4
}

// Options configures Initialize. The zero value is valid: no autapses,
// automatic weight mode, a 12 GiB budget, float32 weights, seed 0, time
// counted in steps.
type Options struct {
	// Autapse allows a unit to connect to itself.
	Autapse bool
	// WeightMode selects dense or sparse weight storage.
	WeightMode WeightMode
	// RAMBudgetGB is the memory, in GiB, that the weights, state, field
	// and thresholds may take. Zero means 12. Initialize returns
	// ErrMemoryBudget, before allocating, when its estimate exceeds the
	// budget.
	RAMBudgetGB float64
	// WeightType is the floating-point type of weights and fields.
	WeightType WeightType
	// Seed seeds every random stream of the network: initial states,
	// connectivity, unit selection and background redraws. The same seed
	// gives the same network and trajectory.
	Seed uint64
	// Workers is the number of goroutines that sample connectivity. Zero
	// means runtime.GOMAXPROCS(0). The result does not depend on it.
	Workers int
	// AutapseRule chooses how a population's synapses onto itself avoid
	// autapses when Autapse is false. The zero value, AutapseExcludeSelf,
	// draws from the other units only; AutapseDeleteSelf is the Python
	// module's rule.
	AutapseRule AutapseRule
	// NetworkSeed, when not nil, seeds the connectivity instead of Seed,
	// and InitSeed the initial states: one network can then be run from
	// several initial states, or one initial state on several networks.
	// Nil means Seed, whose streams for connectivity, initial states and
	// dynamics are independent of each other already.
	NetworkSeed *uint64
	InitSeed    *uint64
	// ContinuousTime, when true, gives the network exact continuous-time
	// dynamics: every update step advances Network.Time by an exponential
	// interval of mean 1 / sum_k(N_k/tau_k), in the units of tau (ms),
	// drawn from a stream of its own, so that each unit of population k
	// is updated at the events of a Poisson process of rate 1/tau_k. The
	// diff log then also records the time of every step (DiffLog.Times).
	// The states, the order of the updates and every other stream are the
	// same with it as without; only the clock differs. The default, false,
	// counts time in steps (Network.Time returns Steps/StepsPerTimeUnit).
	ContinuousTime bool
}

// networkSeed returns the seed of the connectivity streams.
func (o *Options) networkSeed() uint64 {
	if o.NetworkSeed != nil {
		return *o.NetworkSeed
	}
	return o.Seed
}

// initSeed returns the seed of the initial-state streams.
func (o *Options) initSeed() uint64 {
	if o.InitSeed != nil {
		return *o.InitSeed
	}
	return o.Seed
}

func checkOptions(o *Options) error {
	switch o.WeightMode {
	case WeightAuto, WeightDense, WeightSparse:
	default:
		return paramError("weight mode", int(o.WeightMode), "must be WeightAuto, WeightDense or WeightSparse")
	}
	switch o.WeightType {
	case Float32, Float64:
	default:
		return paramError("weight type", int(o.WeightType), "must be Float32 or Float64")
	}
	if !(o.RAMBudgetGB >= 0) || math.IsInf(o.RAMBudgetGB, 0) {
		return paramError("RAM budget (GB)", o.RAMBudgetGB, "must be >= 0 and finite")
	}
	if o.RAMBudgetGB == 0 {
		o.RAMBudgetGB = DefaultRAMBudgetGB
	}
	if o.AutapseRule != AutapseExcludeSelf && o.AutapseRule != AutapseDeleteSelf {
		return paramError("autapse rule", int(o.AutapseRule), "must be AutapseExcludeSelf or AutapseDeleteSelf")
	}
	if o.Workers < 0 {
		return paramError("workers", o.Workers, "must be >= 0")
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	return nil
}

// checkFits rejects a finite threshold or weight that the weight type
// cannot hold: float32 overflows above math.MaxFloat32 (to ±Inf).
func checkFits(t WeightType, param string, x float64) error {
	if !fitsType(t, x) {
		return paramError(param, x, "exceeds the float32 range (Options.WeightType); use Float64")
	}
	return nil
}

// fitsType reports whether a finite x is finite in the weight type.
func fitsType(t WeightType, x float64) bool {
	return t != Float32 || math.Abs(x) <= math.MaxFloat32
}

// ParseWeightMode returns the weight mode named "dense", "sparse" or "auto"
// (the names String gives); the empty string means auto.
func ParseWeightMode(name string) (WeightMode, error) { return parseWeightMode("weight mode", name) }

// parseWeightMode is ParseWeightMode with the parameter name of the error.
func parseWeightMode(param, name string) (WeightMode, error) {
	for _, m := range []WeightMode{WeightAuto, WeightDense, WeightSparse} {
		if name == m.String() {
			return m, nil
		}
	}
	if name == "" {
		return WeightAuto, nil
	}
	return 0, paramError(param, fmt.Sprintf("%q", name), `must be "dense", "sparse" or "auto"`)
}

// MarshalText returns the name String gives, so that a WeightMode is
// written as "auto", "dense" or "sparse" in JSON, YAML and other text
// formats. A value outside the three modes is an error.
func (m WeightMode) MarshalText() ([]byte, error) {
	switch m {
	case WeightAuto, WeightDense, WeightSparse:
		return []byte(m.String()), nil
	}
	return nil, paramError("weight mode", int(m), "must be WeightAuto, WeightDense or WeightSparse")
}

// UnmarshalText sets m from its name, as ParseWeightMode does: "dense",
// "sparse", "auto", or empty for auto. Any other text is an error wrapping
// ErrInvalidParameter, and m is left unchanged.
func (m *WeightMode) UnmarshalText(text []byte) error {
	v, err := ParseWeightMode(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// ParseWeightType returns the weight type named "float32" or "float64"
// (the names String gives); the empty string means Float32, the default.
func ParseWeightType(name string) (WeightType, error) {
	switch name {
	case "", Float32.String():
		return Float32, nil
	case Float64.String():
		return Float64, nil
	}
	return 0, paramError("weight type", fmt.Sprintf("%q", name), `must be "float32" or "float64"`)
}

// MarshalText returns the name String gives, "float32" or "float64". A
// value outside the two types is an error.
func (t WeightType) MarshalText() ([]byte, error) {
	switch t {
	case Float32, Float64:
		return []byte(t.String()), nil
	}
	return nil, paramError("weight type", int(t), "must be Float32 or Float64")
}

// UnmarshalText sets t from its name, as ParseWeightType does. Any other
// text is an error wrapping ErrInvalidParameter, and t is left unchanged.
func (t *WeightType) UnmarshalText(text []byte) error {
	v, err := ParseWeightType(string(text))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// gib is the number of bytes in a GiB, the unit of RAM budgets.
const gib = 1 << 30

// budgetBytes returns a RAM budget of gb GiB in bytes; zero means the
// default budget, as in Options.RAMBudgetGB.
func budgetBytes(gb float64) float64 {
	if gb == 0 {
		gb = DefaultRAMBudgetGB
	}
	return gb * gib
}
