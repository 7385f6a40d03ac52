package binarynet

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// The modes of InitialActivity and ActivityEntry.
const (
	// ActivityBernoulli makes each unit active independently with the
	// entry's value as probability.
	ActivityBernoulli = "bernoulli"
	// ActivityDeterministic makes exactly round(f N_k) units of a
	// population of N_k units active (half to even, as Python rounds),
	// placed at random.
	ActivityDeterministic = "deterministic"
)

// InitialActivity sets the initial states of the populations of a
// clustered network, as the toolkit's initial_activity does. The entries
// apply in the order Default (every population), Excitatory, Inhibitory,
// ExcitatoryByCluster, InhibitoryByCluster; a later entry wins. A
// population that no entry covers keeps the engine's default, Bernoulli
// 0.2.
type InitialActivity struct {
	// Mode is the mode of the entries that give none: ActivityBernoulli
	// (also when empty) or ActivityDeterministic. Another value is an
	// error only when an entry uses it, as in the toolkit.
	Mode string `json:"mode,omitempty"`
	// The entries; nil means absent.
	Default             *ActivityEntry `json:"default,omitempty"`
	Excitatory          *ActivityEntry `json:"excitatory,omitempty"`
	Inhibitory          *ActivityEntry `json:"inhibitory,omitempty"`
	ExcitatoryByCluster *ActivityEntry `json:"excitatory_by_cluster,omitempty"`
	InhibitoryByCluster *ActivityEntry `json:"inhibitory_by_cluster,omitempty"`
}

// ActivityEntry is one entry of InitialActivity: a scalar (one value), a
// list of Q values (value k for the populations of cluster k), or the
// toolkit's mapping with its own mode.
type ActivityEntry struct {
	// Mode overrides InitialActivity.Mode for this entry when not empty.
	Mode string `json:"mode,omitempty"`
	// Values holds one value for every population the entry covers, or Q
	// values, one per cluster. Values are fractions of active units,
	// clipped to [0, 1]; NaN is an error.
	Values []float64 `json:"values"`
}

// activityCover is an entry of InitialActivity with its toolkit key and
// the cell types it covers.
type activityCover struct {
	key      string
	e        *ActivityEntry
	onE, onI bool
}

// activityEntries returns the entries in the order they apply.
func (a *InitialActivity) activityEntries() []activityCover {
	return []activityCover{
		{"default", a.Default, true, true},
		{"excitatory", a.Excitatory, true, false},
		{"inhibitory", a.Inhibitory, false, true},
		{"excitatory_by_cluster", a.ExcitatoryByCluster, true, false},
		{"inhibitory_by_cluster", a.InhibitoryByCluster, false, true},
	}
}

// entryMode returns the mode an entry uses and the key that set it.
func (a *InitialActivity) entryMode(key string, e *ActivityEntry) (mode, modeKey string) {
	switch {
	case e.Mode != "":
		return e.Mode, "initial_activity." + key + ".mode"
	case a.Mode != "":
		return a.Mode, "initial_activity.mode"
	}
	return ActivityBernoulli, ""
}

// validate checks the entries for q clusters.
func (a *InitialActivity) validate(q int) error {
	for _, c := range a.activityEntries() {
		if c.e == nil {
			continue
		}
		key := "initial_activity." + c.key
		if mode, modeKey := a.entryMode(c.key, c.e); mode != ActivityBernoulli && mode != ActivityDeterministic {
			return paramError(modeKey, fmt.Sprintf("%q", mode), `must be "bernoulli" or "deterministic"`)
		}
		if n := len(c.e.Values); n != 1 && n != q {
			return paramError(key, fmt.Sprint(c.e.Values), fmt.Sprintf("must be a scalar or a list of Q=%d values, has %d", q, n))
		}
		for i, v := range c.e.Values {
			if math.IsNaN(v) {
				return paramError(fmt.Sprintf("%s[%d]", key, i), v, "must be a number")
			}
		}
	}
	return nil
}

// initializer returns the initializer of the population of the given cell
// type and cluster, or nil when no entry covers it. a must be valid.
func (a *InitialActivity) initializer(cell CellType, cluster int) Initializer {
	var init Initializer
	for _, c := range a.activityEntries() {
		if c.e == nil || (cell == CellE && !c.onE) || (cell == CellI && !c.onI) {
			continue
		}
		v := c.e.Values[0]
		if len(c.e.Values) > 1 {
			v = c.e.Values[cluster]
		}
		v = min(max(v, 0), 1)
		if mode, _ := a.entryMode(c.key, c.e); mode == ActivityDeterministic {
			init = FractionInit(v)
		} else {
			init = BernoulliInit(v)
		}
	}
	return init
}

// FractionInit makes exactly round(f n) units of a population of n units
// active, chosen uniformly at random, with f in [0, 1] and rounding half
// to even (as Python's round does). It is the toolkit's deterministic
// initial activity.
type FractionInit float64

// InitialState implements Initializer.
func (f FractionInit) InitialState(dst []int8, rng *rand.Rand) error {
	if !(f >= 0 && f <= 1) {
		return paramError("initializer fraction", float64(f), "must be in [0, 1]")
	}
	if rng == nil && len(dst) > 0 {
		return paramError("initializer rng", nil, "must not be nil")
	}
	clear(dst)
	k := int(math.RoundToEven(float64(f) * float64(len(dst))))
	// A partial Fisher-Yates shuffle picks k distinct units.
	idx := make([]int32, len(dst))
	for i := range idx {
		idx[i] = int32(i)
	}
	for i := range k {
		j := i + rng.IntN(len(idx)-i)
		idx[i], idx[j] = idx[j], idx[i]
		dst[idx[i]] = 1
	}
	return nil
}
