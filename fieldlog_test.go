package binarynet

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

// fieldTestNetwork builds two excitatory populations, one inhibitory and a
// stochastic background, 100 units in all. With dyadic set every weight is
// a binary fraction of at most 3 bits, so that every partial sum of
// weights is exact in float32 and float64 and the engine's incremental
// field equals W s exactly; otherwise the weights are generic decimals.
func fieldTestNetwork(t *testing.T, wt WeightType, mode WeightMode, dyadic bool) *Network {
	t.Helper()
	return fieldTestNetworkWith(t, wt, mode, dyadic, nil)
}

// fieldTestNetworkWith is fieldTestNetwork with the neuron populations
// E0, E1 and I changed by edit before they are added.
func fieldTestNetworkWith(t *testing.T, wt WeightType, mode WeightMode, dyadic bool, edit func(e0, e1, in *BinaryNeuronPopulation)) *Network {
	t.Helper()
	j := map[string]float64{"EE": 0.3, "IE": -0.7, "EI": 0.45, "II": -0.65, "XE": 0.4, "XI": 0.35}
	if dyadic {
		j = map[string]float64{"EE": 0.25, "IE": -0.625, "EI": 0.375, "II": -0.5, "XE": 0.5, "XI": 0.125}
	}
	nw := NewNetwork("fields")
	e0 := &BinaryNeuronPopulation{Name: "E0", N: 30, Tau: 1, Threshold: 1, Initializer: BernoulliInit(0.3)}
	e1 := &BinaryNeuronPopulation{Name: "E1", N: 30, Tau: 1, Threshold: 1.1, Initializer: BernoulliInit(0.3)}
	in := &BinaryNeuronPopulation{Name: "I", N: 20, Tau: 0.5, Threshold: 0.5, Initializer: BernoulliInit(0.3)}
	x := &BackgroundActivity{Name: "X", N: 20, Tau: 1, Activity: 0.3, Stochastic: true}
	if edit != nil {
		edit(e0, e1, in)
	}
	for _, p := range []Population{e0, e1, in, x} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []struct {
		pre, post Population
		key       string
	}{{e0, e0, "EE"}, {e1, e0, "EE"}, {e0, e1, "EE"}, {e1, e1, "EE"}, {in, e0, "IE"}, {in, e1, "IE"},
		{e0, in, "EI"}, {e1, in, "EI"}, {in, in, "II"}, {x, e0, "XE"}, {x, e1, "XE"}, {x, in, "XI"}} {
		if err := nw.AddSynapse(NewPairwiseBernoulliSynapse(s.pre, s.post, 0.3, j[s.key])); err != nil {
			t.Fatal(err)
		}
	}
	if err := nw.Initialize(Options{Seed: 7, WeightType: wt, WeightMode: mode}); err != nil {
		t.Fatal(err)
	}
	return nw
}

// ulpOf is the spacing of float64 values at |x|.
func ulpOf(x float64) float64 {
	x = math.Abs(x)
	return math.Nextafter(x, math.Inf(1)) - x
}

// TestFieldLogMatchesReconstructedStates checks every sample of a split
// field log against W s(t) computed from the states that the diff log of
// the same run reconstructs, in both float types and weight modes.
func TestFieldLogMatchesReconstructedStates(t *testing.T) {
	units := []int32{0, 5, 29, 30, 59, 60, 75, 79, 80, 99, 42}
	groups := []string{"E", "E", "I", ""}
	for _, c := range []struct {
		name   string
		wt     WeightType
		mode   WeightMode
		dyadic bool
	}{
		{"float64 dense dyadic", Float64, WeightDense, true},
		{"float64 sparse dyadic", Float64, WeightSparse, true},
		{"float32 dense dyadic", Float32, WeightDense, true},
		{"float32 sparse dyadic", Float32, WeightSparse, true},
		{"float64 dense", Float64, WeightDense, false},
		{"float64 sparse", Float64, WeightSparse, false},
		{"float32 dense", Float32, WeightDense, false},
		{"float32 sparse", Float32, WeightSparse, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			nw := fieldTestNetwork(t, c.wt, c.mode, c.dyadic)
			const steps, every = 3000, 7
			initial, _ := nw.State(nil)
			if err := nw.EnableDiffLogging(steps); err != nil {
				t.Fatal(err)
			}
			if err := nw.EnableFieldLogging(FieldLogSpec{Units: units, Every: every, Groups: groups}, steps); err != nil {
				t.Fatal(err)
			}
			// Batches of 37 steps, not a multiple of the interval: Run
			// must cut them at the sample steps.
			if err := nw.Run(steps, 37); err != nil {
				t.Fatal(err)
			}
			d := nw.ConsumeDiffLog()
			fl := nw.ConsumeFieldLog()
			if want := []string{"E", "I", DrivePart}; strings.Join(fl.Parts, ",") != strings.Join(want, ",") {
				t.Fatalf("parts %v, want %v", fl.Parts, want)
			}
			if fl.Len() != (steps-1)/every+1 || len(fl.Fields) != fl.Len()*len(units) || len(fl.PartFields) != fl.Len()*3*len(units) {
				t.Fatalf("%d samples, %d fields, %d part fields; want %d samples", fl.Len(), len(fl.Fields), len(fl.PartFields), (steps-1)/every+1)
			}
			wm, err := nw.Weights()
			if err != nil {
				t.Fatal(err)
			}
			thresh, _ := nw.Thresholds(nil)
			ranges := nw.PopulationRanges()
			partOfPop := []int{0, 0, 1, 2}
			// The engine's rounding: float32 or float64 epsilon.
			eps := 0x1p-52
			if c.wt == Float32 {
				eps = 0x1p-23
			}
			seq, err := ReconstructStatesSeq(initial, d, every)
			if err != nil {
				t.Fatal(err)
			}
			flips := 0 // state changes up to the sample, for the drift bound
			last := 0
			samples := 0
			for step, s := range seq {
				flips += stateChanges(d.Deltas[last : step+1])
				last = step + 1
				k := step / every
				samples++
				// Row k is the state after update step (0-based): step+1
				// steps taken.
				if fl.Steps[k] != int64(step+1) {
					t.Fatalf("sample %d at step count %d, want %d", k, fl.Steps[k], step+1)
				}
				for i, u := range units {
					var parts [3]float64
					var total, abs, rowAbs float64
					for p, r := range ranges {
						for j := r.Start; j < r.End; j++ {
							rowAbs += math.Abs(wm.At(int(u), j))
							if s[j] != 0 {
								w := wm.At(int(u), j)
								parts[partOfPop[p]] += w
								total += w
								abs += math.Abs(w)
							}
						}
					}
					var sum float64
					for p := range parts {
						got := fl.Part(k, p)[i]
						sum += got
						// Same terms in the same order: equal, 2 ulp allowed.
						if math.Abs(got-parts[p]) > 2*ulpOf(parts[p]) {
							t.Fatalf("sample %d unit %d part %s = %v, want %v", k, u, fl.Parts[p], got, parts[p])
						}
					}
					h := fl.Field(k)[i]
					if fl.Thresholds[k*len(units)+i] != thresh[u] {
						t.Fatalf("sample %d unit %d threshold %v, want %v", k, u, fl.Thresholds[k*len(units)+i], thresh[u])
					}
					if c.dyadic {
						// Exact sums: field, W s(t) and the parts' sum agree
						// to 2 ulp (in fact exactly).
						if math.Abs(h-total) > 2*ulpOf(total) || math.Abs(sum-h) > 2*ulpOf(h) {
							t.Fatalf("sample %d unit %d: field %v, W s %v, parts sum %v", k, u, h, total, sum)
						}
						continue
					}
					// Generic weights: the parts' sum and W s(t) are sums
					// of the same at most N terms in another order, each
					// addition off by at most eps/2 of the running sum of
					// |terms| (eps = 2^-52); the engine's field adds one
					// column per state change (flips, plus the N of
					// Initialize), each addition rounded in its float type
					// by at most eps/2 of a running field bounded by the
					// sum of the row's |weights|.
					if tol := float64(nw.N()) * 0x1p-52 * abs; math.Abs(sum-total) > tol {
						t.Fatalf("sample %d unit %d: parts sum %v, W s %v (tolerance %g)", k, u, sum, total, tol)
					}
					if tol := float64(flips+nw.N()) * eps * rowAbs; math.Abs(h-total) > tol {
						t.Fatalf("sample %d unit %d: field %v, W s %v (tolerance %g)", k, u, h, total, tol)
					}
				}
			}
			if samples != fl.Len() {
				t.Fatalf("%d reconstructed samples, field log has %d", samples, fl.Len())
			}
			if flips < 100 {
				t.Fatalf("only %d state changes: the test network is too quiet", flips)
			}
		})
	}
}

// TestFieldLogParts checks the names of the parts and that unsplit logs
// carry none.
func TestFieldLogParts(t *testing.T) {
	for _, c := range []struct {
		name string
		spec FieldLogSpec
		want string
	}{
		{"no split", FieldLogSpec{Every: 1}, ""},
		{"by population", FieldLogSpec{Every: 1, Split: true}, "E0,E1,I,drive"},
		{"by type", FieldLogSpec{Every: 1, Groups: []string{"E", "E", "I", ""}}, "E,I,drive"},
		{"background renamed", FieldLogSpec{Every: 1, Groups: []string{"", "", "", "ext"}}, "E0,E1,I,ext,drive"},
		{"E as drive", FieldLogSpec{Every: 1, Groups: []string{"drive", "", "", ""}}, "E1,I,drive"},
	} {
		t.Run(c.name, func(t *testing.T) {
			nw := fieldTestNetwork(t, Float64, WeightSparse, true)
			if err := nw.EnableFieldLogging(c.spec, 10); err != nil {
				t.Fatal(err)
			}
			if err := nw.Run(10, 3); err != nil {
				t.Fatal(err)
			}
			fl := nw.ConsumeFieldLog()
			if got := strings.Join(fl.Parts, ","); got != c.want {
				t.Errorf("parts %q, want %q", got, c.want)
			}
			if fl.Len() != 10 || len(fl.Units) != nw.N() || len(fl.PartFields) != 10*len(fl.Parts)*nw.N() {
				t.Errorf("%d samples of %d units, %d part values", fl.Len(), len(fl.Units), len(fl.PartFields))
			}
			// Every part's sum is the field (dyadic weights: exact).
			for k := range fl.Len() {
				for i := range fl.Units {
					if fl.Parts == nil {
						break
					}
					var sum float64
					for p := range fl.Parts {
						sum += fl.Part(k, p)[i]
					}
					if sum != fl.Field(k)[i] {
						t.Fatalf("sample %d unit %d: parts sum %v, field %v", k, i, sum, fl.Field(k)[i])
					}
				}
			}
		})
	}
}

// TestFieldLogDoesNotChangeRun checks that a run with a field log, whose
// batches are cut at the samples, and ApplyUpdates with one, end in the
// same state and step count as without it.
func TestFieldLogDoesNotChangeRun(t *testing.T) {
	plain := fieldTestNetwork(t, Float32, WeightSparse, false)
	logged := fieldTestNetwork(t, Float32, WeightSparse, false)
	if err := logged.EnableFieldLogging(FieldLogSpec{Units: []int32{3, 70}, Every: 5, Split: true}, 2500); err != nil {
		t.Fatal(err)
	}
	for _, nw := range []*Network{plain, logged} {
		if err := nw.Run(2000, 64); err != nil {
			t.Fatal(err)
		}
		if err := nw.ApplyUpdates([]int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := plain.State(nil)
	b, _ := logged.State(nil)
	if !bytes.Equal(int8Bytes(a), int8Bytes(b)) || plain.Steps() != logged.Steps() {
		t.Fatalf("states or steps differ with a field log (%d, %d steps)", plain.Steps(), logged.Steps())
	}
	fl := logged.ConsumeFieldLog()
	if fl.Len() != 2011/5+1 || fl.Steps[0] != 1 || fl.Steps[fl.Len()-1] != 2011 {
		t.Fatalf("%d samples, first at %d, last at %d; want %d, 1, 2011", fl.Len(), fl.Steps[0], fl.Steps[fl.Len()-1], 2011/5+1)
	}
}

func int8Bytes(s []int8) []byte {
	b := make([]byte, len(s))
	for i, v := range s {
		b[i] = byte(v)
	}
	return b
}

// TestFieldLogErrors checks the errors of EnableFieldLogging, of a run
// past the log and of a checkpoint with a pending log.
func TestFieldLogErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		spec  FieldLogSpec
		steps int
		want  error
		param string
	}{
		{"every zero", FieldLogSpec{Every: 0}, 10, ErrInvalidParameter, "field log every"},
		{"every negative", FieldLogSpec{Every: -3}, 10, ErrInvalidParameter, "field log every"},
		{"negative steps", FieldLogSpec{Every: 1}, -1, ErrInvalidParameter, "field log steps"},
		{"unit negative", FieldLogSpec{Every: 1, Units: []int32{0, -1}}, 10, ErrInvalidParameter, "field log units[1]"},
		{"unit too large", FieldLogSpec{Every: 1, Units: []int32{100}}, 10, ErrInvalidParameter, "field log units[0]"},
		{"unit repeated", FieldLogSpec{Every: 1, Units: []int32{4, 5, 4}}, 10, ErrInvalidParameter, "field log units[2]"},
		{"groups", FieldLogSpec{Every: 1, Groups: []string{"E", "I"}}, 10, ErrInvalidParameter, "field log groups"},
		{"over budget", FieldLogSpec{Every: 1, Split: true}, 1 << 20, ErrMemoryBudget, "field log"},
	} {
		t.Run(c.name, func(t *testing.T) {
			nw := fieldTestNetwork(t, Float64, WeightSparse, false)
			nw.opts.RAMBudgetGB = 0.01 // 10 MiB: the network fits, 2^20 samples of 100 units do not
			err := nw.EnableFieldLogging(c.spec, c.steps)
			if !errors.Is(err, c.want) || !strings.Contains(err.Error(), c.param) {
				t.Fatalf("error %v, want %v naming %q", err, c.want, c.param)
			}
			if nw.fields.on() {
				t.Fatal("a failed EnableFieldLogging left a log")
			}
		})
	}
	t.Run("before Initialize", func(t *testing.T) {
		nw := NewNetwork("x")
		if err := nw.EnableFieldLogging(FieldLogSpec{Every: 1}, 1); !errors.Is(err, ErrCallOrder) {
			t.Fatalf("error %v, want ErrCallOrder", err)
		}
	})
	t.Run("overflow", func(t *testing.T) {
		nw := fieldTestNetwork(t, Float64, WeightSparse, false)
		if err := nw.EnableFieldLogging(FieldLogSpec{Every: 2}, 10); err != nil {
			t.Fatal(err)
		}
		if err := nw.Run(6, 4); err != nil {
			t.Fatal(err)
		}
		if err := nw.Run(5, 4); !errors.Is(err, ErrLogOverflow) || nw.Steps() != 6 {
			t.Fatalf("error %v after %d steps, want ErrLogOverflow after 6", err, nw.Steps())
		}
		if err := nw.Run(4, 4); err != nil {
			t.Fatal(err)
		}
		if fl := nw.ConsumeFieldLog(); fl.Len() != 5 || fl.Steps[4] != 9 {
			t.Fatalf("samples at %v, want 1, 3, 5, 7, 9", fl.Steps)
		}
	})
	t.Run("checkpoint", func(t *testing.T) {
		// A pending log is checkpointed (it used to be refused with
		// ErrCallOrder; TestFieldLogCheckpointResume checks the resume).
		nw := fieldTestNetwork(t, Float64, WeightSparse, false)
		if err := nw.EnableFieldLogging(FieldLogSpec{Every: 2}, 10); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := nw.WriteCheckpoint(&buf); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("zero steps turns off", func(t *testing.T) {
		nw := fieldTestNetwork(t, Float64, WeightSparse, false)
		if err := nw.EnableFieldLogging(FieldLogSpec{Every: 2}, 10); err != nil {
			t.Fatal(err)
		}
		if err := nw.EnableFieldLogging(FieldLogSpec{}, 0); err != nil {
			t.Fatal(err)
		}
		if err := nw.Run(100, 10); err != nil {
			t.Fatal(err)
		}
		if fl := nw.ConsumeFieldLog(); fl.Len() != 0 {
			t.Fatalf("%d samples after turning logging off", fl.Len())
		}
	})
}

// ulpIn is the spacing of values of the float type wt at |x|.
func ulpIn(wt WeightType, x float64) float64 {
	if wt == Float32 {
		a := float32(math.Abs(x))
		return float64(math.Nextafter32(a, float32(math.Inf(1))) - a)
	}
	return ulpOf(x)
}

// fieldColumn is one column of the weight matrix: the units a unit
// projects to and the weights, as stored.
type fieldColumn struct {
	post []int32
	w    []float64
}

// replayFields returns, after every step of d, the field W s that an
// incremental update computes in the float type T: the columns of the
// units active in initial added in increasing order of unit (as
// Initialize does), then, at every state change of the diff log, the
// column of the unit that changed, added or subtracted. at is called with
// the step index and the field after that step.
func replayFields[T float32 | float64](cols []fieldColumn, initial []int8, d DiffLog, at func(step int, field []T)) {
	field := make([]T, len(initial))
	add := func(j int, delta T) {
		c := cols[j]
		for x, i := range c.post {
			field[i] += delta * T(c.w[x])
		}
	}
	for j, s := range initial {
		if s != 0 {
			add(j, 1)
		}
	}
	for step, u := range d.Updates {
		if delta := d.Deltas[step]; delta != 0 {
			add(int(u), T(delta))
		}
		at(step, field)
	}
}

// TestFieldLogEqualsIncrementalWs checks, for generic weights whose sums
// round, that every sampled field equals W s(t) of the diff log's
// trajectory within 2 ulp of the engine's float type, W s(t) being
// accumulated as the engine does: in its float type, from the columns of
// the initially active units in increasing order, then one column per
// state change. (TestFieldLogMatchesReconstructedStates bounds the
// difference to W s(t) summed afresh in float64, which is larger than
// 2 ulp for such weights.)
func TestFieldLogEqualsIncrementalWs(t *testing.T) {
	for _, c := range []struct {
		name string
		wt   WeightType
		mode WeightMode
	}{
		{"float64 dense", Float64, WeightDense},
		{"float64 sparse", Float64, WeightSparse},
		{"float32 dense", Float32, WeightDense},
		{"float32 sparse", Float32, WeightSparse},
	} {
		t.Run(c.name, func(t *testing.T) {
			nw := fieldTestNetwork(t, c.wt, c.mode, false)
			const steps, every = 3000, 7
			initial, _ := nw.State(nil)
			cols := make([]fieldColumn, nw.N())
			if err := nw.VisitWeightColumns(func(pre int, post []int32, w []float64) error {
				cols[pre] = fieldColumn{append([]int32(nil), post...), append([]float64(nil), w...)}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if err := nw.EnableDiffLogging(steps); err != nil {
				t.Fatal(err)
			}
			if err := nw.EnableFieldLogging(FieldLogSpec{Every: every}, steps); err != nil {
				t.Fatal(err)
			}
			if err := nw.Run(steps, 64); err != nil {
				t.Fatal(err)
			}
			d := nw.ConsumeDiffLog()
			fl := nw.ConsumeFieldLog()
			n := nw.N()
			checked, rounded := 0, 0
			check := func(step int, h float64, i int) {
				k := step / every
				got := fl.Fields[k*n+i]
				if math.Abs(got-h) > 2*ulpIn(c.wt, h) {
					t.Fatalf("sample %d (step %d) unit %d: field %v, incremental W s %v", k, step, i, got, h)
				}
				checked++
			}
			if c.wt == Float32 {
				replayFields(cols, initial, d, func(step int, field []float32) {
					if step%every == 0 {
						for i, h := range field {
							check(step, float64(h), i)
						}
					}
				})
			} else {
				replayFields(cols, initial, d, func(step int, field []float64) {
					if step%every == 0 {
						for i, h := range field {
							check(step, h, i)
						}
					}
				})
			}
			if checked != fl.Len()*n {
				t.Fatalf("checked %d fields, the log has %d", checked, fl.Len()*n)
			}
			// The weights must be generic: summed afresh in float64 the
			// last sample's fields differ from the incremental ones.
			s, err := ReconstructStatesSeq(initial, d, steps-1)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range s {
				for i := range n {
					var h float64
					for j := range n {
						if st[j] != 0 {
							for x, p := range cols[j].post {
								if int(p) == i {
									h += cols[j].w[x]
								}
							}
						}
					}
					if h != fl.Field(fl.Len() - 1)[i] {
						rounded++
					}
				}
			}
			if rounded == 0 {
				t.Fatal("no field rounds differently: the weights do not test rounding")
			}
		})
	}
}

// TestFieldLogAdaptiveThresholds checks the thresholds of a field log
// with adaptive populations, one with the threshold rule and one with a
// gain, against the adaptive thresholds rebuilt from the diff log with
// the rule of Adaptation, decayed to each sample's step count; the
// thresholds of the other units are the population thresholds. Two
// stimuli, on adaptive and on plain units, lower them while they act.
func TestFieldLogAdaptiveThresholds(t *testing.T) {
	adapt := Adaptation{Step: 0.3, Tau: 40}
	nw := fieldTestNetworkWith(t, Float64, WeightSparse, false, func(e0, e1, in *BinaryNeuronPopulation) {
		e0.Adaptation = adapt
		e1.Adaptation = adapt
		e1.Gain = ErfcGain{Sigma: 0.2}
	})
	const steps, every = 4000, 9
	stimuli := []Stimulus{{Units: Range{10, 40}, On: 1000, Off: 2500, Delta: 0.4}, {Units: Range{65, 75}, On: 500, Off: 3001, Delta: -0.3}}
	if err := nw.AddStimulus(stimuli...); err != nil {
		t.Fatal(err)
	}
	// input returns the stimulus input of unit u at the update after
	// step count c.
	input := func(u int, c int64) float64 {
		var x float64
		for _, s := range stimuli {
			if u >= s.Units.Start && u < s.Units.End && c >= s.On && c < s.Off {
				x += s.Delta
			}
		}
		return x
	}
	initial, _ := nw.State(nil)
	base, _ := nw.Thresholds(nil)
	if err := nw.EnableDiffLogging(steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableFieldLogging(FieldLogSpec{Every: every}, steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(steps, 50); err != nil {
		t.Fatal(err)
	}
	d := nw.ConsumeDiffLog()
	fl := nw.ConsumeFieldLog()
	n := nw.N()
	adaptive := func(u int) bool { return u < 60 } // E0 and E1
	a := slices.Clone(base)
	last := make([]int64, n)
	current := func(u int, t int64) float64 {
		if a[u] == base[u] {
			return a[u]
		}
		return base[u] + (a[u]-base[u])*math.Exp(-float64(t-last[u])/adapt.Tau)
	}
	state := slices.Clone(initial)
	raised, stimulated := 0, 0
	for step, u := range d.Updates {
		state[u] += d.Deltas[step]
		if adaptive(int(u)) {
			a[u] = current(int(u), int64(step))
			if state[u] == 1 {
				a[u] += adapt.Step
			}
			last[u] = int64(step)
		}
		if step%every != 0 {
			continue
		}
		k := step / every
		for i := range n {
			want := base[i]
			if adaptive(i) {
				want = current(i, int64(step+1))
			}
			if x := input(i, int64(step+1)); x != 0 {
				want -= x
				stimulated++
			}
			got := fl.Thresholds[k*n+i]
			if math.Abs(got-want) > 2*ulpOf(want) {
				t.Fatalf("sample %d unit %d: threshold %v, want %v", k, i, got, want)
			}
			if got > base[i] && input(i, int64(step+1)) == 0 {
				raised++
			}
		}
	}
	if stimulated == 0 {
		t.Fatal("no stimulated threshold sampled")
	}
	if raised < fl.Len() {
		t.Fatalf("only %d raised thresholds in %d samples: adaptation does not act", raised, fl.Len())
	}
}
