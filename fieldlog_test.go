package binarynet

import (
	"bytes"
	"errors"
	"math"
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
	j := map[string]float64{"EE": 0.3, "IE": -0.7, "EI": 0.45, "II": -0.65, "XE": 0.4, "XI": 0.35}
	if dyadic {
		j = map[string]float64{"EE": 0.25, "IE": -0.625, "EI": 0.375, "II": -0.5, "XE": 0.5, "XI": 0.125}
	}
	nw := NewNetwork("fields")
	e0 := &BinaryNeuronPopulation{Name: "E0", N: 30, Tau: 1, Threshold: 1, Initializer: BernoulliInit(0.3)}
	e1 := &BinaryNeuronPopulation{Name: "E1", N: 30, Tau: 1, Threshold: 1.1, Initializer: BernoulliInit(0.3)}
	in := &BinaryNeuronPopulation{Name: "I", N: 20, Tau: 0.5, Threshold: 0.5, Initializer: BernoulliInit(0.3)}
	x := &BackgroundActivity{Name: "X", N: 20, Tau: 1, Activity: 0.3, Stochastic: true}
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
				for _, delta := range d.Deltas[last : step+1] {
					if delta != 0 {
						flips++
					}
				}
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
		nw := fieldTestNetwork(t, Float64, WeightSparse, false)
		if err := nw.EnableFieldLogging(FieldLogSpec{Every: 2}, 10); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := nw.WriteCheckpoint(&buf); !errors.Is(err, ErrCallOrder) || !strings.Contains(err.Error(), "ConsumeFieldLog") || buf.Len() != 0 {
			t.Fatalf("error %v with %d bytes written, want ErrCallOrder naming ConsumeFieldLog and nothing written", err, buf.Len())
		}
		nw.ConsumeFieldLog()
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
