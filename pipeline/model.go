package pipeline

import (
	"fmt"
	"math"
	"strings"

	"github.com/binarynet/binarynet"
)

// Model is the clustered E/I model of a configuration, with the defaults
// of the toolkit for absent keys. Matrices are indexed [post][pre] with 0
// for E and 1 for I: P0[0][1] is p0_ei, the probability of I onto E.
type Model struct {
	NE, NI int           // N_E, N_I: total E and I units (default 8000, 2000)
	Q      int           // Q: number of clusters (default 20)
	VTh    float64       // V_th: threshold before the external drive (default 1)
	G      float64       // g: relative inhibition onto E (default 1.2)
	P0     [2][2]float64 // p0_ee, p0_ei; p0_ie, p0_ii (default 0.3 each)
	TauE   float64       // tau_e in ms (default 10)
	TauI   float64       // tau_i in ms (default tau_e / 2)
	REPlus float64       // R_Eplus: clustering strength of E (required)
	RJ     float64       // R_j: fraction of the clustering given to I (default 0.75)
	Kappa  float64       // kappa in [0, 1] (default 0 when absent)
	// Connection is "bernoulli" (default), "poisson" or "fixed-indegree";
	// ConnectionName is the connection_type as written, which names the
	// folder.
	Connection, ConnectionName string
	Multapses                  bool    // multapses (default true), for fixed-indegree
	MX                         float64 // m_X: external rate folded into the thresholds (default 0.03)
	// Init holds the initial_activity of each population, E0..E(Q-1) then
	// I0..I(Q-1); an entry with Set false uses the engine's default.
	Init []PopulationInit
	// AdaptE and AdaptI are the adaptive thresholds of the E and the I
	// units (adaptation.E, adaptation.I), Tau in update steps; the zero
	// value is none.
	AdaptE, AdaptI binarynet.Adaptation
}

// PopulationInit is the initial activity of one population.
type PopulationInit struct {
	Set bool
	// Deterministic selects exactly round(Value N_k) active units placed
	// at random; otherwise each unit is active with probability Value.
	Deterministic bool
	Value         float64 // in [0, 1]
}

// Populations returns the number of populations, 2Q.
func (m *Model) Populations() int { return 2 * m.Q }

// N returns the number of units, N_E + N_I.
func (m *Model) N() int { return m.NE + m.NI }

// MeanConnectivity returns the toolkit's mean connectivity (N_E^2 p0_ee +
// N_E N_I (p0_ei + p0_ie) + N_I^2 p0_ii) / N^2.
func (m *Model) MeanConnectivity() float64 {
	ne, ni, n := float64(m.NE), float64(m.NI), float64(m.N())
	return (ne*ne*m.P0[0][0] + ne*ni*(m.P0[0][1]+m.P0[1][0]) + ni*ni*m.P0[1][1]) / (n * n)
}

// readModel reads and checks the model keys of a configuration.
func readModel(c *Config) (*Model, error) {
	m := &Model{}
	var err error
	ints := []struct {
		key string
		dst *int
		def int64
	}{{"N_E", &m.NE, 8000}, {"N_I", &m.NI, 2000}, {"Q", &m.Q, 20}}
	for _, f := range ints {
		x, err := c.intAt(f.key, f.def)
		if err != nil {
			return nil, err
		}
		if x < 1 || x > math.MaxInt32 {
			v, _ := c.lookup(f.key)
			return nil, keyError(f.key, v, "must be an integer from 1 to 2147483647")
		}
		*f.dst = int(x)
	}
	if m.NE%m.Q != 0 {
		return nil, keyError("N_E", int64(m.NE), fmt.Sprintf("must be divisible by Q = %d", m.Q))
	}
	if m.NI%m.Q != 0 {
		return nil, keyError("N_I", int64(m.NI), fmt.Sprintf("must be divisible by Q = %d", m.Q))
	}
	if int64(m.NE)+int64(m.NI) > math.MaxInt32 {
		return nil, keyError("N_E", int64(m.NE), fmt.Sprintf("N_E + N_I must be at most 2147483647 (N_I = %d)", m.NI))
	}
	floats := []struct {
		key      string
		dst      *float64
		def      float64
		min, max float64
		reason   string
	}{
		{"V_th", &m.VTh, 1, math.Inf(-1), math.Inf(1), ""},
		{"g", &m.G, 1.2, math.Inf(-1), math.Inf(1), ""},
		{"p0_ee", &m.P0[0][0], 0.3, 0, math.Inf(1), "must be >= 0"},
		{"p0_ei", &m.P0[0][1], 0.3, 0, math.Inf(1), "must be >= 0"},
		{"p0_ie", &m.P0[1][0], 0.3, 0, math.Inf(1), "must be >= 0"},
		{"p0_ii", &m.P0[1][1], 0.3, 0, math.Inf(1), "must be >= 0"},
		{"tau_e", &m.TauE, 10, math.SmallestNonzeroFloat64, math.Inf(1), "must be > 0"},
		{"R_j", &m.RJ, 0.75, math.Inf(-1), math.Inf(1), ""},
		{"kappa", &m.Kappa, 0, 0, 1, "must be in [0, 1]"},
		{"m_X", &m.MX, 0.03, math.Inf(-1), math.Inf(1), ""},
	}
	for _, f := range floats {
		if *f.dst, err = c.numberAt(f.key, f.def); err != nil {
			return nil, err
		}
		if *f.dst < f.min || *f.dst > f.max {
			v, _ := c.lookup(f.key)
			return nil, keyError(f.key, v, f.reason)
		}
	}
	if m.TauI, err = c.numberAt("tau_i", m.TauE/2); err != nil {
		return nil, err
	}
	if m.TauI <= 0 {
		v, _ := c.lookup("tau_i")
		return nil, keyError("tau_i", v, "must be > 0")
	}
	r, present := c.lookup("R_Eplus")
	if !present || r == nil {
		return nil, keyError("R_Eplus", r, "must be set: the clustering strength of E (for example -O R_Eplus=7.25)")
	}
	if m.REPlus, err = toNumber("R_Eplus", r); err != nil {
		return nil, err
	}
	if q := float64(m.Q); m.Q > 1 {
		if m.REPlus > q {
			return nil, keyError("R_Eplus", r, fmt.Sprintf("must be at most Q = %d (the weights between clusters would be negative)", m.Q))
		}
		if ri := 1 + m.RJ*(m.REPlus-1); ri > q {
			v, _ := c.lookup("R_j")
			return nil, keyError("R_j", v, fmt.Sprintf("gives R_I+ = 1 + R_j (R_Eplus - 1) = %g above Q = %d", ri, m.Q))
		}
	}
	if m.ConnectionName, err = c.stringAt("connection_type", "bernoulli"); err != nil {
		return nil, err
	}
	switch strings.ReplaceAll(strings.ToLower(strings.TrimSpace(m.ConnectionName)), "_", "-") {
	case "bernoulli":
		m.Connection = "bernoulli"
	case "poisson":
		m.Connection = "poisson"
	case "fixed-indegree":
		m.Connection = "fixed-indegree"
	default:
		return nil, keyError("connection_type", m.ConnectionName, "must be bernoulli, poisson or fixed-indegree")
	}
	if m.Multapses, err = c.boolAt("multapses", true); err != nil {
		return nil, err
	}
	if m.Init, err = readInitialActivity(c, m.Q); err != nil {
		return nil, err
	}
	if m.AdaptE, err = readAdaptation(c, "adaptation.E", m.StepMS()); err != nil {
		return nil, err
	}
	if m.AdaptI, err = readAdaptation(c, "adaptation.I", m.StepMS()); err != nil {
		return nil, err
	}
	return m, nil
}

// readAdaptation reads one cell type's adaptive threshold: a mapping with
// theta_q (the rise of the threshold at each update that leaves a unit
// active) and tau_theta (its time constant in update steps) or
// tau_theta_ms (in ms, converted with the time axis: stepMS ms per
// step). Absent or null is no adaptation.
func readAdaptation(c *Config, key string, stepMS float64) (binarynet.Adaptation, error) {
	var a binarynet.Adaptation
	v, ok := c.lookup(key)
	if !ok || v == nil {
		if sec, ok := c.lookup("adaptation"); ok && sec != nil {
			if _, isMap := sec.(map[string]any); !isMap {
				return a, keyError("adaptation", sec, "must be a mapping with E and I entries {theta_q, tau_theta or tau_theta_ms}")
			}
		}
		return a, nil
	}
	if _, isMap := v.(map[string]any); !isMap {
		return a, keyError(key, v, "must be a mapping {theta_q, tau_theta or tau_theta_ms}")
	}
	var err error
	if a.Step, err = c.numberAt(key+".theta_q", 0); err != nil {
		return a, err
	}
	steps, hasSteps := c.lookup(key + ".tau_theta")
	ms, hasMS := c.lookup(key + ".tau_theta_ms")
	switch {
	case hasSteps && steps != nil && hasMS && ms != nil:
		return a, keyError(key, v, "give tau_theta (steps) or tau_theta_ms, not both")
	case hasMS && ms != nil:
		t, err := toPositive(key+".tau_theta_ms", ms)
		if err != nil {
			return a, err
		}
		a.Tau = t / stepMS
	case hasSteps && steps != nil:
		if a.Tau, err = toPositive(key+".tau_theta", steps); err != nil {
			return a, err
		}
	case a.Step != 0:
		return a, keyError(key, v, "theta_q is not 0, so tau_theta or tau_theta_ms must be given")
	}
	return a, nil
}

// initialEntries are the entries of initial_activity, in the order in
// which they apply (later ones win), with the populations they cover.
var initialEntries = []struct {
	key  string
	e, i bool
}{
	{"default", true, true},
	{"excitatory", true, false},
	{"inhibitory", false, true},
	{"excitatory_by_cluster", true, false},
	{"inhibitory_by_cluster", false, true},
}

// readInitialActivity reads the initial_activity section: a mapping with
// an optional mode and the entries of initialEntries, each a scalar, a
// list of Q values or a mapping {mode, value | values}.
func readInitialActivity(c *Config, q int) ([]PopulationInit, error) {
	out := make([]PopulationInit, 2*q)
	v, ok := c.lookup("initial_activity")
	if !ok || v == nil {
		return out, nil
	}
	sec, isMap := v.(map[string]any)
	if !isMap {
		return nil, keyError("initial_activity", v, "must be a mapping with mode and entries default, excitatory, inhibitory, excitatory_by_cluster, inhibitory_by_cluster")
	}
	mode, err := c.stringAt("initial_activity.mode", "bernoulli")
	if err != nil {
		return nil, err
	}
	for _, ent := range initialEntries {
		key := "initial_activity." + ent.key
		val := sec[ent.key]
		if val == nil {
			continue
		}
		entMode, modeKey := mode, "initial_activity.mode"
		if m, isMap := val.(map[string]any); isMap {
			if mv, ok := m["mode"]; ok && mv != nil {
				s, isString := mv.(string)
				if !isString {
					return nil, keyError(key+".mode", mv, "must be bernoulli or deterministic")
				}
				entMode, modeKey = s, key+".mode"
			}
			switch {
			case m["values"] != nil:
				val, key = m["values"], key+".values"
			case m["value"] != nil:
				val, key = m["value"], key+".value"
			default:
				return nil, keyError(key, val, "a mapping entry needs value or values")
			}
		}
		det := false
		switch strings.ToLower(entMode) {
		case "bernoulli":
		case "deterministic":
			det = true
		default:
			mv, _ := c.lookup(modeKey)
			return nil, keyError(modeKey, mv, "must be bernoulli or deterministic (it applies to "+key+")")
		}
		values := make([]float64, q)
		if list, isList := val.([]any); isList {
			if len(list) != q {
				return nil, keyError(key, val, fmt.Sprintf("a list must have Q = %d values, not %d", q, len(list)))
			}
			for k, x := range list {
				if values[k], err = toNumber(fmt.Sprintf("%s[%d]", key, k), x); err != nil {
					return nil, err
				}
			}
		} else {
			x, err := toNumber(key, val)
			if err != nil {
				return nil, err
			}
			for k := range values {
				values[k] = x
			}
		}
		for k, x := range values {
			pi := PopulationInit{Set: true, Deterministic: det, Value: min(max(x, 0), 1)}
			if ent.e {
				out[k] = pi
			}
			if ent.i {
				out[q+k] = pi
			}
		}
	}
	return out, nil
}
