package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

var cmdAnalyze = &Command{
	UsageLine: "analyze [flags] OUTDIR",
	Short:     "measure covariances, correlations, spike counts and cluster states of a recorded run",
	Long: `
Analyze reads the diff log that a run wrote into OUTDIR (difflog.npz of
binarynet run, or the <output_name>.npz trace of a pipeline run) and writes
into the same folder:

  analysis.npz   the measures as arrays (numpy.load reads it)
  analysis.json  a summary: settings, per-population rates, Fano factors,
                 CVs, variance splits, mean correlations, cluster states
  analysis.png   the covariance functions and the dwell-time histograms

The measures are those of the binarynet package: covariance functions of
the E and I activities (or of every population), Pearson correlations of
the states and of windowed onset counts of the first units of every
population with their block means, the temporal/quenched variance split,
onset rates, Fano factors, CV and CV2, and the sets of active E clusters
with their dwell times.

Times are in ms when the run's time axis is known: from -steps-per-ms, or
from the taus in OUTDIR/summary.json or OUTDIR/params.yaml (updates per ms
= N_E/tau_e + N_I/tau_i). Without one, the time flags count update steps.
Invalid flags or a folder without a recording exit with status 2 and write
nothing.`,
	Flag: func(fs *flag.FlagSet) Runner {
		f := &analyzeFlags{}
		fs.StringVar(&f.in, "in", "", "recording inside OUTDIR (default: difflog.npz, or the one trace .npz of a pipeline run)")
		fs.Float64Var(&f.stepsPerMs, "steps-per-ms", 0, "updates per ms (default: from summary.json or params.yaml; without them, times count steps)")
		fs.Float64Var(&f.tauMax, "tau-max", 100, "largest lag of the covariance functions (ms)")
		fs.Float64Var(&f.dt, "dt", 2, "lag resolution of the covariance functions (ms)")
		fs.StringVar(&f.channels, "channels", "ei", "channels of the covariance functions: ei (E and I summed) or populations")
		fs.Float64Var(&f.window, "window", 100, "window of the Fano factors and count correlations (ms)")
		fs.IntVar(&f.corrUnits, "corr-units", 10, "units per population in the correlations (the first of each)")
		fs.Float64Var(&f.sample, "sample", 1, "sample interval of the cluster states (ms)")
		fs.Float64Var(&f.on, "on", 0.3, "a cluster switches on at this activity")
		fs.Float64Var(&f.off, "off", 0.2, "an active cluster switches off below this activity")
		return func(ctx context.Context, env *Env, args []string) error { return analyze(env, args, f) }
	},
}

type analyzeFlags struct {
	in, channels                   string
	stepsPerMs, tauMax, dt, window float64
	sample, on, off                float64
	corrUnits                      int
}

// analysisInput is a recording with its time axis.
type analysisInput struct {
	rec        *npz.Recording
	file       string
	stepsPerMs float64 // 0: no time axis, times count steps
	source     string  // where stepsPerMs came from
}

// steps converts a duration flag to steps (at least 1).
func (in *analysisInput) steps(name string, x float64) (int, error) {
	if !(x > 0) || math.IsInf(x, 0) {
		return 0, usagef("-%s %v: must be positive", name, x)
	}
	s := x
	if in.stepsPerMs > 0 {
		s = x * in.stepsPerMs
	}
	if s > float64(in.rec.Log.Len()) {
		return 0, usagef("-%s %v: longer than the recording (%d steps)", name, x, in.rec.Log.Len())
	}
	if r := math.Round(s); r >= 1 {
		return int(r), nil
	}
	return 0, usagef("-%s %v: shorter than one update step", name, x)
}

func (in *analysisInput) unit() string {
	if in.stepsPerMs > 0 {
		return "ms"
	}
	return "step"
}

// toTime converts steps to the time unit.
func (in *analysisInput) toTime(steps float64) float64 {
	if in.stepsPerMs > 0 {
		return steps / in.stepsPerMs
	}
	return steps
}

func analyze(env *Env, args []string, f *analyzeFlags) error {
	if len(args) != 1 {
		return usagef("want one OUTDIR argument, got %d", len(args))
	}
	dir := args[0]
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usagef("OUTDIR %s: not a directory", dir)
	}
	if f.channels != "ei" && f.channels != "populations" {
		return usagef("-channels %q: want ei or populations", f.channels)
	}
	if f.corrUnits < 1 {
		return usagef("-corr-units %d: must be >= 1", f.corrUnits)
	}
	if math.IsNaN(f.on) || math.IsInf(f.on, 0) || math.IsNaN(f.off) || f.off > f.on {
		return usagef("-on %v, -off %v: want finite thresholds with -off <= -on", f.on, f.off)
	}
	if env.IsSet("steps-per-ms") && !(f.stepsPerMs > 0 && !math.IsInf(f.stepsPerMs, 0)) {
		return usagef("-steps-per-ms %v: must be positive", f.stepsPerMs)
	}
	in, err := readAnalysisInput(dir, f)
	if err != nil {
		return err
	}
	res, err := measure(in, f)
	if err != nil {
		return err
	}
	files := []output{
		{"analysis.npz", res.writeNPZ},
		{"analysis.json", res.writeJSON},
		{"analysis.png", res.writePNG},
	}
	if err := writeAll(dir, files); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "wrote analysis.npz, analysis.json, analysis.png to %s (%s, %d steps, time in %s)\n", dir, in.file, in.rec.Log.Len(), in.unit())
	return nil
}

// readAnalysisInput finds and reads the recording of dir and its time
// axis.
func readAnalysisInput(dir string, f *analyzeFlags) (*analysisInput, error) {
	name := f.in
	if name == "" {
		var err error
		if name, err = findRecording(dir); err != nil {
			return nil, err
		}
	}
	path := filepath.Join(dir, name)
	file, err := os.Open(path)
	if err != nil {
		return nil, usagef("-in %s: %v", name, errors.Unwrap(err))
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		return nil, usagef("-in %s: %v", name, err)
	}
	rec, err := npz.ReadDiffLog(file, fi.Size())
	if err != nil {
		return nil, usagef("%s: %v", name, err)
	}
	if rec.Log.Len() < 2 {
		return nil, usagef("%s: the recording has %d steps, want at least 2", name, rec.Log.Len())
	}
	if len(rec.Ranges) == 0 {
		return nil, usagef("%s: no populations (population_names/population_ranges)", name)
	}
	in := &analysisInput{rec: rec, file: name, stepsPerMs: f.stepsPerMs, source: "-steps-per-ms"}
	if in.stepsPerMs == 0 {
		in.stepsPerMs, in.source = timeAxis(dir, rec)
	}
	return in, nil
}

// findRecording returns difflog.npz when dir holds it, else the one .npz
// file that is not a weights or analysis file.
func findRecording(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join(dir, "difflog.npz")); err == nil {
		return "difflog.npz", nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", usagef("OUTDIR %s: %v", dir, err)
	}
	var found []string
	for _, e := range entries {
		n := e.Name()
		if e.Type().IsRegular() && strings.HasSuffix(n, ".npz") && !strings.HasSuffix(n, "_weights.npz") && n != "analysis.npz" {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return "", usagef("OUTDIR %s: no recording (difflog.npz or a trace .npz)", dir)
	case 1:
		return found[0], nil
	}
	return "", usagef("OUTDIR %s: several recordings (%s); choose one with -in", dir, strings.Join(found, ", "))
}

var (
	eName = regexp.MustCompile(`^E[0-9]*$`)
	iName = regexp.MustCompile(`^I[0-9]*$`)
)

// timeAxis reads the taus of the model from summary.json ("clustered") or
// params.yaml ("parameter") and returns sum N_k/tau_k over the E and I
// populations, or 0 when it is not known.
func timeAxis(dir string, rec *npz.Recording) (float64, string) {
	var keys map[string]any
	source := ""
	if b, err := os.ReadFile(filepath.Join(dir, "summary.json")); err == nil {
		var s struct {
			Clustered map[string]any `json:"clustered"`
		}
		if json.Unmarshal(b, &s) == nil && s.Clustered != nil {
			keys, source = s.Clustered, "summary.json"
		}
	}
	if keys == nil {
		if b, err := os.ReadFile(filepath.Join(dir, "params.yaml")); err == nil {
			var s struct {
				Parameter map[string]any `yaml:"parameter"`
			}
			if yaml.Unmarshal(b, &s) == nil && s.Parameter != nil {
				keys, source = s.Parameter, "params.yaml"
			}
		}
	}
	if keys == nil {
		return 0, ""
	}
	num := func(k string) (float64, bool) {
		switch v := keys[k].(type) {
		case float64:
			return v, true
		case int:
			return float64(v), true
		}
		return 0, false
	}
	tauE, ok := num("tau_e")
	if !ok {
		tauE = 10 // the toolkit's default
	}
	tauI, ok := num("tau_i")
	if !ok {
		tauI = tauE / 2
	}
	if !(tauE > 0) || !(tauI > 0) {
		return 0, ""
	}
	var perMs float64
	for k, name := range rec.Names {
		size := float64(rec.Ranges[k].End - rec.Ranges[k].Start)
		switch {
		case eName.MatchString(name):
			perMs += size / tauE
		case iName.MatchString(name):
			perMs += size / tauI
		default:
			return 0, "" // a population of unknown tau
		}
	}
	return perMs, source
}

// analysisResult holds every measure and what is needed to write it.
type analysisResult struct {
	in                   *analysisInput
	f                    *analyzeFlags
	chNames              []string
	cov                  *binarynet.Covariances
	corrUnits            []int32
	corrGroups           []int
	stateCorr, countCorr *binarynet.Correlations
	splitNames           []string
	splits               []binarynet.VarianceSplit
	counts               *binarynet.SpikeCounts
	window, sampleSteps  int
	clusterNames         []string
	states               *binarynet.ClusterStates
}

func measure(in *analysisInput, f *analyzeFlags) (*analysisResult, error) {
	rec := in.rec
	r := &analysisResult{in: in, f: f}
	tauMax, err := in.steps("tau-max", f.tauMax)
	if err != nil {
		return nil, err
	}
	dt, err := in.steps("dt", f.dt)
	if err != nil {
		return nil, err
	}
	if tauMax >= rec.Log.Len() {
		return nil, usagef("-tau-max %v: must be shorter than the recording (%d steps)", f.tauMax, rec.Log.Len())
	}
	if r.window, err = in.steps("window", f.window); err != nil {
		return nil, err
	}
	if r.sampleSteps, err = in.steps("sample", f.sample); err != nil {
		return nil, err
	}
	var eRanges, iRanges []binarynet.Range
	var eNames []string
	for k, name := range rec.Names {
		switch {
		case eName.MatchString(name):
			eRanges, eNames = append(eRanges, rec.Ranges[k]), append(eNames, name)
		case iName.MatchString(name):
			iRanges = append(iRanges, rec.Ranges[k])
		}
	}
	// Covariance channels.
	var channels []binarynet.Range
	e, eOK := span(eRanges)
	i, iOK := span(iRanges)
	if f.channels == "ei" && eOK && iOK {
		channels, r.chNames = []binarynet.Range{e, i}, []string{"E", "I"}
	} else {
		channels, r.chNames = rec.Ranges, rec.Names
	}
	if r.cov, err = binarynet.CovarianceFunctions(rec.Initial, rec.Log, channels, tauMax, dt); err != nil {
		return nil, fmt.Errorf("covariance functions: %w", err)
	}
	// Correlations of the first units of every population.
	for k, rg := range rec.Ranges {
		for u := rg.Start; u < min(rg.End, rg.Start+f.corrUnits); u++ {
			r.corrUnits = append(r.corrUnits, int32(u))
			r.corrGroups = append(r.corrGroups, k)
		}
	}
	if r.stateCorr, err = binarynet.StateCorrelations(rec.Initial, rec.Log, r.corrUnits, r.corrGroups); err != nil {
		return nil, fmt.Errorf("state correlations: %w", err)
	}
	if r.countCorr, err = binarynet.CountCorrelations(rec.Initial, rec.Log, r.corrUnits, r.corrGroups, r.window); err != nil {
		return nil, fmt.Errorf("count correlations: %w", err)
	}
	// Variance splits: the units of every population, then the clusters.
	var groups [][]binarynet.Range
	for k, rg := range rec.Ranges {
		units := make([]binarynet.Range, 0, rg.End-rg.Start)
		for u := rg.Start; u < rg.End; u++ {
			units = append(units, binarynet.Range{Start: u, End: u + 1})
		}
		groups, r.splitNames = append(groups, units), append(r.splitNames, rec.Names[k]+" units")
	}
	if len(eRanges) > 1 {
		groups, r.splitNames = append(groups, eRanges), append(r.splitNames, "E clusters")
	}
	if len(iRanges) > 1 {
		groups, r.splitNames = append(groups, iRanges), append(r.splitNames, "I clusters")
	}
	if r.splits, err = binarynet.ActivityVarianceSplit(rec.Initial, rec.Log, groups); err != nil {
		return nil, fmt.Errorf("variance split: %w", err)
	}
	if r.counts, err = binarynet.SpikeCountStatistics(rec.Initial, rec.Log, r.window, rec.Ranges); err != nil {
		return nil, fmt.Errorf("spike counts: %w", err)
	}
	clusters, names := eRanges, eNames
	if len(clusters) == 0 {
		clusters, names = rec.Ranges, rec.Names
	}
	r.clusterNames = names
	if r.states, err = binarynet.ClusterStatesFromDiffLog(rec.Initial, rec.Log, r.sampleSteps, clusters, f.on, f.off); err != nil {
		return nil, fmt.Errorf("cluster states: %w", err)
	}
	return r, nil
}

// span returns the range covered by consecutive ranges, if they are.
func span(rs []binarynet.Range) (binarynet.Range, bool) {
	if len(rs) == 0 {
		return binarynet.Range{}, false
	}
	s := append([]binarynet.Range(nil), rs...)
	sort.Slice(s, func(a, b int) bool { return s[a].Start < s[b].Start })
	for k := 1; k < len(s); k++ {
		if s[k].Start != s[k-1].End {
			return binarynet.Range{}, false
		}
	}
	return binarynet.Range{Start: s[0].Start, End: s[len(s)-1].End}, true
}

// lagTimes returns the covariance lags in the time unit.
func (r *analysisResult) lagTimes() []float64 {
	lags := r.cov.Lags()
	t := make([]float64, len(lags))
	for k, l := range lags {
		t[k] = r.in.toTime(float64(l))
	}
	return t
}

// dwellTimes returns the dwell lengths of runs with k active clusters, in
// the time unit.
func (r *analysisResult) dwellTimes(k int) []float64 {
	d := make([]float64, len(r.states.Dwell[k]))
	for j, s := range r.states.Dwell[k] {
		d[j] = r.in.toTime(float64(s * r.sampleSteps))
	}
	return d
}

func (r *analysisResult) writeNPZ(w io.Writer) error {
	z := npz.NewWriter(w)
	c := r.cov
	q := r.states.Clusters
	active := make([]uint8, r.states.Samples*q)
	var runStart, runSamples, runCount []int64
	for _, run := range r.states.Runs {
		runStart = append(runStart, int64(run.Start))
		runSamples = append(runSamples, int64(run.Samples))
		runCount = append(runCount, int64(len(run.Active)))
		for t := run.Start; t < run.Start+run.Samples; t++ {
			for _, k := range run.Active {
				active[t*q+k] = 1
			}
		}
	}
	var dwellK []int64
	var dwellT []float64
	for k := range r.states.Dwell {
		for _, d := range r.dwellTimes(k) {
			dwellK, dwellT = append(dwellK, int64(k)), append(dwellT, d)
		}
	}
	units := make([]int64, len(r.corrUnits))
	for k, u := range r.corrUnits {
		units[k] = int64(u)
	}
	groups := make([]int64, len(r.corrGroups))
	for k, g := range r.corrGroups {
		groups[k] = int64(g)
	}
	splits := make([]float64, 0, 4*len(r.splits))
	for _, s := range r.splits {
		splits = append(splits, s.Mean, s.Total, s.Temporal, s.Quenched)
	}
	perTime := r.in.toTime(1) // steps -> time unit
	rate := make([]float64, len(r.counts.Rate))
	for u, x := range r.counts.Rate {
		rate[u] = x / perTime
	}
	pops := r.counts.Pops
	popRate, popFano := make([]float64, len(pops)), make([]float64, len(pops))
	popCV, popCV2 := make([]float64, len(pops)), make([]float64, len(pops))
	for k, p := range pops {
		popRate[k], popFano[k], popCV[k], popCV2[k] = p.Rate/perTime, p.Fano, p.MeanCV, p.MeanCV2
	}
	mu, g := len(r.corrUnits), r.stateCorr.Groups
	steps := []struct {
		key string
		f   func() error
	}{
		{"time_unit", func() error { return z.WriteString("time_unit", r.in.unit()) }},
		{"steps_per_time_unit", func() error { return npz.WriteScalar(z, "steps_per_time_unit", 1/perTime) }},
		{"population_names", func() error { return z.WriteStrings("population_names", r.in.rec.Names) }},
		{"cov_channels", func() error { return z.WriteStrings("cov_channels", r.chNames) }},
		{"cov_lags", func() error { return npz.WriteArray(z, "cov_lags", []int{len(c.Lags())}, r.lagTimes()) }},
		{"cov", func() error {
			return npz.WriteArray(z, "cov", []int{c.Channels, c.Channels, 2*c.MaxLag + 1}, c.Values)
		}},
		{"cov_means", func() error { return npz.WriteArray(z, "cov_means", []int{c.Channels}, c.Means) }},
		{"corr_units", func() error { return npz.WriteArray(z, "corr_units", []int{mu}, units) }},
		{"corr_groups", func() error { return npz.WriteArray(z, "corr_groups", []int{mu}, groups) }},
		{"corr_state", func() error { return npz.WriteArray(z, "corr_state", []int{mu, mu}, r.stateCorr.R) }},
		{"corr_count", func() error { return npz.WriteArray(z, "corr_count", []int{mu, mu}, r.countCorr.R) }},
		{"corr_state_block", func() error { return npz.WriteArray(z, "corr_state_block", []int{g, g}, r.stateCorr.BlockMean) }},
		{"corr_count_block", func() error { return npz.WriteArray(z, "corr_count_block", []int{g, g}, r.countCorr.BlockMean) }},
		{"variance_groups", func() error { return z.WriteStrings("variance_groups", r.splitNames) }},
		{"variance_split", func() error {
			return npz.WriteArray(z, "variance_split", []int{len(r.splits), 4}, splits)
		}},
		{"onset_rate", func() error { return npz.WriteArray(z, "onset_rate", []int{len(rate)}, rate) }},
		{"fano", func() error { return npz.WriteArray(z, "fano", []int{len(rate)}, r.counts.Fano) }},
		{"cv", func() error { return npz.WriteArray(z, "cv", []int{len(rate)}, r.counts.CV) }},
		{"cv2", func() error { return npz.WriteArray(z, "cv2", []int{len(rate)}, r.counts.CV2) }},
		{"population_onset_rate", func() error { return npz.WriteArray(z, "population_onset_rate", []int{len(pops)}, popRate) }},
		{"population_fano", func() error { return npz.WriteArray(z, "population_fano", []int{len(pops)}, popFano) }},
		{"population_mean_cv", func() error { return npz.WriteArray(z, "population_mean_cv", []int{len(pops)}, popCV) }},
		{"population_mean_cv2", func() error { return npz.WriteArray(z, "population_mean_cv2", []int{len(pops)}, popCV2) }},
		{"cluster_names", func() error { return z.WriteStrings("cluster_names", r.clusterNames) }},
		{"cluster_active", func() error { return npz.WriteArray(z, "cluster_active", []int{r.states.Samples, q}, active) }},
		{"cluster_run_start", func() error { return npz.WriteArray(z, "cluster_run_start", []int{len(runStart)}, runStart) }},
		{"cluster_run_samples", func() error { return npz.WriteArray(z, "cluster_run_samples", []int{len(runSamples)}, runSamples) }},
		{"cluster_run_active", func() error { return npz.WriteArray(z, "cluster_run_active", []int{len(runCount)}, runCount) }},
		{"dwell_active", func() error { return npz.WriteArray(z, "dwell_active", []int{len(dwellK)}, dwellK) }},
		{"dwell_time", func() error { return npz.WriteArray(z, "dwell_time", []int{len(dwellT)}, dwellT) }},
		{"cluster_transitions", func() error {
			tr := make([]int64, len(r.states.Transitions))
			for k, x := range r.states.Transitions {
				tr[k] = int64(x)
			}
			return npz.WriteArray(z, "cluster_transitions", []int{q + 1, q + 1}, tr)
		}},
	}
	for _, s := range steps {
		if err := s.f(); err != nil {
			return fmt.Errorf("analysis.npz %s: %w", s.key, err)
		}
	}
	return z.Commit()
}

// jnum is a float that is null in JSON when it is NaN or infinite.
type jnum float64

func (x jnum) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
		return []byte("null"), nil
	}
	return json.Marshal(math.Round(float64(x)*1e9) / 1e9)
}

func (r *analysisResult) writeJSON(w io.Writer) error {
	type popJSON struct {
		Name      string `json:"name"`
		Start     int    `json:"start"`
		End       int    `json:"end"`
		OnsetRate jnum   `json:"onset_rate"`
		Fano      jnum   `json:"fano"`
		MeanFano  jnum   `json:"mean_unit_fano"`
		MeanCV    jnum   `json:"mean_cv"`
		MeanCV2   jnum   `json:"mean_cv2"`
	}
	type splitJSON struct {
		Group    string `json:"group"`
		Mean     jnum   `json:"mean"`
		Total    jnum   `json:"total"`
		Temporal jnum   `json:"temporal"`
		Quenched jnum   `json:"quenched"`
	}
	type countJSON struct {
		Active    int  `json:"active"`
		Samples   int  `json:"samples"`
		Runs      int  `json:"complete_runs"`
		MeanDwell jnum `json:"mean_dwell"`
	}
	perTime := r.in.toTime(1)
	s := struct {
		Recording    string      `json:"recording"`
		Steps        int         `json:"steps"`
		TimeUnit     string      `json:"time_unit"`
		StepsPerUnit jnum        `json:"steps_per_time_unit"`
		TimeSource   string      `json:"time_axis_from,omitempty"`
		Settings     any         `json:"settings"`
		Covariance   any         `json:"covariance"`
		Correlations any         `json:"correlations"`
		Variance     []splitJSON `json:"variance_split"`
		Populations  []popJSON   `json:"populations"`
		Clusters     any         `json:"cluster_states"`
	}{
		Recording: r.in.file, Steps: r.in.rec.Log.Len(), TimeUnit: r.in.unit(), StepsPerUnit: jnum(1 / perTime), TimeSource: r.in.source,
	}
	if r.in.stepsPerMs == 0 {
		s.TimeSource = ""
	}
	s.Settings = map[string]any{
		"tau_max": r.f.tauMax, "dt": r.f.dt, "channels": r.f.channels, "window": r.f.window,
		"corr_units": r.f.corrUnits, "sample": r.f.sample, "on": r.f.on, "off": r.f.off,
		"window_steps": r.window, "sample_steps": r.sampleSteps, "dt_steps": r.cov.Dt, "max_lag_index": r.cov.MaxLag,
	}
	zero := make(map[string]jnum)
	for a, na := range r.chNames {
		for b, nb := range r.chNames {
			zero[na+","+nb] = jnum(r.cov.Func(a, b)[r.cov.MaxLag])
		}
	}
	means := make(map[string]jnum)
	for a, na := range r.chNames {
		means[na] = jnum(r.cov.Means[a])
	}
	s.Covariance = map[string]any{"channels": r.chNames, "means": means, "zero_lag": zero, "lags": len(r.cov.Lags())}
	blocks := func(c *binarynet.Correlations) map[string]any {
		within, between := 0.0, 0.0
		nw, nb := 0, 0
		g := c.Groups
		for x := range g {
			for y := x; y < g; y++ {
				p := c.BlockPairs[x*g+y]
				if p == 0 {
					continue
				}
				if x == y {
					within += c.BlockMean[x*g+y] * float64(p)
					nw += p
				} else {
					between += c.BlockMean[x*g+y] * float64(p)
					nb += p
				}
			}
		}
		return map[string]any{"mean_within_populations": jnum(within / float64(nw)), "pairs_within": nw,
			"mean_between_populations": jnum(between / float64(nb)), "pairs_between": nb}
	}
	s.Correlations = map[string]any{"units": len(r.corrUnits), "states": blocks(r.stateCorr), "onset_counts": blocks(r.countCorr)}
	for k, sp := range r.splits {
		s.Variance = append(s.Variance, splitJSON{r.splitNames[k], jnum(sp.Mean), jnum(sp.Total), jnum(sp.Temporal), jnum(sp.Quenched)})
	}
	for k, p := range r.counts.Pops {
		s.Populations = append(s.Populations, popJSON{r.in.rec.Names[k], p.Range.Start, p.Range.End,
			jnum(p.Rate / perTime), jnum(p.Fano), jnum(p.MeanFano), jnum(p.MeanCV), jnum(p.MeanCV2)})
	}
	var byCount []countJSON
	for k := range r.states.Occupancy {
		if r.states.Occupancy[k] == 0 {
			continue
		}
		d := r.dwellTimes(k)
		mean := math.NaN()
		if len(d) > 0 {
			mean = 0
			for _, x := range d {
				mean += x / float64(len(d))
			}
		}
		byCount = append(byCount, countJSON{k, r.states.Occupancy[k], len(d), jnum(mean)})
	}
	s.Clusters = map[string]any{"clusters": r.clusterNames, "samples": r.states.Samples, "switches": r.states.Switches,
		"activations": r.states.Activations, "by_active_count": byCount}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writePNG draws the covariance functions (left) and the dwell-time
// histograms per number of active clusters (right).
func (r *analysisResult) writePNG(w io.Writer) error {
	unit := r.in.unit()
	pc := plot.New()
	pc.Title.Text = "Covariance functions"
	pc.X.Label.Text = "lag (" + unit + ")"
	pc.Y.Label.Text = "c(lag)"
	lags := r.lagTimes()
	nc := r.cov.Channels
	k := 0
	for a := range nc {
		for b := range nc {
			if nc > 3 && a != b {
				continue // many channels: autocovariances only
			}
			xy := make(plotter.XYs, len(lags))
			for j, v := range r.cov.Func(a, b) {
				xy[j].X, xy[j].Y = lags[j], v
			}
			l, err := plotter.NewLine(xy)
			if err != nil {
				return err
			}
			l.Color = plotColor(k)
			l.Width = vg.Points(1.5)
			pc.Add(l)
			pc.Legend.Add(r.chNames[a]+","+r.chNames[b], l)
			k++
		}
	}
	pc.Legend.Top = true
	pd := plot.New()
	pd.Title.Text = "Dwell times by number of active clusters"
	pd.X.Label.Text = "dwell time (" + unit + ")"
	pd.Y.Label.Text = "runs"
	drawn := 0
	for n := range r.states.Dwell {
		d := r.dwellTimes(n)
		if len(d) == 0 {
			continue
		}
		drawn++
		h, err := plotter.NewHist(plotter.Values(d), min(30, max(5, len(d)/3)))
		if err != nil {
			return err
		}
		h.FillColor = nil
		h.LineStyle.Color = plotColor(n)
		h.LineStyle.Width = vg.Points(1.5)
		pd.Add(h)
		pd.Legend.Add(fmt.Sprintf("%d active", n), h)
	}
	if drawn == 0 {
		pd.Title.Text = "Dwell times: no complete runs"
	}
	pd.Legend.Top = true
	const width, height = 1600, 600
	img := vgimg.NewWith(vgimg.UseWH(vg.Length(width)*vg.Inch/96, vg.Length(height)*vg.Inch/96), vgimg.UseDPI(96))
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 2, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	canvases := plot.Align([][]*plot.Plot{{pc, pd}}, tiles, dc)
	pc.Draw(canvases[0][0])
	pd.Draw(canvases[0][1])
	_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
	return err
}

func plotColor(k int) color.Color {
	palette := []color.NRGBA{
		{31, 119, 180, 255}, {214, 39, 40, 255}, {44, 160, 44, 255}, {255, 127, 14, 255},
		{148, 103, 189, 255}, {140, 86, 75, 255}, {227, 119, 194, 255}, {127, 127, 127, 255},
	}
	return palette[k%len(palette)]
}
