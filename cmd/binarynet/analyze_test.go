package main

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// analyzeFixture writes the recording of a small clustered run (Q = 2,
// N_E = 200, N_I = 50, 40 sweeps) into a new folder, with a summary.json
// that gives the taus, and returns the folder and the recording.
func analyzeFixture(t *testing.T) (string, *npz.Recording) {
	t.Helper()
	p := binarynet.DefaultClusteredParams()
	p.NE, p.NI, p.Q, p.REPlus = 200, 50, 2, new(1.5)
	nw, _, err := binarynet.NewClusteredNetwork("fixture", p, binarynet.Options{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	initial, err := nw.State(nil)
	if err != nil {
		t.Fatal(err)
	}
	steps := 40 * nw.N()
	if err := nw.EnableDiffLogging(steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(steps, 1000); err != nil {
		t.Fatal(err)
	}
	rec, err := npz.NewRecording(nw, initial, nw.ConsumeDiffLog())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := npz.SaveDiffLog(filepath.Join(dir, "difflog.npz"), rec); err != nil {
		t.Fatal(err)
	}
	summary := `{"clustered": {"N_E": 200, "N_I": 50, "Q": 2, "tau_e": 10, "tau_i": 5}}`
	if err := os.WriteFile(filepath.Join(dir, "summary.json"), []byte(summary), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, rec
}

func runAnalyze(args ...string) (code int, stdout, stderr string) {
	var o, e strings.Builder
	code = cmdAnalyze.execute(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestAnalyzeWritesTheLibraryMeasures(t *testing.T) {
	dir, rec := analyzeFixture(t)
	code, _, stderr := runAnalyze(dir, "-tau-max", "20", "-dt", "1", "-window", "10", "-sample", "1")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, f := range []string{"analysis.npz", "analysis.json", "analysis.png"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Fatalf("%s: %v", f, err)
		}
	}
	var s struct {
		TimeUnit     string  `json:"time_unit"`
		StepsPerUnit float64 `json:"steps_per_time_unit"`
		Covariance   struct {
			ZeroLag map[string]float64 `json:"zero_lag"`
		} `json:"covariance"`
		Populations []struct {
			Name      string   `json:"name"`
			OnsetRate float64  `json:"onset_rate"`
			Fano      *float64 `json:"fano"`
		} `json:"populations"`
		Clusters struct {
			Switches int `json:"switches"`
			Samples  int `json:"samples"`
		} `json:"cluster_states"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "analysis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	// 200/10 + 50/5 updates per ms, from summary.json.
	const perMs = 30
	if s.TimeUnit != "ms" || s.StepsPerUnit != perMs {
		t.Fatalf("time unit %q, %v steps per unit; want ms, %d", s.TimeUnit, s.StepsPerUnit, perMs)
	}
	// The same measures from the library: E = E0+E1, I = I0+I1.
	e := binarynet.Range{Start: rec.Ranges[0].Start, End: rec.Ranges[1].End}
	i := binarynet.Range{Start: rec.Ranges[2].Start, End: rec.Ranges[3].End}
	cov, err := binarynet.CovarianceFunctions(rec.Initial, rec.Log, []binarynet.Range{e, i}, 20*perMs, perMs)
	if err != nil {
		t.Fatal(err)
	}
	for key, ab := range map[string][2]int{"E,E": {0, 0}, "E,I": {0, 1}, "I,I": {1, 1}} {
		want := cov.Func(ab[0], ab[1])[cov.MaxLag]
		if got := s.Covariance.ZeroLag[key]; math.Abs(got-want) > 1e-8*math.Max(1, math.Abs(want)) {
			t.Errorf("zero-lag covariance %s = %v, want %v", key, got, want)
		}
	}
	counts, err := binarynet.SpikeCountStatistics(rec.Initial, rec.Log, 10*perMs, rec.Ranges)
	if err != nil {
		t.Fatal(err)
	}
	for k, p := range s.Populations {
		// Rates per ms = per step * steps per ms (JSON rounds to 1e-9).
		if want := counts.Pops[k].Rate * perMs; p.Name != rec.Names[k] || math.Abs(p.OnsetRate-want) > 1e-8 {
			t.Errorf("population %s rate %v, want %s %v", p.Name, p.OnsetRate, rec.Names[k], want)
		}
	}
	states, err := binarynet.ClusterStatesFromDiffLog(rec.Initial, rec.Log, perMs, rec.Ranges[:2], 0.3, 0.2)
	if err != nil {
		t.Fatal(err)
	}
	if s.Clusters.Switches != states.Switches || s.Clusters.Samples != states.Samples {
		t.Errorf("cluster states: %d switches in %d samples, want %d in %d", s.Clusters.Switches, s.Clusters.Samples, states.Switches, states.Samples)
	}
	// numpy alone reads analysis.npz, with the library's values.
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import numpy").Run() != nil {
		t.Skip("no python3 with numpy")
	}
	out, err := exec.Command(py, "-c", `import json, sys, numpy as np
z = np.load(sys.argv[1])
print(json.dumps({"cov": z["cov"].ravel().tolist(), "shape": list(z["cov"].shape), "unit": str(z["time_unit"]),
	"lags": z["cov_lags"].tolist(), "active": list(z["cluster_active"].shape)}))`, filepath.Join(dir, "analysis.npz")).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v: %s", err, out)
	}
	var z struct {
		Cov    []float64 `json:"cov"`
		Shape  []int     `json:"shape"`
		Unit   string    `json:"unit"`
		Lags   []float64 `json:"lags"`
		Active []int     `json:"active"`
	}
	if err := json.Unmarshal(out, &z); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(z.Shape) != 3 || z.Shape[0] != 2 || z.Shape[2] != 41 || z.Unit != "ms" || z.Lags[0] != -20 || z.Lags[40] != 20 {
		t.Fatalf("numpy sees cov %v, unit %q, lags %v..%v", z.Shape, z.Unit, z.Lags[0], z.Lags[len(z.Lags)-1])
	}
	for k, v := range cov.Values {
		if z.Cov[k] != v {
			t.Fatalf("cov[%d] = %v in the npz, %v from the library", k, z.Cov[k], v)
		}
	}
	if z.Active[0] != states.Samples || z.Active[1] != 2 {
		t.Errorf("cluster_active has shape %v, want [%d 2]", z.Active, states.Samples)
	}
}

func TestAnalyzeInvalidInput(t *testing.T) {
	dir, _ := analyzeFixture(t)
	empty := t.TempDir()
	file := filepath.Join(dir, "summary.json")
	for _, tc := range []struct {
		name string
		args []string
		want string // in the one-line message
	}{
		{"no folder", nil, "OUTDIR"},
		{"two folders", []string{dir, dir}, "OUTDIR"},
		{"not a folder", []string{file}, "not a directory"},
		{"no recording", []string{empty}, "no recording"},
		{"missing -in", []string{dir, "-in", "nothing.npz"}, "-in nothing.npz"},
		{"tau-max", []string{dir, "-tau-max", "-1"}, "-tau-max"},
		{"tau-max too long", []string{dir, "-tau-max", "1e6"}, "-tau-max"},
		{"dt", []string{dir, "-dt", "0"}, "-dt"},
		{"dt below a step", []string{dir, "-dt", "0.001"}, "-dt"},
		{"channels", []string{dir, "-channels", "units"}, "-channels"},
		{"window", []string{dir, "-window", "NaN"}, "-window"},
		{"sample", []string{dir, "-sample", "-3"}, "-sample"},
		{"thresholds", []string{dir, "-on", "0.1", "-off", "0.2"}, "-off"},
		{"corr-units", []string{dir, "-corr-units", "0"}, "-corr-units"},
		{"steps-per-ms", []string{dir, "-steps-per-ms", "-5"}, "-steps-per-ms"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runAnalyze(tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Fatalf("exit %d, stderr %q, stdout %q; want status 2 and one line with %q", code, stderr, stdout, tc.want)
			}
			for _, d := range []string{dir, empty} {
				if m, _ := filepath.Glob(filepath.Join(d, "analysis*")); len(m) > 0 {
					t.Fatalf("wrote %v", m)
				}
			}
		})
	}
}

func TestAnalyzeTraceWithoutTimeAxis(t *testing.T) {
	// A folder with one trace .npz and no summary: times count steps.
	dir, rec := analyzeFixture(t)
	trace := filepath.Join(dir, "activity_trace.npz")
	if err := os.Rename(filepath.Join(dir, "difflog.npz"), trace); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "summary.json")); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runAnalyze(dir, "-tau-max", "300", "-dt", "30", "-window", "300", "-sample", "30", "-channels", "populations")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "activity_trace.npz") || !strings.Contains(stdout, "time in step") {
		t.Errorf("stdout %q", stdout)
	}
	var s struct {
		TimeUnit   string `json:"time_unit"`
		Covariance struct {
			Channels []string `json:"channels"`
		} `json:"covariance"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "analysis.json"))
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.TimeUnit != "step" || strings.Join(s.Covariance.Channels, " ") != strings.Join(rec.Names, " ") {
		t.Errorf("time unit %q, channels %v; want step, %v", s.TimeUnit, s.Covariance.Channels, rec.Names)
	}
}

func TestAnalyzeTimeAxisFromParamsYAML(t *testing.T) {
	// A pipeline folder: the trace and params.yaml with the taus.
	dir, _ := analyzeFixture(t)
	if err := os.Rename(filepath.Join(dir, "difflog.npz"), filepath.Join(dir, "activity_trace.npz")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "summary.json")); err != nil {
		t.Fatal(err)
	}
	params := "parameter:\n  N_E: 200\n  N_I: 50\n  tau_e: 20.0\n  tau_i: 4.0\nbinary:\n  seed: 3\n"
	if err := os.WriteFile(filepath.Join(dir, "params.yaml"), []byte(params), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runAnalyze(dir, "-tau-max", "10", "-window", "10"); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s struct {
		StepsPerUnit float64 `json:"steps_per_time_unit"`
		From         string  `json:"time_axis_from"`
	}
	b, _ := os.ReadFile(filepath.Join(dir, "analysis.json"))
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	// 200/20 + 50/4 updates per ms.
	if s.StepsPerUnit != 22.5 || s.From != "params.yaml" {
		t.Errorf("%v steps per ms from %q, want 22.5 from params.yaml", s.StepsPerUnit, s.From)
	}
}
