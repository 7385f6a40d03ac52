package binarynet

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// dyadicNetwork returns, for the stimulus tests, a random network of n
// units in two populations "E0" (the first n/2 units) and "E1" whose
// weights, thresholds and initial states are short binary fractions, so
// that every field and every field plus a dyadic stimulus is exact in
// float32: the engine must then agree bit for bit with a reference that
// adds the stimulus to the field.
func dyadicNetwork(t testing.TB, n int, mode WeightMode, typ WeightType) (*Network, *mat.Dense, []float64) {
	t.Helper()
	rng := rand.New(rand.NewPCG(11, 12))
	w := mat.NewDense(n, n, nil)
	for post := range n {
		for pre := range n {
			if pre != post && rng.Float64() < 0.3 {
				w.Set(post, pre, float64(rng.IntN(9)-5)/8)
			}
		}
	}
	thresh := make([]float64, n)
	init := make([]int8, n)
	for u := range n {
		thresh[u] = float64(rng.IntN(5)-2) / 4
		init[u] = int8(rng.IntN(2))
	}
	pops := []Population{
		&BinaryNeuronPopulation{Name: "E0", N: n / 2, Tau: 1},
		&BinaryNeuronPopulation{Name: "E1", N: n - n/2, Tau: 1},
	}
	nw, err := NewNetworkFromWeights("dyadic", w, pops, thresh, init, Options{WeightMode: mode, WeightType: typ, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	return nw, w, thresh
}

// stimulusCases are overlapping stimuli of the dyadic network of 40 units:
// all of E0, part of E0 and E1, and an inhibitory one.
var stimulusCases = []Stimulus{
	{Units: Range{0, 20}, On: 100, Off: 300, Delta: 0.75},
	{Units: Range{10, 30}, On: 200, Off: 400, Delta: 0.5},
	{Units: Range{25, 40}, On: 250, Off: 260, Delta: -1.25},
}

// TestStimulusFieldReference replays a random update sequence on the
// dyadic network with overlapping stimuli and compares every step with a
// reference that raises the fields of the targets by the Deltas: the
// states must agree bit for bit in dense and sparse mode and in both float
// types, StimulusInput must rise by exactly Delta at On and fall back at
// Off, and the thresholds must be the base ones minus the input and return
// exactly to the base ones.
func TestStimulusFieldReference(t *testing.T) {
	const n, steps = 40, 500
	for _, mode := range []WeightMode{WeightDense, WeightSparse} {
		for _, typ := range []WeightType{Float32, Float64} {
			t.Run(fmt.Sprintf("%s-%s", mode, typ), func(t *testing.T) {
				t.Parallel()
				nw, w, base := dyadicNetwork(t, n, mode, typ)
				if err := nw.AddStimulus(stimulusCases...); err != nil {
					t.Fatal(err)
				}
				ref, _ := nw.State(nil)
				rng := rand.New(rand.NewPCG(5, 6))
				for step := range int64(steps) {
					want := stimulusSum(stimulusCases, n, step)
					if got := nw.StimulusInput(nil); !slices.Equal(got, want) {
						t.Fatalf("step %d: StimulusInput = %v, want %v", step, got, want)
					}
					th, _ := nw.Thresholds(nil)
					for u := range n {
						if th[u] != base[u]-want[u] {
							t.Fatalf("step %d unit %d: threshold %v, want %v - %v", step, u, th[u], base[u], want[u])
						}
					}
					u := rng.IntN(n)
					var h float64
					for j := range n {
						h += w.At(u, j) * float64(ref[j])
					}
					ref[u] = 0
					if h+want[u] > base[u] {
						ref[u] = 1
					}
					if err := nw.ApplyUpdates([]int32{int32(u)}); err != nil {
						t.Fatal(err)
					}
					if got, _ := nw.State(nil); !slices.Equal(got, ref) {
						t.Fatalf("step %d: states differ from the reference", step)
					}
				}
				if th, _ := nw.Thresholds(nil); !slices.Equal(th, base) {
					t.Errorf("thresholds after the last stimulus %v, want the base %v", th, base)
				}
			})
		}
	}
}

// TestStimulusDenseSparseRun checks that Run with stimuli gives the same
// trajectory in dense and sparse mode and for every batch size, that the
// trajectory is the unstimulated one up to the first On and differs after
// it, and that the thresholds of a float32 network with non-dyadic values
// return bit for bit to their base values.
func TestStimulusDenseSparseRun(t *testing.T) {
	const steps = 6000
	stim := func(nw *Network) {
		t.Helper()
		e, _ := nw.PopulationRange(nw.Populations()[0])
		err := nw.AddStimulus(
			Stimulus{Units: e, On: 1000, Off: 3000, Delta: 0.3},
			Stimulus{Units: Range{e.Start, e.Start + 7}, On: 2000, Off: 4000, Delta: 0.1},
		)
		if err != nil {
			t.Fatal(err)
		}
	}
	run := func(mode WeightMode, batch int, stimulate bool) DiffLog {
		nw := ckptNetwork(t, Options{WeightMode: mode, WeightType: Float32, Seed: 8}, false)
		base, _ := nw.Thresholds(nil)
		if stimulate {
			stim(nw)
		}
		if err := nw.EnableDiffLogging(steps); err != nil {
			t.Fatal(err)
		}
		if err := nw.Run(steps, batch); err != nil {
			t.Fatal(err)
		}
		if th, _ := nw.Thresholds(nil); !slices.Equal(th, base) {
			t.Errorf("%s batch %d: thresholds after the stimuli differ from before", mode, batch)
		}
		return nw.ConsumeDiffLog()
	}
	want := run(WeightDense, 1000, true)
	for _, c := range []struct {
		mode  WeightMode
		batch int
	}{{WeightDense, 1}, {WeightDense, 77}, {WeightSparse, 1000}, {WeightSparse, 13}, {WeightSparse, steps}} {
		got := run(c.mode, c.batch, true)
		if !slices.Equal(got.Updates, want.Updates) || !slices.Equal(got.Deltas, want.Deltas) {
			t.Errorf("%s batch %d: trajectory differs from dense batch 1000", c.mode, c.batch)
		}
	}
	plain := run(WeightSparse, 1000, false)
	if !slices.Equal(plain.Deltas[:1000], want.Deltas[:1000]) {
		t.Error("the trajectory differs from the unstimulated one before the first stimulus")
	}
	if slices.Equal(plain.Deltas[1000:3000], want.Deltas[1000:3000]) {
		t.Error("the stimulus changed nothing")
	}
}

// TestStimulusCheckpointMidStimulus checkpoints in the middle of
// overlapping stimuli and checks that the restored network continues bit
// for bit, through their ends, and writes the same bytes again.
func TestStimulusCheckpointMidStimulus(t *testing.T) {
	for _, c := range ckptCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			build := func() *Network {
				nw := c.build(t)
				r, _ := nw.PopulationRange(nw.Populations()[0])
				if err := nw.AddStimulus(
					Stimulus{Units: r, On: 500, Off: 1500, Delta: 0.25},
					Stimulus{Units: Range{r.Start + 3, min(r.End+5, nw.N())}, On: 900, Off: 1800, Delta: -0.1},
				); err != nil {
					t.Fatal(err)
				}
				return nw
			}
			const a, b = 1000, 1500
			whole := build()
			if err := whole.Run(a, 333); err != nil {
				t.Fatal(err)
			}
			got := restoreCheckpoint(t, whole, &RestoreOptions{ActivityFuncs: c.funcs}, "")
			if !slices.Equal(got.Stimuli(), whole.Stimuli()) {
				t.Errorf("restored stimuli %v, want %v", got.Stimuli(), whole.Stimuli())
			}
			if !slices.Equal(got.StimulusInput(nil), whole.StimulusInput(nil)) {
				t.Error("restored stimulus input differs")
			}
			for _, nw := range []*Network{whole, got} {
				if err := nw.EnableDiffLogging(b); err != nil {
					t.Fatal(err)
				}
				if err := nw.Run(b, 97); err != nil {
					t.Fatal(err)
				}
			}
			w, g := whole.ConsumeDiffLog(), got.ConsumeDiffLog()
			if !slices.Equal(w.Updates, g.Updates) || !slices.Equal(w.Deltas, g.Deltas) {
				t.Error("the restored network's trajectory differs")
			}
			wt, _ := whole.Thresholds(nil)
			gt, _ := got.Thresholds(nil)
			wf, _ := whole.Field(nil)
			gf, _ := got.Field(nil)
			if !slices.Equal(wt, gt) || !slices.Equal(wf, gf) {
				t.Error("thresholds or fields differ after the run")
			}
		})
	}
}

// TestCheckpointWithoutRecords checks that a network without stimuli
// writes no records section (flag 128 clear), so its checkpoint is as
// before the section existed.
func TestCheckpointWithoutRecords(t *testing.T) {
	data := ckptBytes(t, WeightSparse, Float32)
	h, _ := splitCheckpoint(t, data)
	if h.recordsLen != 0 || data[checkpointPrefix]&128 != 0 {
		t.Errorf("records section of %d bytes, flags %#x", h.recordsLen, data[checkpointPrefix])
	}
}

// TestCheckpointRecordsCorrupt crafts records sections that pass the
// checksums and checks that each is rejected with an error wrapping
// ErrCheckpoint, without a network or a large allocation.
func TestCheckpointRecordsCorrupt(t *testing.T) {
	nw := ckptNetwork(t, Options{WeightMode: WeightSparse, Seed: 2}, false)
	if err := nw.AddStimulus(Stimulus{Units: Range{0, 10}, On: 5, Off: 50, Delta: 0.5}); err != nil {
		t.Fatal(err)
	}
	data := checkpointOf(t, nw)
	h0, body := splitCheckpoint(t, data)
	body = body[:len(body)-4] // without the trailer
	arrays := body[:len(body)-int(h0.recordsLen)]
	good := encodeStimuli(nw.Stimuli())
	rec := func(tag uint16, payload []byte) ckptRecord { return ckptRecord{tag, payload} }
	u64 := func(v uint64) []byte { var e ckptEnc; e.u64(v); return e.b }
	stim := func(s Stimulus) []byte { return encodeStimuli([]Stimulus{s}) }
	tests := []struct {
		name    string
		section []byte
		substr  string
	}{
		{"unknown tag", encodeRecords([]ckptRecord{rec(recordLast+1, nil)}), "unknown tag"},
		{"tag 0", encodeRecords([]ckptRecord{rec(0, nil)}), "unknown tag"},
		{"repeated tag", encodeRecords([]ckptRecord{rec(1, good), rec(1, good)}), "must increase"},
		{"count beyond bytes", append(u64(1 << 31)[:4], make([]byte, 20)...), "claims"},
		{"zero count", append(u64(0)[:4], make([]byte, 20)...), "claims"},
		{"length beyond bytes", append(encodeRecords([]ckptRecord{rec(1, good)})[:6], u64(1<<62)...), "claims"},
		{"trailing bytes", append(encodeRecords([]ckptRecord{rec(1, good)}), 0), "unexpected bytes"},
		{"stimulus count beyond payload", encodeRecords([]ckptRecord{rec(1, append(u64(1<<60), good[8:]...))}), "claims"},
		{"no stimuli", encodeRecords([]ckptRecord{rec(1, u64(0))}), "claims"},
		{"NaN delta", encodeRecords([]ckptRecord{rec(1, stim(Stimulus{Units: Range{0, 1}, On: 0, Off: 1, Delta: math.NaN()}))}), "Delta"},
		{"empty step range", encodeRecords([]ckptRecord{rec(1, stim(Stimulus{Units: Range{0, 1}, On: 4, Off: 4}))}), "Off"},
		{"units outside", encodeRecords([]ckptRecord{rec(1, stim(Stimulus{Units: Range{0, nw.N() + 1}, On: 0, Off: 1}))}), "Units"},
		{"negative on", encodeRecords([]ckptRecord{rec(1, stim(Stimulus{Units: Range{0, 1}, On: -1, Off: 1}))}), "range"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := splitCheckpoint(t, data)
			h.recordsLen = int64(len(tc.section))
			h.bodyLen = int64(h.computeBodyLen())
			crafted := joinCheckpoint(h, append(append(slices.Clone(arrays), tc.section...), 0, 0, 0, 0))
			got, err := ReadCheckpoint(bytes.NewReader(crafted), nil)
			wantCheckpointError(t, tc.name, got, err, tc.substr)
		})
	}
	// The flag with too short a section is rejected in the header.
	h, _ := splitCheckpoint(t, data)
	h.recordsLen = 3
	h.bodyLen = int64(h.computeBodyLen())
	got, err := ReadCheckpoint(bytes.NewReader(joinCheckpoint(h, append(append(slices.Clone(arrays), 1, 0, 0), 0, 0, 0, 0))), nil)
	wantCheckpointError(t, "short section", got, err, "too short")
	// A records section claiming more than the budget is refused before
	// it is read.
	h, _ = splitCheckpoint(t, data)
	h.recordsLen = 1 << 50
	h.bodyLen = int64(h.computeBodyLen())
	got, err = ReadCheckpoint(bytes.NewReader(joinCheckpoint(h, body)), nil)
	wantCheckpointError(t, "huge section", got, err, "records section")
	if !errors.Is(err, ErrMemoryBudget) {
		t.Errorf("huge section: %v does not wrap ErrMemoryBudget", err)
	}
}

// TestStimulusErrors checks that invalid stimuli are rejected with errors
// naming the field, and that a failed call adds none.
func TestStimulusErrors(t *testing.T) {
	ok := Stimulus{Units: Range{0, 5}, On: 0, Off: 10, Delta: 1}
	tests := []struct {
		name  string
		edit  func(s *Stimulus)
		param string
	}{
		{"NaN delta", func(s *Stimulus) { s.Delta = math.NaN() }, "Stimulus.Delta"},
		{"infinite delta", func(s *Stimulus) { s.Delta = math.Inf(-1) }, "Stimulus.Delta"},
		{"float32 overflow", func(s *Stimulus) { s.Delta = 1e39 }, "Stimulus.Delta"},
		{"negative on", func(s *Stimulus) { s.On = -1 }, "Stimulus.On"},
		{"off at on", func(s *Stimulus) { s.Off = s.On }, "Stimulus.Off"},
		{"off before on", func(s *Stimulus) { s.On, s.Off = 10, 3 }, "Stimulus.Off"},
		{"empty range", func(s *Stimulus) { s.Units = Range{3, 3} }, "Stimulus.Units"},
		{"negative start", func(s *Stimulus) { s.Units = Range{-1, 3} }, "Stimulus.Units"},
		{"beyond the network", func(s *Stimulus) { s.Units = Range{0, 41} }, "Stimulus.Units"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			nw, _, _ := dyadicNetwork(t, 40, WeightDense, Float32)
			bad := ok
			tc.edit(&bad)
			err := nw.AddStimulus(ok, bad)
			var pe *ParameterError
			if !errors.As(err, &pe) || pe.Param != tc.param || !strings.Contains(err.Error(), "stimuli[1]") {
				t.Fatalf("AddStimulus(%+v) = %v, want a ParameterError for %s at stimuli[1]", bad, err, tc.param)
			}
			if len(nw.Stimuli()) != 0 {
				t.Errorf("a failed AddStimulus added %d stimuli", len(nw.Stimuli()))
			}
		})
	}
	// Before Initialize: the units must exist, and the float32 range is
	// checked by Initialize.
	nw := NewNetwork("early")
	if err := nw.AddStimulus(ok); err == nil {
		t.Error("a stimulus of a network without units was accepted")
	}
	p := &BinaryNeuronPopulation{Name: "E0", N: 5, Tau: 1}
	if err := nw.AddPopulation(p); err != nil {
		t.Fatal(err)
	}
	big := ok
	big.Delta = 1e39
	if err := nw.AddStimulus(big); err != nil {
		t.Fatal(err)
	}
	if err := nw.Initialize(Options{Seed: 1}); !errors.Is(err, ErrInvalidParameter) || !strings.Contains(err.Error(), "Stimulus.Delta") {
		t.Errorf("Initialize with a float32 stimulus of 1e39: %v", err)
	}
	// Times: TimedStimulus needs a positive step range.
	if _, err := nw.TimedStimulus(Range{0, 5}, 1, 1.05, 0.5); err == nil || !strings.Contains(err.Error(), "stimulus stop") {
		t.Errorf("TimedStimulus of less than a step: %v", err)
	}
	if _, err := nw.TimedStimulus(Range{0, 5}, -1, 1, 0.5); err == nil || !strings.Contains(err.Error(), "stimulus start") {
		t.Errorf("TimedStimulus from a negative time: %v", err)
	}
}

// TestStimulusBeforeAndAfterInitialize checks that stimuli added before
// Initialize, including one from step 0, and stimuli added after steps
// were taken act as documented.
func TestStimulusBeforeAndAfterInitialize(t *testing.T) {
	nw := NewNetwork("order")
	p := &BinaryNeuronPopulation{Name: "E0", N: 4, Tau: 1, Threshold: 0.5}
	if err := nw.AddPopulation(p); err != nil {
		t.Fatal(err)
	}
	s, err := nw.PopulationStimulus(p, 0, 2.4, 0.25) // 4 steps per time unit: [0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if s != (Stimulus{Units: Range{0, 4}, On: 0, Off: 10, Delta: 0.25}) {
		t.Fatalf("PopulationStimulus = %+v", s)
	}
	if err := nw.AddStimulus(s); err != nil {
		t.Fatal(err)
	}
	if got := nw.StimulusInput(nil); !slices.Equal(got, []float64{0.25, 0.25, 0.25, 0.25}) {
		t.Errorf("StimulusInput before Initialize = %v", got)
	}
	if err := nw.Initialize(Options{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if th, _ := nw.Thresholds(nil); th[0] != 0.25 {
		t.Errorf("threshold at step 0 = %v, want 0.25", th[0])
	}
	if err := nw.Run(20, 3); err != nil {
		t.Fatal(err)
	}
	// Started in the past: active from now to step 30.
	if err := nw.AddStimulus(Stimulus{Units: Range{1, 2}, On: 5, Off: 30, Delta: -0.5}); err != nil {
		t.Fatal(err)
	}
	if th, _ := nw.Thresholds(nil); !slices.Equal(th, []float64{0.5, 1, 0.5, 0.5}) {
		t.Errorf("thresholds after adding a running stimulus = %v", th)
	}
	if err := nw.Run(10, 4); err != nil {
		t.Fatal(err)
	}
	if th, _ := nw.Thresholds(nil); !slices.Equal(th, []float64{0.5, 0.5, 0.5, 0.5}) {
		t.Errorf("thresholds after the stimuli = %v", th)
	}
	if len(nw.Stimuli()) != 2 {
		t.Errorf("Stimuli() has %d entries, want 2", len(nw.Stimuli()))
	}
}

// TestStimulusGainAndAdaptation checks what stochastic gains and adaptive
// thresholds see. The gain ignores its arguments (probability 1/2), so a
// stimulated network and an unstimulated twin have the same trajectory;
// the thresholds passed to the gain must then be the twin's minus the
// stimulus input, exactly: base - Delta for a plain gain population, and
// the adaptive threshold (the same in both, since the stimulus does not
// change the adaptation state) minus Delta for an adaptive one.
func TestStimulusGainAndAdaptation(t *testing.T) {
	type call struct {
		step   int64
		h, th  float64
		adapts bool
	}
	build := func(stimulate bool) (*Network, *[]call) {
		var calls []call
		var nw *Network
		gain := func(adapts bool) GainFunc {
			return func(h, th float64) float64 {
				calls = append(calls, call{nw.Steps(), h, th, adapts})
				return 0.5
			}
		}
		nw = NewNetwork("gains")
		g := &BinaryNeuronPopulation{Name: "G", N: 20, Tau: 1, Threshold: 0.3, Gain: gain(false)}
		a := &BinaryNeuronPopulation{Name: "A", N: 20, Tau: 1, Threshold: 0.2, Gain: gain(true),
			Adaptation: Adaptation{Step: 0.7, Tau: 30}}
		for _, p := range []Population{g, a} {
			if err := nw.AddPopulation(p); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range []Synapse{NewPairwiseBernoulliSynapse(g, a, 0.3, 0.13), NewPairwiseBernoulliSynapse(a, g, 0.3, -0.07)} {
			if err := nw.AddSynapse(s); err != nil {
				t.Fatal(err)
			}
		}
		if err := nw.Initialize(Options{Seed: 4, WeightType: Float32}); err != nil {
			t.Fatal(err)
		}
		if stimulate {
			if err := nw.AddStimulus(Stimulus{Units: Range{0, 40}, On: 100, Off: 300, Delta: 0.1}); err != nil {
				t.Fatal(err)
			}
		}
		return nw, &calls
	}
	stim, sc := build(true)
	twin, tc := build(false)
	for _, nw := range []*Network{stim, twin} {
		if err := nw.Run(400, 37); err != nil {
			t.Fatal(err)
		}
	}
	s1, _ := stim.State(nil)
	s2, _ := twin.State(nil)
	if !slices.Equal(s1, s2) || len(*sc) != 400 || len(*tc) != 400 {
		t.Fatalf("trajectories differ (%d and %d gain calls)", len(*sc), len(*tc))
	}
	for i, c := range *sc {
		w := (*tc)[i]
		want := w.th
		if c.step >= 100 && c.step < 300 {
			if c.adapts {
				want = w.th - 0.1 // float64, as the adaptive rule computes it
			} else {
				want = float64(float32(w.th - 0.1))
			}
		}
		if c.h != w.h || c.th != want {
			t.Fatalf("call %d (step %d, adaptive %v): gain saw (%v, %v), want (%v, %v)", i, c.step, c.adapts, c.h, c.th, w.h, want)
		}
	}
}

// stimulusSum returns the input that the stimuli in list give n units at
// step, summed stimulus by stimulus: the brute-force reference for
// StimulusInput.
func stimulusSum(list []Stimulus, n int, step int64) []float64 {
	want := make([]float64, n)
	for _, s := range list {
		if s.On <= step && step < s.Off {
			for u := s.Units.Start; u < s.Units.End; u++ {
				want[u] += s.Delta
			}
		}
	}
	return want
}

// stimulusCheckpointBytes returns the checkpoint of a small network in the
// middle of overlapping stimuli, a seed of FuzzCheckpointDecode that
// reaches the records section.
func stimulusCheckpointBytes(t testing.TB, mode WeightMode) []byte {
	t.Helper()
	nw, _, _ := dyadicNetwork(t, 12, mode, Float32)
	if err := nw.AddStimulus(
		Stimulus{Units: Range{0, 6}, On: 2, Off: 20, Delta: 0.5},
		Stimulus{Units: Range{4, 12}, On: 3, Off: 9, Delta: -0.25},
	); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(5, 2); err != nil {
		t.Fatal(err)
	}
	return checkpointOf(t, nw)
}

// TestStimulusManyOverlapping checks the schedule's bookkeeping against a
// brute-force sum at every step, for thousands of random overlapping
// stimuli with shared boundaries, added before and during the run, and
// steps taken in random batches.
func TestStimulusManyOverlapping(t *testing.T) {
	const n, steps = 30, 4000
	rng := rand.New(rand.NewPCG(7, 8))
	random := func(k int) []Stimulus {
		out := make([]Stimulus, k)
		for i := range out {
			a := rng.IntN(n)
			on := int64(rng.IntN(steps/10) * 10) // shared boundaries
			out[i] = Stimulus{Units: Range{a, a + 1 + rng.IntN(n-a)}, On: on, Off: on + 1 + int64(rng.IntN(300)), Delta: float64(rng.IntN(17)-8) / 16}
		}
		return out
	}
	nw, err := NewNetworkFromWeights("many", mat.NewDense(n, n, nil), nil, nil, make([]int8, n), Options{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	list := random(2000)
	if err := nw.AddStimulus(list...); err != nil {
		t.Fatal(err)
	}
	for nw.Steps() < steps {
		now := nw.Steps()
		if now == 1500 {
			more := random(1000)
			if err := nw.AddStimulus(more...); err != nil {
				t.Fatal(err)
			}
			list = append(list, more...)
		}
		want := stimulusSum(list, n, now)
		if got := nw.StimulusInput(nil); !slices.Equal(got, want) {
			t.Fatalf("step %d: input %v, want %v", now, got, want)
		}
		b := 1 + rng.IntN(40)
		if now < 1500 && now+int64(b) > 1500 {
			b = int(1500 - now)
		}
		if err := nw.Run(b, 1+rng.IntN(b)); err != nil {
			t.Fatal(err)
		}
	}
}
