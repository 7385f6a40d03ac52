package pipeline

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/binarynet/binarynet"
)

// TestStimulusKeyErrors checks that every invalid entry of the stimulus
// schedule is an error naming its key and value.
func TestStimulusKeyErrors(t *testing.T) {
	// smallConfig: 60 updates per ms, 20001 recorded steps (333 ms).
	tests := []struct {
		name, override, want string
	}{
		{"not a list", "stimulus=5", "stimulus = 5: must be a list"},
		{"entry not a mapping", "stimulus=[3]", "stimulus[0] = 3: must be a mapping"},
		{"unknown key", "stimulus=[{populations: E0, start_ms: 1, stop_ms: 2, amplitude: 1, strat_ms: 3}]", "stimulus[0].strat_ms = 3: unknown key"},
		{"no populations", "stimulus=[{start_ms: 1, stop_ms: 2, amplitude: 1}]", "stimulus[0].populations = null: must be given"},
		{"unknown population", "stimulus=[{populations: [E0, E9], start_ms: 1, stop_ms: 2, amplitude: 1}]", `stimulus[0].populations = ["E0", "E9"]: "E9" is not a population name (E0..E3, I0..I3, E or I)`},
		{"not a name", "stimulus=[{populations: [1], start_ms: 1, stop_ms: 2, amplitude: 1}]", "stimulus[0].populations = [1]: 1 is not a population name"},
		{"empty list", "stimulus=[{populations: [], start_ms: 1, stop_ms: 2, amplitude: 1}]", "must name at least one population"},
		{"repeated population", "stimulus=[{populations: [E, E2], start_ms: 1, stop_ms: 2, amplitude: 1}]", "E2 names a population twice"},
		{"no amplitude", "stimulus=[{populations: E0, start_ms: 1, stop_ms: 2}]", "stimulus[0].amplitude = null: must be given"},
		{"NaN amplitude", "stimulus=[{populations: E0, start_ms: 1, stop_ms: 2, amplitude: .nan}]", "stimulus[0].amplitude = .nan: must be a finite number"},
		{"float32 amplitude", "stimulus=[{populations: E0, start_ms: 1, stop_ms: 2, amplitude: 1.0e39}]", "stimulus[0].amplitude = 1.0e+39: exceeds the float32 range"},
		{"both units", "stimulus=[{populations: E0, start_ms: 1, start_step: 60, stop_ms: 2, amplitude: 1}]", "stimulus[0].start_ms = 1: give start_ms or start_step, not both"},
		{"no start", "stimulus=[{populations: E0, stop_ms: 2, amplitude: 1}]", "stimulus[0].start_ms = null: must be given (or start_step)"},
		{"stop before start", "stimulus=[{populations: [E0], start_ms: 1000, stop_ms: 10, amplitude: 0.3}]", "stimulus[0].stop_ms = 10: must be > start_ms"},
		{"stop within a step", "stimulus=[{populations: E0, start_ms: 1.0, stop_ms: 1.001, amplitude: 1}]", "must be > start_ms by at least one step (both are step 60)"},
		{"negative step", "stimulus=[{populations: E0, start_step: -1, stop_step: 2, amplitude: 1}]", "stimulus[0].start_step = -1: must be >= 0"},
		{"negative ms", "stimulus=[{populations: E0, start_ms: -1.5, stop_step: 2, amplitude: 1}]", "stimulus[0].start_ms = -1.5: must be >= 0"},
		{"fractional step", "stimulus=[{populations: E0, start_step: 1.5, stop_step: 2, amplitude: 1}]", "stimulus[0].start_step = 1.5: must be an integer"},
		{"start after the run", "stimulus=[{populations: E0, start_step: 20001, stop_step: 20002, amplitude: 1}]", "stimulus[0].start_step = 20001: is step 20001, not inside the recorded run of 20001 steps"},
		{"zero trials", "stimulus=[{populations: E0, start_ms: 1, stop_ms: 2, amplitude: 1, trials: 0}]", "stimulus[0].trials = 0: must be from 1 to 100000"},
		{"no period", "stimulus=[{populations: E0, start_ms: 1, stop_ms: 2, amplitude: 1, trials: 2}]", "stimulus[0].period_ms = null: must be given (or period_step)"},
		{"overlapping trials", "stimulus=[{populations: E0, start_step: 0, stop_step: 100, amplitude: 1, trials: 2, period_step: 99}]", "stimulus[0].period_step = 99: is 99 steps, shorter than a trial (100 steps)"},
		{"trials beyond the run", "stimulus=[{populations: E0, start_step: 0, stop_step: 100, amplitude: 1, trials: 3, period_step: 10001}]", "stimulus[0].trials = 3: the last trial would start at step 20002, after the recorded run of 20001 steps"},
		{"too many trials in all", "stimulus=[{populations: E0, start_step: 0, stop_step: 1, amplitude: 1, trials: 60000, period_step: 1}, {populations: E1, start_step: 0, stop_step: 1, amplitude: 1, trials: 60000, period_step: 1}]", "stimulus[1].trials = 60000: the entries ask for 120000 trials in all"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := mustConfig(t, smallConfig, tc.override)
			if tc.name == "too many trials in all" {
				if err := c.Override("binary.simulation_steps=1000000"); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Resolve(c, Flags{})
			if !errors.Is(err, binarynet.ErrInvalidParameter) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestStimulusResolve checks the conversion of an entry into steps and
// trials, and that the key changes the tags (params.yaml holds it) but
// not the resolved settings.
func TestStimulusResolve(t *testing.T) {
	plain := smallJob(t)
	j := smallJob(t, "stimulus=[{populations: [E1, I], start_ms: 50, stop_ms: 100.01, period_ms: 100, trials: 3, amplitude: 0.5}, {populations: E, start_step: 7, stop_step: 9, amplitude: -0.25}]")
	want := []StimulusEntry{
		{Populations: []string{"E1", "I"}, Targets: []int{1, 4, 5, 6, 7}, Start: 3000, Stop: 6001, Period: 6000, Trials: 3, Amplitude: 0.5},
		{Populations: []string{"E"}, Targets: []int{0, 1, 2, 3}, Start: 7, Stop: 9, Trials: 1, Amplitude: -0.25},
	}
	if len(j.Stimuli) != len(want) {
		t.Fatalf("Stimuli = %+v", j.Stimuli)
	}
	for i := range want {
		g, w := j.Stimuli[i], want[i]
		if !slices.Equal(g.Populations, w.Populations) || !slices.Equal(g.Targets, w.Targets) || g.Start != w.Start || g.Stop != w.Stop ||
			g.Period != w.Period || g.Trials != w.Trials || g.Amplitude != w.Amplitude {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	m := j.StimulusMarkers()
	if len(m) != 4 || m[2].Onset != 15000 || m[2].Offset != 18001 || m[2].Trial != 2 || m[3].Entry != 1 || m[3].Trial != 0 {
		t.Errorf("markers %+v", m)
	}
	if plain.Stimuli != nil {
		t.Errorf("a configuration without the key has stimuli %+v", plain.Stimuli)
	}
	if plain.Tag() == j.Tag() || plain.BinaryTag() == j.BinaryTag() {
		t.Error("the stimulus key does not change the tags")
	}
	if _, ok := j.Settings()[StimulusKey]; ok {
		t.Error("the stimulus key is among the resolved binary settings")
	}
	if !slices.Contains(KnownKeys(), StimulusKey) {
		t.Error("KnownKeys lacks the stimulus key")
	}
}

// npyInt64s and npyFloat64s decode the data of a little-endian array.
func npyInt64s(e npyEntry) []int64 {
	out := make([]int64, len(e.data)/8)
	for i := range out {
		out[i] = int64(binary.LittleEndian.Uint64(e.data[8*i:]))
	}
	return out
}

func npyFloat64s(e npyEntry) []float64 {
	out := make([]float64, len(e.data)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(e.data[8*i:]))
	}
	return out
}

// TestRunStimulus runs the small model with a repeated stimulus of E0 and
// checks the markers in the trace and the summary, that E0 is more active
// during the stimuli than between them, and that a run without the key
// writes no stimulus arrays.
func TestRunStimulus(t *testing.T) {
	j := smallJob(t, "stimulus=[{populations: [E0], start_ms: 50, stop_ms: 100, period_ms: 100, trials: 3, amplitude: 1.0}]")
	dir := t.TempDir()
	if _, err := Run(context.Background(), j, dir, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	a := readNpz(t, filepath.Join(dir, "activity_trace.npz"))
	for key, want := range map[string][]int64{
		"stimulus_onsets":  {3000, 9000, 15000},
		"stimulus_offsets": {6000, 12000, 18000},
		"stimulus_entries": {0, 0, 0},
		"stimulus_trials":  {0, 1, 2},
	} {
		if got := npyInt64s(a[key]); a[key].descr != "<i8" || !slices.Equal(got, want) {
			t.Errorf("%s = %v (%s), want %v", key, got, a[key].descr, want)
		}
	}
	stepMS := j.Model.StepMS()
	if got := npyFloat64s(a["stimulus_onsets_ms"]); len(got) != 3 || got[1] != 9000*stepMS {
		t.Errorf("stimulus_onsets_ms = %v", got)
	}
	if got := npyFloat64s(a["stimulus_amplitudes"]); !slices.Equal(got, []float64{1, 1, 1}) {
		t.Errorf("stimulus_amplitudes = %v", got)
	}
	if e := a["stimulus_targets"]; e.descr != "|u1" || !slices.Equal(e.shape, []int{3, 8}) || e.data[0] != 1 || e.data[1] != 0 || e.data[8] != 1 {
		t.Errorf("stimulus_targets %s %v %v", e.descr, e.shape, e.data)
	}
	if e := a["stimulus_populations"]; !slices.Equal(e.shape, []int{3}) || !strings.HasPrefix(e.descr, "<U") {
		t.Errorf("stimulus_populations %s %v", e.descr, e.shape)
	}
	if _, ok := a["stimulus_onset_times_ms"]; ok {
		t.Error("a run in steps wrote stimulus_onset_times_ms")
	}
	// E0's rate, column 0 of rates (float32, samples x 8), sampled every 10
	// steps from step 0.
	r := a["rates"]
	var in, out [2]float64
	for s := range r.shape[0] {
		v := float64(math.Float32frombits(binary.LittleEndian.Uint32(r.data[4*(s*8):])))
		step := int64(s) * 10
		k := 0
		if step >= 3000 && step < 18000 && (step-3000)%6000 < 3000 {
			k = 1
		}
		in[k] += v
		out[k]++
	}
	base, stim := in[0]/out[0], in[1]/out[1]
	t.Logf("E0 rate %.3f between the stimuli, %.3f during them", base, stim)
	if !(stim > base+0.1) {
		t.Errorf("E0 rate %.3f during the stimuli, %.3f between them: want clearly higher", stim, base)
	}
	summary, err := os.ReadFile(filepath.Join(dir, "activity_trace_summary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(summary), "stimulus:") || !strings.Contains(string(summary), "start_step: 3000") {
		t.Errorf("the summary lacks the stimulus schedule:\n%s", summary)
	}

	dir = t.TempDir()
	if _, err := Run(context.Background(), smallJob(t), dir, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	for key := range readNpz(t, filepath.Join(dir, "activity_trace.npz")) {
		if strings.HasPrefix(key, "stimulus") {
			t.Errorf("a run without stimuli wrote %s", key)
		}
	}
}

// TestRunStimulusResume interrupts a run in the middle of a stimulus and
// checks that the resumed run writes the files of the uninterrupted one.
func TestRunStimulusResume(t *testing.T) {
	job := func() *Job {
		return smallJob(t, "binary.simulation_steps=100000",
			"stimulus=[{populations: [E1, I1], start_step: 60000, stop_step: 80000, amplitude: 0.7}]")
	}
	ref := t.TempDir()
	if _, err := Run(context.Background(), job(), ref, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Progress comes after the warm-up (1000 updates) and every 65536
	// updates of the recording: the second call is at recorded step 65536,
	// inside the stimulus.
	_, err := Run(ctx, job(), dir, RunOptions{Checkpoint: true, Progress: func(done, total int64) {
		if done > 1000 {
			cancel()
		}
	}})
	var ie *InterruptedError
	if !errors.As(err, &ie) || ie.Steps != 66536 {
		t.Fatalf("error %v, want an InterruptedError at 66536 steps", err)
	}
	if _, err := Resume(context.Background(), dir, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, dir, ref, "activity_trace.npz", "params.yaml")
}

// TestStimulusJSONConfig checks that a JSON configuration (YAML's flow
// style) sets the schedule as the YAML one does.
func TestStimulusJSONConfig(t *testing.T) {
	c, err := Parse([]byte(`{"N_E": 400, "N_I": 100, "Q": 4, "R_Eplus": 2.5, "binary": {"simulation_steps": 20001},
		"stimulus": [{"populations": ["E0", "I"], "start_ms": 50, "stop_ms": 100, "amplitude": 0.3, "trials": 2, "period_ms": 100}]}`))
	if err != nil {
		t.Fatal(err)
	}
	j, err := Resolve(c, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Stimuli) != 1 || j.Stimuli[0].Start != 3000 || j.Stimuli[0].Period != 6000 || !slices.Equal(j.Stimuli[0].Targets, []int{0, 4, 5, 6, 7}) {
		t.Errorf("Stimuli = %+v", j.Stimuli)
	}
}

// TestRunStimulusContinuousTime checks the clock times of the stimuli in a
// continuous-time run: the times of the updates at their onsets and
// offsets, NaN past the end of the recording.
func TestRunStimulusContinuousTime(t *testing.T) {
	j := smallJob(t, "binary.continuous_time=true",
		"stimulus=[{populations: E2, start_step: 100, stop_step: 300, period_step: 9900, trials: 3, amplitude: 0.5}]")
	dir := t.TempDir()
	if _, err := Run(context.Background(), j, dir, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	a := readNpz(t, filepath.Join(dir, "activity_trace.npz"))
	times := npyFloat64s(a["state_update_times_ms"])
	on, off := npyFloat64s(a["stimulus_onset_times_ms"]), npyFloat64s(a["stimulus_offset_times_ms"])
	if len(times) != 20001 || len(on) != 3 || len(off) != 3 {
		t.Fatalf("%d update times, onset and offset times %v %v", len(times), on, off)
	}
	for k, step := range []int{100, 10000, 19900} {
		wantOff := math.NaN()
		if step+200 < len(times) {
			wantOff = times[step+200]
		}
		if on[k] != times[step] || !(off[k] == wantOff || math.IsNaN(off[k]) && math.IsNaN(wantOff)) {
			t.Errorf("trial %d: times %v, %v; want %v, %v", k, on[k], off[k], times[step], wantOff)
		}
	}
}
