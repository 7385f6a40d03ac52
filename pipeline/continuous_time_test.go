package pipeline

import (
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// TestRunContinuousTime checks binary.continuous_time: the trace file of
// a run with it holds the times in ms of every update, sample and onset,
// consistent with each other and with the time axis, and its updates,
// deltas and rates are those of the run without it, whose files hold no
// times.
func TestRunContinuousTime(t *testing.T) {
	const steps, k = 20001, 10
	run := func(overrides ...string) (map[string]npyEntry, *Summary, string) {
		j := smallJob(t, overrides...)
		dir := t.TempDir()
		sum, err := Run(context.Background(), j, dir, RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return readNpz(t, filepath.Join(dir, "activity_trace.npz")), sum, dir
	}
	off, sumOff, _ := run()
	on, sumOn, dirOn := run("binary.continuous_time=true")
	for _, key := range []string{"times_ms", "state_update_times_ms", "spike_times_ms"} {
		if _, ok := off[key]; ok {
			t.Errorf("the run without continuous time has %s", key)
		}
	}
	for _, key := range []string{"state_updates", "state_deltas", "rates", "initial_state", "spike_times", "times"} {
		if !slices.Equal(on[key].data, off[key].data) {
			t.Errorf("%s differs with continuous time", key)
		}
	}
	samples := (steps-1)/k + 1
	for key, shape := range map[string][]int{
		"times_ms": {samples}, "state_update_times_ms": {1, steps}, "spike_times_ms": {int(sumOn.Onsets)},
	} {
		if e := on[key]; e.descr != "<f8" || !slices.Equal(e.shape, shape) {
			t.Errorf("%s: %s %v, want <f8 %v", key, e.descr, e.shape, shape)
		}
	}
	times := npyFloat64s(on["state_update_times_ms"])
	sampleTimes := npyFloat64s(on["times_ms"])
	for i, s := range sampleTimes {
		if s != times[i*k] {
			t.Fatalf("times_ms[%d] = %v, want the time of update %d, %v", i, s, i*k, times[i*k])
		}
	}
	onsetSteps := npyFloat64s(on["spike_times"])
	for i, s := range npyFloat64s(on["spike_times_ms"]) {
		if s != times[int(onsetSteps[i])] {
			t.Fatalf("spike_times_ms[%d] = %v, want the time of update %v", i, s, onsetSteps[i])
		}
	}
	// The last update comes after warmup + steps exponential intervals of
	// mean StepMS: 4 standard errors are 4 sqrt(21001) StepMS.
	total := 1000.0 + steps
	if want, se := total*sumOn.StepMS, math.Sqrt(total)*sumOn.StepMS; math.Abs(sumOn.LastStepMS-want) > 4*se {
		t.Errorf("last update at %.3f ms, want %.3f +- %.3f", sumOn.LastStepMS, want, 4*se)
	}
	if sumOn.FirstStepMS != times[0] || sumOn.LastStepMS != times[steps-1] || sumOff.LastStepMS != 0 {
		t.Errorf("summary times %v, %v (off: %v); log from %v to %v", sumOn.FirstStepMS, sumOn.LastStepMS, sumOff.LastStepMS, times[0], times[steps-1])
	}
	// npz reads the trace file as a diff log with times.
	rec, err := npz.LoadDiffLog(filepath.Join(dirOn, "activity_trace.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rec.Log.Times, times) {
		t.Error("npz.LoadDiffLog does not read the times of the trace file")
	}
}

// TestContinuousTimeKey checks that binary.continuous_time is read as a
// bool, named with its value in errors, kept out of the resolved settings
// (so that the tags of configurations without it do not change) and
// passed to the network.
func TestContinuousTimeKey(t *testing.T) {
	plain := smallJob(t)
	on := smallJob(t, "binary.continuous_time=true")
	if !on.Binary.ContinuousTime || plain.Binary.ContinuousTime {
		t.Errorf("ContinuousTime: %v with the key, %v without", on.Binary.ContinuousTime, plain.Binary.ContinuousTime)
	}
	if _, ok := on.Settings()["continuous_time"]; ok {
		t.Error("continuous_time is a resolved setting")
	}
	if on.Tag() == plain.Tag() {
		t.Error("the key does not change the configuration's tag")
	}
	opts, err := on.Options(0, 0)
	if err != nil || !opts.ContinuousTime {
		t.Errorf("Options: ContinuousTime %v, err %v", opts.ContinuousTime, err)
	}
	if !slices.Contains(KnownKeys(), "binary.continuous_time") {
		t.Error("KnownKeys lacks binary.continuous_time")
	}
	for _, v := range []string{"1", "maybe", "[true]"} {
		_, err := Resolve(mustConfig(t, smallConfig, "binary.continuous_time="+v), Flags{})
		if !errors.Is(err, binarynet.ErrInvalidParameter) || !strings.Contains(err.Error(), "binary.continuous_time") || !strings.Contains(err.Error(), strings.Trim(v, "[]")) {
			t.Errorf("continuous_time=%s: err = %v, want one naming the key and the value", v, err)
		}
	}
}

// TestRunContinuousTimeResume checks that a run in continuous time
// interrupted while recording resumes to the same files, times included,
// as the uninterrupted run.
func TestRunContinuousTimeResume(t *testing.T) {
	job := func() *Job {
		return smallJob(t, "binary.continuous_time=true", "binary.warmup_steps=70000", "binary.simulation_steps=100000")
	}
	ref := t.TempDir()
	if _, err := Run(context.Background(), job(), ref, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, job(), dir, RunOptions{Checkpoint: true, Progress: func(done, total int64) {
		if done >= 120000 {
			cancel()
		}
	}})
	var ie *InterruptedError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v, want an InterruptedError", err)
	}
	if _, err := Resume(context.Background(), dir, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	sameFiles(t, dir, ref, "activity_trace.npz", "params.yaml")
	if _, ok := readNpz(t, filepath.Join(dir, "activity_trace.npz"))["state_update_times_ms"]; !ok {
		t.Error("the resumed trace has no times")
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
