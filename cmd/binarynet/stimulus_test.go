package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// stimulusModels returns a model file with the test's small clustered
// network and the given "stimuli" value.
func stimulusModels(t *testing.T, stimuli string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "models.json")
	text := `{"scenarios": {"stim": {
  "clustered": {"Q": 4, "N_E": 160, "N_I": 40, "p0_ee": 0.2, "p0_ei": 0.2, "p0_ie": 0.2, "p0_ii": 0.2, "R_Eplus": 3, "R_j": 0.8, "kappa": 0.5},
  "weight_mode": "dense", "warmup_sweeps": 2, "sweeps": 30,
  "stimuli": ` + stimuli + `}}}`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunStimuli checks that a clustered model's stimuli reach the
// network: an input of 10 (far above the threshold of 1) holds E0 on from
// the first sweep of the recording and -10 on every I population ("I")
// holds them off, which the same run without stimuli does not show; and
// the summary lists the schedule in steps.
func TestRunStimuli(t *testing.T) {
	t.Parallel()
	rates := func(stimuli string) (map[string]float64, summary) {
		dir := t.TempDir()
		code, _, errOut := runRun(t, "-out", dir, "-config", stimulusModels(t, stimuli), "-scenario", "stim", "-plots=false", "-seed", "3")
		if code != 0 {
			t.Fatalf("stimuli %s: exit status %d, stderr %q", stimuli, code, errOut)
		}
		s := readSummary(t, dir)
		r := map[string]float64{}
		for _, p := range s.Populations {
			r[p.Name] = p.MeanRate
		}
		return r, s
	}
	base, _ := rates(`[]`)
	got, s := rates(`[
    {"populations": ["E0"], "start_sweep": 0, "stop_sweep": 30, "delta": 10},
    {"populations": ["I"], "start_sweep": 0.5, "stop_sweep": 1e300, "delta": -10}]`)
	// One sample per sweep over 30 sweeps: E0 is on from about its first
	// update, every unit within a few sweeps.
	if got["E0"] < 0.9 || base["E0"] >= 0.9 {
		t.Errorf("E0 mean rate %.3f with an input of 10 and %.3f without; want > 0.9 and < 0.9", got["E0"], base["E0"])
	}
	for _, name := range []string{"I0", "I1", "I2", "I3"} {
		// Active until half a sweep into the recording: about one sample
		// in 30 holds the unstimulated activity.
		if got[name] > 0.05 || got[name] > base[name]/2 {
			t.Errorf("%s mean rate %.3f with an input of -10 and %.3f without; want < 0.05 and below half of it", name, got[name], base[name])
		}
	}
	// 200 units, 2 sweeps of warm-up: the recording starts at step 400
	// and ends at 6400, where the second stimulus is cut.
	if len(s.Stimuli) != 5 {
		t.Fatalf("summary stimuli %+v, want 5 (E0, then the 4 I populations)", s.Stimuli)
	}
	if st := s.Stimuli[0]; st.Start != 0 || st.End != 40 || st.OnStep != 400 || st.OffStep != 6400 || st.Delta != 10 {
		t.Errorf("stimulus of E0 %+v, want units 0-40, steps 400-6400, delta 10", st)
	}
	if st := s.Stimuli[1]; st.Start != 160 || st.End != 170 || st.OnStep != 500 || st.OffStep != 6400 || st.Delta != -10 {
		t.Errorf("stimulus of I0 %+v, want units 160-170, steps 500-6400, delta -10", st)
	}
}

// TestRunStimulusErrors checks that a bad stimulus is one line naming it,
// exit status 2, and nothing written.
func TestRunStimulusErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ stimuli, want string }{
		{`[{"populations": ["E9"], "start_sweep": 0, "stop_sweep": 1, "delta": 1}]`, `"populations": "E9": no such population`},
		{`[{"populations": [], "start_sweep": 0, "stop_sweep": 1, "delta": 1}]`, `"populations": must name`},
		{`[{"populations": ["E0"], "start_sweep": -1, "stop_sweep": 1, "delta": 1}]`, `"start_sweep": -1`},
		{`[{"populations": ["E0"], "start_sweep": 2, "stop_sweep": 2, "delta": 1}]`, `"stop_sweep": 2: must be finite and > "start_sweep"`},
		{`[{"populations": ["E0"], "start_sweep": 30, "stop_sweep": 31, "delta": 1}]`, `"start_sweep": 30: must be inside the recording`},
		{`[{"populations": ["E0"], "start_sweep": 1e300, "stop_sweep": 1e301, "delta": 1}]`, `"start_sweep": 1e+300: must be inside the recording`},
		{`[{"populations": ["E0"], "start_sweep": 0, "stop_sweep": 1, "delta": 1e300}]`, `"stimuli": invalid Stimulus.Delta = 1e+300: exceeds the float32 range`},
		{`[{"populations": ["E0"], "start": 0, "stop_sweep": 1, "delta": 1}]`, `unknown key "start"`},
	} {
		models := stimulusModels(t, tc.stimuli)
		dir := filepath.Join(t.TempDir(), "out")
		code, _, errOut := runRun(t, "-out", dir, "-config", models, "-scenario", "stim", "-plots=false")
		if code != 2 || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.Contains(errOut, tc.want) {
			t.Errorf("stimuli %s: exit status %d, stderr %q; want 2 and one line with %q", tc.stimuli, code, errOut, tc.want)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("stimuli %s: %s was created", tc.stimuli, dir)
		}
	}
}
