package pipeline

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Flags are the pipeline's command-line settings (--warmup-steps,
// --simulation-steps, --sample-interval, --batch-size, --seed,
// --output-name, --plot-activity, --population-rate-init). A nil field
// keeps the configuration's binary value. The flags change the resolved
// binary settings, not the configuration tree.
type Flags struct {
	WarmupSteps, SimulationSteps, SampleInterval, BatchSize, Seed *int64
	OutputName                                                    *string
	PlotActivity                                                  *bool
	// PopulationRateInit is YAML text: a probability, a list of 2Q
	// probabilities, or null to disable the redraw.
	PopulationRateInit *string
}

// Binary holds the resolved binary settings, typed.
type Binary struct {
	WarmupSteps, SimulationSteps int64 // updates before recording, recorded updates
	SampleInterval               int64 // rates are sampled every this many updates
	BatchSize                    int64 // passed to Run; a speed knob only
	Seed                         uint64
	OutputName                   string
	PlotActivity                 bool
	// PopulationRateInit is nil when the redraw is disabled, else one
	// probability for every population or one per population (2Q).
	PopulationRateInit  []float64
	RAMBudgetGB         float64
	RequestedWeightMode string // "auto", "dense" or "sparse"
	WeightMode          string // "dense" or "sparse", as chosen
	WeightDtype         string // "float32" or "float64"
	StateChunkSize      int64
	// AutapseRule is "delete-self" (the default, the toolkit's rule: a
	// population's inputs onto itself are drawn from all its units, the
	// unit included, and self-connections are then deleted) or
	// "exclude-self" (drawn from the other units only). It is read from
	// binary.autapse_rule and is not one of the resolved settings, so
	// that the toolkit's tags stay the same.
	AutapseRule string
	// NetworkSeed and InitSeed, from binary.network_seed and
	// binary.init_seed, seed the connectivity and the initial states
	// apart from Seed when not nil (one network run from several initial
	// states). Like AutapseRule they are not resolved settings.
	NetworkSeed, InitSeed *uint64
	// FieldLog, from binary.field_log, records the input fields of chosen
	// units in the trace file; nil (the key absent or null) records none.
	// Like AutapseRule it is not one of the resolved settings.
	FieldLog *FieldLog
	// ContinuousTime, from binary.continuous_time (true or false, default
	// false), runs the network in exact continuous time
	// (binarynet.Options.ContinuousTime): every update advances the time
	// by an exponential interval of mean StepMS, and the trace file also
	// holds the time of every recorded update and sample in ms. Like
	// AutapseRule it is not a resolved setting, so that the tags of a
	// configuration without the key stay the same.
	ContinuousTime bool
}

// A Job is a configuration resolved for one run: the model, the binary
// settings and the tags of its folder.
type Job struct {
	Config *Config // a copy of the configuration, after overrides
	Model  *Model
	Binary Binary
	// Stimuli is the stimulus schedule (the configuration's stimulus
	// key, see StimulusKey), nil without one.
	Stimuli []StimulusEntry
	// Unknown lists the keys of the configuration that are not known to
	// the pipeline (KnownKeys, or a key inside a known section), not in
	// the analysis section and not keys of the built-in default
	// configuration (the last two hold the toolkit's own analysis
	// settings): as dotted paths, sorted. Such a key has no effect, but
	// is kept in params.yaml and the tags, as the toolkit keeps it; it
	// may be meant for another tool, or misspelt.
	Unknown  []string
	settings map[string]any
}

// autoSparseSteps, autoSparseUnits and autoSparseConnectivity are the
// toolkit's thresholds for choosing sparse weights in auto mode; the
// dense matrix must also fit autoDenseShare of the RAM budget.
const (
	autoSparseSteps        = 500_000
	autoSparseUnits        = 4_000
	autoSparseConnectivity = 0.45
	autoDenseShare         = 0.6
)

// Resolve checks a configuration and the command-line flags and returns
// the job they describe. Every invalid value is an error naming the key
// (or flag) and the value.
func Resolve(c *Config, f Flags) (*Job, error) {
	c = c.Clone()
	m, err := readModel(c)
	if err != nil {
		return nil, err
	}
	j := &Job{Config: c, Model: m}
	b := &j.Binary
	ints := []struct {
		key  string
		flag *int64
		dst  *int64
		def  int64
		min  int64
	}{
		{"warmup_steps", f.WarmupSteps, &b.WarmupSteps, 200_000, 0},
		{"simulation_steps", f.SimulationSteps, &b.SimulationSteps, 3_000_000, 1},
		{"sample_interval", f.SampleInterval, &b.SampleInterval, 10, 1},
		{"batch_size", f.BatchSize, &b.BatchSize, 200, 1},
		{"state_chunk_size", nil, &b.StateChunkSize, 0, 0},
	}
	for _, x := range ints {
		key := "binary." + x.key
		v, err := c.intAt(key, x.def)
		if err != nil {
			return nil, err
		}
		if x.flag != nil {
			v, key = *x.flag, "--"+strings.ReplaceAll(x.key, "_", "-")
		}
		if v < x.min {
			return nil, keyError(key, v, fmt.Sprintf("must be >= %d", x.min))
		}
		*x.dst = v
	}
	if b.StateChunkSize > 0 {
		return nil, keyError("binary.state_chunk_size", b.StateChunkSize, "state chunk files are not written; use 0 (and --save-states for neuron_states)")
	}
	seed, err := c.intAt("binary.seed", 3)
	if err != nil {
		return nil, err
	}
	seedKey := "binary.seed"
	if f.Seed != nil {
		seed, seedKey = *f.Seed, "--seed"
	}
	if seed < 0 {
		return nil, keyError(seedKey, seed, "must be >= 0")
	}
	b.Seed = uint64(seed)
	if b.OutputName, err = c.stringAt("binary.output_name", "activity_trace"); err != nil {
		return nil, err
	}
	nameKey := "binary.output_name"
	if f.OutputName != nil {
		b.OutputName, nameKey = *f.OutputName, "--output-name"
	}
	if b.OutputName == "" || b.OutputName == "." || b.OutputName == ".." || strings.ContainsAny(b.OutputName, `/\`) || strings.ContainsRune(b.OutputName, 0) {
		return nil, keyError(nameKey, b.OutputName, "must be a file name without a directory")
	}
	if b.PlotActivity, err = c.boolAt("binary.plot_activity", false); err != nil {
		return nil, err
	}
	if f.PlotActivity != nil {
		b.PlotActivity = *f.PlotActivity
	}
	rateKey := "binary.population_rate_init"
	rate, present := c.lookup(rateKey)
	if !present {
		rate = 0.1
	}
	if f.PopulationRateInit != nil {
		rateKey = "--population-rate-init"
		if rate, err = decodeYAML([]byte(*f.PopulationRateInit)); err != nil {
			return nil, keyError(rateKey, *f.PopulationRateInit, "not a YAML value")
		}
	}
	if b.PopulationRateInit, err = readRates(rateKey, rate, m.Populations()); err != nil {
		return nil, err
	}
	if b.RAMBudgetGB, err = c.numberAt("binary.ram_budget_gb", 12); err != nil {
		return nil, err
	}
	if b.RAMBudgetGB <= 0 {
		v, _ := c.lookup("binary.ram_budget_gb")
		return nil, keyError("binary.ram_budget_gb", v, "must be > 0")
	}
	if b.RequestedWeightMode, err = c.choiceAt("binary.weight_mode", "auto", "auto", "dense", "sparse"); err != nil {
		return nil, err
	}
	if b.WeightDtype, err = c.choiceAt("binary.weight_dtype", "float32", "float32", "float64"); err != nil {
		return nil, err
	}
	if b.AutapseRule, err = c.choiceAt("binary.autapse_rule", "delete-self", "delete-self", "exclude-self"); err != nil {
		return nil, err
	}
	for _, s := range []struct {
		key string
		dst **uint64
	}{{"binary.network_seed", &b.NetworkSeed}, {"binary.init_seed", &b.InitSeed}} {
		v, ok := c.lookup(s.key)
		if !ok || v == nil {
			continue
		}
		x, err := toInt(s.key, v)
		if err != nil {
			return nil, err
		}
		if x < 0 {
			return nil, keyError(s.key, v, "must be >= 0")
		}
		u := uint64(x)
		*s.dst = &u
	}
	if b.FieldLog, err = readFieldLog(c, m, b.SampleInterval); err != nil {
		return nil, err
	}
	if b.ContinuousTime, err = c.boolAt("binary.continuous_time", false); err != nil {
		return nil, err
	}
	b.WeightMode = chooseWeightMode(m, b)
	if j.Stimuli, err = readStimuli(c, m, b); err != nil {
		return nil, err
	}
	j.settings = map[string]any{
		"batch_size":            b.BatchSize,
		"output_name":           b.OutputName,
		"plot_activity":         b.PlotActivity,
		"population_rate_init":  clone(rate),
		"ram_budget_gb":         b.RAMBudgetGB,
		"requested_weight_mode": b.RequestedWeightMode,
		"sample_interval":       b.SampleInterval,
		"seed":                  int64(b.Seed),
		"simulation_steps":      b.SimulationSteps,
		"state_chunk_size":      b.StateChunkSize,
		"warmup_steps":          b.WarmupSteps,
		"weight_dtype":          b.WeightDtype,
		"weight_mode":           b.WeightMode,
	}
	j.Unknown, err = unknownKeys(c.tree)
	if err != nil {
		return nil, err
	}
	return j, nil
}

// analysisKey is the section of a configuration that the toolkit's
// analysis reads and the pipeline does not.
const analysisKey = "analysis"

// unknownKeys returns the dotted paths of tree that are not known (see
// Job.Unknown), sorted. A mapping none of whose prefixes is known is
// looked into; an empty one, or any other value, is named whole.
func unknownKeys(tree map[string]any) ([]string, error) {
	known := map[string]bool{analysisKey: true}
	for _, k := range KnownKeys() {
		known[k] = true
	}
	def, err := loadBuiltin("default") // not a file "default" of the working directory
	if err != nil {
		return nil, err
	}
	var out []string
	var walk func(prefix string, m map[string]any, def map[string]any)
	walk = func(prefix string, m, def map[string]any) {
		for k, v := range m {
			p := prefix + k
			if known[p] {
				continue
			}
			dv, inDefault := def[k]
			sub, isMap := v.(map[string]any)
			if isMap && len(sub) > 0 {
				dm, _ := dv.(map[string]any)
				walk(p+".", sub, dm)
				continue
			}
			if !inDefault {
				out = append(out, p)
			}
		}
	}
	walk("", tree, def.tree)
	slices.Sort(out)
	return out, nil
}

// readRates reads population_rate_init: null (disabled), one probability
// or one per population.
func readRates(key string, v any, pops int) ([]float64, error) {
	if v == nil {
		return nil, nil
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	} else if len(list) != pops {
		return nil, keyError(key, v, fmt.Sprintf("a list must have one value per population, 2Q = %d, not %d", pops, len(list)))
	}
	out := make([]float64, len(list))
	for i, x := range list {
		r, err := toNumber(key, x)
		if err != nil {
			return nil, keyError(key, v, "must be a probability, a list of 2Q probabilities or null")
		}
		if r < 0 || r > 1 {
			return nil, keyError(key, v, "probabilities must be in [0, 1]")
		}
		out[i] = r
	}
	return out, nil
}

// chooseWeightMode applies the toolkit's rule: the requested mode, or in
// auto mode sparse when the dense matrix does not fit 0.6 of the budget,
// or when the run is long (>= 500,000 steps), the network large (>= 4,000
// units) and its mean connectivity in (0, 0.45); dense otherwise.
func chooseWeightMode(m *Model, b *Binary) string {
	if b.RequestedWeightMode != "auto" {
		return b.RequestedWeightMode
	}
	size := 4.0
	if b.WeightDtype == "float64" {
		size = 8
	}
	n := float64(m.N())
	if n*n*size > autoDenseShare*b.RAMBudgetGB*(1<<30) {
		return "sparse"
	}
	if c := m.MeanConnectivity(); b.WarmupSteps+b.SimulationSteps >= autoSparseSteps && m.N() >= autoSparseUnits && c > 0 && c < autoSparseConnectivity {
		return "sparse"
	}
	return "dense"
}

// Settings returns a copy of the resolved binary settings with every key
// present, as params.yaml and the binary tag hold them.
func (j *Job) Settings() map[string]any { return clone(j.settings).(map[string]any) }

// Params returns {"parameter": the configuration, "binary": the resolved
// settings}, the content of params.yaml.
func (j *Job) Params() map[string]any {
	return map[string]any{"parameter": j.Config.Tree(), "binary": j.Settings()}
}

// Tag returns the tag of the configuration without the keys R_Eplus,
// focus_count and focus_counts.
func (j *Job) Tag() string {
	t := j.Config.Tree()
	for _, k := range []string{"R_Eplus", "focus_count", "focus_counts"} {
		delete(t, k)
	}
	return Tag(t, TagDigits)
}

// BinaryTag returns the tag of Params.
func (j *Job) BinaryTag() string { return Tag(j.Params(), TagDigits) }

// DataRootEnv is the environment variable that sets the data root.
const DataRootEnv = "EI_CLUSTER_DATA_ROOT"

// DataRoot returns $EI_CLUSTER_DATA_ROOT, or "data" when it is unset or
// empty.
func DataRoot() string {
	if r := os.Getenv(DataRootEnv); r != "" {
		return r
	}
	return "data"
}

// RelDir returns the job's folder below the data root:
// <Connection type>/Rj<R_j>/<tag>/binary/<binary tag>, the connection
// type capitalised as Python's str.capitalize does and R_j written %05.2f
// with "_" for ".".
func (j *Job) RelDir() string {
	return filepath.Join(capitalize(j.Model.ConnectionName), rjFolder(j.Model.RJ), j.Tag(), "binary", j.BinaryTag())
}

// Dir returns the job's folder below root, or below [DataRoot] when root
// is empty.
func (j *Job) Dir(root string) string {
	if root == "" {
		root = DataRoot()
	}
	return filepath.Join(root, j.RelDir())
}

// capitalize upper-cases the first character of s and lower-cases the
// rest.
func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(s[size:])
}

// rjFolder returns "Rj" and R_j formatted %05.2f with "_" for ".".
func rjFolder(rj float64) string {
	s := fmt.Sprintf("%05.2f", rj)
	if math.IsNaN(rj) || math.IsInf(rj, 0) {
		s = fmt.Sprint(rj)
	}
	return "Rj" + strings.ReplaceAll(s, ".", "_")
}

// KnownKeys returns the dotted keys the pipeline reads, sorted. Other
// keys of a configuration are kept (in params.yaml and the tags) but
// have no effect.
func KnownKeys() []string {
	keys := []string{
		"N_E", "N_I", "Q", "V_th", "g", "p0_ee", "p0_ei", "p0_ie", "p0_ii", "tau_e", "tau_i",
		"R_Eplus", "R_j", "kappa", "connection_type", "multapses", "m_X", "initial_activity",
		"focus_count", "focus_counts", StimulusKey,
	}
	for _, k := range []string{"mode", "default", "excitatory", "inhibitory", "excitatory_by_cluster", "inhibitory_by_cluster"} {
		keys = append(keys, "initial_activity."+k)
	}
	for _, cell := range []string{"E", "I"} {
		for _, k := range []string{"", ".theta_q", ".tau_theta", ".tau_theta_ms"} {
			keys = append(keys, "adaptation."+cell+k)
		}
	}
	keys = append(keys, "adaptation")
	for _, k := range []string{"warmup_steps", "simulation_steps", "sample_interval", "batch_size", "population_rate_init",
		"seed", "output_name", "plot_activity", "weight_mode", "ram_budget_gb", "weight_dtype", "state_chunk_size",
		"autapse_rule", "network_seed", "init_seed", "field_log", "continuous_time"} {
		keys = append(keys, "binary."+k)
	}
	for _, k := range []string{"units", "units.start", "units.stop", "interval", "split"} {
		keys = append(keys, fieldLogKey+"."+k)
	}
	slices.Sort(keys)
	return keys
}
