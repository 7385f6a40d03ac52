package sweep

import (
	"strconv"
)

// MaxTasks bounds the number of tasks of one grid (about 1 kB of memory
// each while the task file is built).
const MaxTasks = 1_000_000

// Grid describes the tasks of a sweep: every combination of the axes'
// values, each with Networks network seeds and InitSeeds initial-state
// seeds.
type Grid struct {
	// Fixed overrides apply to every task, before the swept ones.
	Fixed []Override
	// Axes are the swept keys; the first varies slowest.
	Axes []Axis

	// Networks is the number of network seeds, NetworkSeed,
	// NetworkSeed+1, ..., set as NetworkSeedKey. Zero leaves the seed to
	// the configuration.
	Networks       int
	NetworkSeed    uint64
	NetworkSeedKey string

	// InitSeeds is the number of initial-state seeds per network,
	// InitSeed, InitSeed+1, ..., set as InitSeedKey; they vary fastest.
	// Zero leaves them to the configuration.
	InitSeeds   int
	InitSeed    uint64
	InitSeedKey string
}

// SweptKeys returns the axes' keys, then the seed keys in use.
func (g *Grid) SweptKeys() []string {
	var keys []string
	for _, a := range g.Axes {
		keys = append(keys, a.Key)
	}
	return append(keys, g.seedKeys()...)
}

func (g *Grid) seedKeys() []string {
	var keys []string
	if g.Networks > 0 {
		keys = append(keys, g.NetworkSeedKey)
	}
	if g.InitSeeds > 0 {
		keys = append(keys, g.InitSeedKey)
	}
	return keys
}

// Count returns the number of tasks of the grid, or an error if a count is
// negative, an axis is empty or there are more than MaxTasks.
func (g *Grid) Count() (int, error) {
	if g.Networks < 0 {
		return 0, inputError("-networks %d: want a count >= 0", g.Networks)
	}
	if g.InitSeeds < 0 {
		return 0, inputError("-init-seeds %d: want a count >= 0", g.InitSeeds)
	}
	n := 1
	for _, a := range g.Axes {
		if len(a.Values) == 0 {
			return 0, inputError("axis %s has no values", a.Key)
		}
		if n > MaxTasks/len(a.Values) {
			return 0, inputError("the grid has more than %d tasks", MaxTasks)
		}
		n *= len(a.Values)
	}
	for _, k := range []int{g.Networks, g.InitSeeds} {
		if k > 0 {
			if n > MaxTasks/k {
				return 0, inputError("the grid has more than %d tasks", MaxTasks)
			}
			n *= k
		}
	}
	return n, nil
}

// Overrides returns the override sets of the grid's tasks, in task order:
// the fixed overrides, then one value of each axis, then the seeds. A key
// given twice (as two axes, or as an axis and a fixed override or seed key)
// is an error.
func (g *Grid) Overrides() ([][]Override, error) {
	n, err := g.Count()
	if err != nil {
		return nil, err
	}
	if g.Networks > 0 {
		if err := checkKey(g.NetworkSeedKey); err != nil {
			return nil, err
		}
	}
	if g.InitSeeds > 0 {
		if err := checkKey(g.InitSeedKey); err != nil {
			return nil, err
		}
	}
	seen := map[string]string{}
	claim := func(key, what string) error {
		if prev, ok := seen[key]; ok {
			return inputError("key %s is set twice: as %s and as %s", key, prev, what)
		}
		seen[key] = what
		return nil
	}
	for _, o := range g.Fixed {
		if err := claim(o.Key, "an override"); err != nil {
			return nil, err
		}
	}
	for _, a := range g.Axes {
		if err := claim(a.Key, "an axis"); err != nil {
			return nil, err
		}
	}
	if g.Networks > 0 {
		if err := claim(g.NetworkSeedKey, "the network seed"); err != nil {
			return nil, err
		}
	}
	if g.InitSeeds > 0 {
		if err := claim(g.InitSeedKey, "the initial-state seed"); err != nil {
			return nil, err
		}
	}
	if g.Networks > 0 && g.NetworkSeed > ^uint64(0)-uint64(g.Networks-1) ||
		g.InitSeeds > 0 && g.InitSeed > ^uint64(0)-uint64(g.InitSeeds-1) {
		return nil, inputError("seeds overflow 64 bits")
	}

	// Dimensions, slowest first: the axes, then networks, then inits.
	var dims []int
	for _, a := range g.Axes {
		dims = append(dims, len(a.Values))
	}
	dims = append(dims, max(g.Networks, 1), max(g.InitSeeds, 1))
	sets := make([][]Override, n)
	pos := make([]int, len(dims))
	for t := range n {
		rem := t
		for d := len(dims) - 1; d >= 0; d-- {
			pos[d] = rem % dims[d]
			rem /= dims[d]
		}
		set := make([]Override, 0, len(g.Fixed)+len(g.Axes)+2)
		set = append(set, g.Fixed...)
		for i, a := range g.Axes {
			set = append(set, Override{a.Key, a.Values[pos[i]]})
		}
		na := len(g.Axes)
		if g.Networks > 0 {
			set = append(set, Override{g.NetworkSeedKey, strconv.FormatUint(g.NetworkSeed+uint64(pos[na]), 10)})
		}
		if g.InitSeeds > 0 {
			set = append(set, Override{g.InitSeedKey, strconv.FormatUint(g.InitSeed+uint64(pos[na+1]), 10)})
		}
		sets[t] = set
	}
	return sets, nil
}
