package binarynet

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
)

// ScenarioFile is the JSON file of named network models shared with the
// Python module's benchmark: {"about": "...", "scenarios": {"name": {...}}}.
type ScenarioFile struct {
	About     string              `json:"about,omitempty"`
	Scenarios map[string]Scenario `json:"scenarios"`
}

// Scenario fully defines a network and a run: populations in order, one
// synapse rule per entry, the weight mode, and the numbers of warm-up and
// measured update steps.
type Scenario struct {
	// WeightMode is "dense", "sparse" or "auto" (empty means auto).
	WeightMode  string               `json:"weight_mode,omitempty"`
	Populations []ScenarioPopulation `json:"populations"`
	Synapses    []ScenarioSynapse    `json:"synapses"`
	// Warmup and Steps count single-unit updates.
	Warmup int `json:"warmup"`
	Steps  int `json:"steps"`
}

// ScenarioPopulation is a BinaryNeuronPopulation in a scenario file.
// Thresholds already include any external drive.
type ScenarioPopulation struct {
	Name      string  `json:"name"`
	N         int     `json:"N"`
	Tau       float64 `json:"tau"`
	Threshold float64 `json:"threshold"`
}

// ScenarioSynapse is one synapse rule in a scenario file. Rule is one of
// "pairwise_bernoulli" (P, J), "poisson" (Rate, J), "fixed_indegree" (P,
// J, Multapses, default true) or "all_to_all" (J).
type ScenarioSynapse struct {
	Pre       string  `json:"pre"`
	Post      string  `json:"post"`
	Rule      string  `json:"rule"`
	P         float64 `json:"p,omitempty"`
	Rate      float64 `json:"rate,omitempty"`
	J         float64 `json:"j"`
	Multapses *bool   `json:"multapses,omitempty"`
}

// ReadScenarioFile decodes a scenario file. Unknown fields are an error, so
// that a misspelt key is not silently ignored.
func ReadScenarioFile(r io.Reader) (*ScenarioFile, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f ScenarioFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: scenario file: %v", ErrInvalidParameter, err)
	}
	if len(f.Scenarios) == 0 {
		return nil, paramError("scenario file scenarios", 0, "must define at least one scenario")
	}
	return &f, nil
}

// Names returns the scenario names in sorted order.
func (f *ScenarioFile) Names() []string {
	return slices.Sorted(maps.Keys(f.Scenarios))
}

// Lookup returns the named scenario, or an error listing the known names.
func (f *ScenarioFile) Lookup(name string) (Scenario, error) {
	s, ok := f.Scenarios[name]
	if !ok {
		return Scenario{}, paramError("scenario", fmt.Sprintf("%q", name), fmt.Sprintf("is not in the file (known: %v)", f.Names()))
	}
	return s, nil
}

// Mode returns the scenario's weight mode.
func (s Scenario) Mode() (WeightMode, error) { return parseWeightMode("weight_mode", s.WeightMode) }

// Build returns an uninitialized network with the scenario's populations
// and synapses, and its populations by name. Call Initialize with the
// options of your choice (Mode gives the scenario's weight mode).
func (s Scenario) Build(name string) (*Network, map[string]*BinaryNeuronPopulation, error) {
	if s.Warmup < 0 {
		return nil, nil, paramError("warmup", s.Warmup, "must be >= 0")
	}
	if s.Steps < 0 {
		return nil, nil, paramError("steps", s.Steps, "must be >= 0")
	}
	if _, err := s.Mode(); err != nil {
		return nil, nil, err
	}
	nw := NewNetwork(name)
	pops := make(map[string]*BinaryNeuronPopulation, len(s.Populations))
	for i, p := range s.Populations {
		if _, dup := pops[p.Name]; dup {
			return nil, nil, paramError(fmt.Sprintf("populations[%d].name", i), fmt.Sprintf("%q", p.Name), "is used twice")
		}
		pop := &BinaryNeuronPopulation{Name: p.Name, N: p.N, Tau: p.Tau, Threshold: p.Threshold}
		if err := nw.AddPopulation(pop); err != nil {
			return nil, nil, fmt.Errorf("populations[%d]: %w", i, err)
		}
		pops[p.Name] = pop
	}
	for i, syn := range s.Synapses {
		pre, ok := pops[syn.Pre]
		if !ok {
			return nil, nil, paramError(fmt.Sprintf("synapses[%d].pre", i), fmt.Sprintf("%q", syn.Pre), "is not a population of the scenario")
		}
		post, ok := pops[syn.Post]
		if !ok {
			return nil, nil, paramError(fmt.Sprintf("synapses[%d].post", i), fmt.Sprintf("%q", syn.Post), "is not a population of the scenario")
		}
		var rule Synapse
		switch syn.Rule {
		case "pairwise_bernoulli":
			rule = NewPairwiseBernoulliSynapse(pre, post, syn.P, syn.J)
		case "poisson":
			rule = NewPoissonSynapse(pre, post, syn.Rate, syn.J)
		case "fixed_indegree":
			f := NewFixedIndegreeSynapse(pre, post, syn.P, syn.J)
			if syn.Multapses != nil {
				f.Distinct = !*syn.Multapses
			}
			rule = f
		case "all_to_all":
			rule = NewAllToAllSynapse(pre, post, syn.J)
		default:
			return nil, nil, paramError(fmt.Sprintf("synapses[%d].rule", i), fmt.Sprintf("%q", syn.Rule),
				`must be "pairwise_bernoulli", "poisson", "fixed_indegree" or "all_to_all"`)
		}
		if err := nw.AddSynapse(rule); err != nil {
			return nil, nil, fmt.Errorf("synapses[%d]: %w", i, err)
		}
	}
	return nw, pops, nil
}
