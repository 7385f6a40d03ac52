package binarynet

import (
	"bytes"
	"math"
	"slices"
	"testing"
)

// TestContinuousTimeCheckpointResume checks that a checkpoint of a
// network in continuous time, taken with and without a pending diff log
// and with a stimulus record beside the time record, restores the clock,
// the time stream and the logged times, re-encodes to the same bytes, and
// continues bit for bit: the same updates, deltas and times as the
// uninterrupted run.
func TestContinuousTimeCheckpointResume(t *testing.T) {
	t.Parallel()
	const a, b = 3001, 4999
	for _, c := range []struct {
		name     string
		mode     WeightMode
		logged   bool // diff log pending at the checkpoint
		stimulus bool
	}{
		{"dense logged", WeightDense, true, false},
		{"sparse logged with stimulus", WeightSparse, true, true},
		{"sparse unlogged", WeightSparse, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{WeightMode: c.mode, Seed: 42, ContinuousTime: true}
			build := func() *Network {
				nw := ckptNetwork(t, opts, false)
				if c.stimulus {
					if err := nw.AddStimulus(Stimulus{Units: Range{0, 60}, On: 2000, Off: 6000, Delta: 0.2}); err != nil {
						t.Fatal(err)
					}
				}
				if c.logged {
					if err := nw.EnableDiffLogging(a + b); err != nil {
						t.Fatal(err)
					}
				}
				return nw
			}
			ref := build()
			if !c.logged {
				if err := ref.Run(a, 7); err != nil {
					t.Fatal(err)
				}
				if err := ref.EnableDiffLogging(b); err != nil {
					t.Fatal(err)
				}
				if err := ref.Run(b, 7); err != nil {
					t.Fatal(err)
				}
			} else if err := ref.Run(a+b, 7); err != nil {
				t.Fatal(err)
			}
			want := ref.ConsumeDiffLog()

			part := build()
			if err := part.Run(a, 333); err != nil {
				t.Fatal(err)
			}
			got := restoreCheckpoint(t, part, nil, "")
			if !got.Options().ContinuousTime || got.Time() != part.Time() {
				t.Fatalf("restored: ContinuousTime %v, time %v; want true, %v", got.Options().ContinuousTime, got.Time(), part.Time())
			}
			if !c.logged {
				if err := got.EnableDiffLogging(b); err != nil {
					t.Fatal(err)
				}
			}
			if err := got.Run(b, 97); err != nil {
				t.Fatal(err)
			}
			log := got.ConsumeDiffLog()
			if !slices.Equal(log.Updates, want.Updates) || !slices.Equal(log.Deltas, want.Deltas) {
				t.Error("the resumed trajectory differs from the uninterrupted one")
			}
			if !slices.Equal(log.Times, want.Times) || got.Time() != ref.Time() {
				t.Errorf("the resumed times differ from the uninterrupted ones (%d vs %d; end %v vs %v)", len(log.Times), len(want.Times), got.Time(), ref.Time())
			}
		})
	}
}

// TestContinuousTimeCheckpointOff checks that a network without
// continuous time writes no time record, so that its checkpoint has no
// records section.
func TestContinuousTimeCheckpointOff(t *testing.T) {
	t.Parallel()
	nw := ckptNetwork(t, Options{Seed: 1}, false)
	if recs, err := nw.checkpointRecords(); err != nil || len(recs) != 0 {
		t.Errorf("%d records without continuous time", len(recs))
	}
}

// TestContinuousTimeRecordCorrupt crafts time records that pass the
// checksums and checks that each is rejected with an error wrapping
// ErrCheckpoint.
func TestContinuousTimeRecordCorrupt(t *testing.T) {
	t.Parallel()
	nw := ckptNetwork(t, Options{WeightMode: WeightSparse, Seed: 2, ContinuousTime: true}, false)
	if err := nw.EnableDiffLogging(100); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(3, 3); err != nil {
		t.Fatal(err)
	}
	data := checkpointOf(t, nw)
	h0, body := splitCheckpoint(t, data)
	body = body[:len(body)-4]
	arrays := body[:len(body)-int(h0.recordsLen)]
	src, _ := nw.clock.src.MarshalBinary()
	times := nw.diff.times[:3]
	payload := func(now float64, src []byte, count uint64, times ...float64) []byte {
		var e ckptEnc
		e.f64(now)
		e.str(string(src))
		e.u64(count)
		for _, x := range times {
			e.f64(x)
		}
		return e.b
	}
	now := nw.clock.now
	if !bytes.Equal(payload(now, src, 3, times...), nw.encodeClock()) {
		t.Fatal("the test's payload is not the encoder's")
	}
	for _, tc := range []struct {
		name    string
		payload []byte
		substr  string
	}{
		{"fewer times than steps", payload(now, src, 2, times[:2]...), "pending diff log has 3"},
		{"count beyond bytes", payload(now, src, 1<<60, times...), "times"},
		{"NaN time", payload(math.NaN(), src, 3, times...), "continuous time"},
		{"negative time", payload(-1, src, 3, times...), "continuous time"},
		{"decreasing times", payload(now, src, 3, times[1], times[0], times[2]), "times[1]"},
		{"time after now", payload(times[1], src, 3, times...), "after the current time"},
		{"bad generator state", payload(now, src[:5], 3, times...), "time generator"},
		{"truncated", payload(now, src, 3, times...)[:9], "record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			section := encodeRecords([]ckptRecord{{recordTime, tc.payload}})
			h, _ := splitCheckpoint(t, data)
			h.recordsLen = int64(len(section))
			h.bodyLen = int64(h.computeBodyLen())
			crafted := joinCheckpoint(h, append(append(slices.Clone(arrays), section...), 0, 0, 0, 0))
			got, err := ReadCheckpoint(bytes.NewReader(crafted), nil)
			wantCheckpointError(t, tc.name, got, err, tc.substr)
		})
	}
}

// timeCheckpointBytes returns a small checkpoint with both records, the
// stimuli and continuous time, and a pending diff log with times: a seed
// of FuzzCheckpointDecode.
func timeCheckpointBytes(t testing.TB, mode WeightMode) []byte {
	t.Helper()
	_, w, thresh := dyadicNetwork(t, 12, mode, Float32)
	pops := []Population{
		&BinaryNeuronPopulation{Name: "E0", N: 6, Tau: 1},
		&BinaryNeuronPopulation{Name: "E1", N: 6, Tau: 2},
	}
	nw, err := NewNetworkFromWeights("timed", w, pops, thresh, nil, Options{WeightMode: mode, Seed: 3, ContinuousTime: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := nw.AddStimulus(Stimulus{Units: Range{0, 6}, On: 2, Off: 20, Delta: 0.5}); err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableDiffLogging(10); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(5, 2); err != nil {
		t.Fatal(err)
	}
	return checkpointOf(t, nw)
}
