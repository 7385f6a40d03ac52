package binarynet

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// TestFieldLogCheckpointResume is the regression test for checkpoints of
// a network with a pending field log, which WriteCheckpoint used to
// refuse (ErrCallOrder). For dense and sparse weights, logs with and
// without split (and with groups), adaptive populations and a stimulus,
// it checkpoints at several points of the log (before its first sample,
// on a sample step, between samples, after its last sample), restores,
// continues, and checks that ConsumeFieldLog and the diff log equal those
// of the uninterrupted run bit for bit and that re-encoding the restored
// network gives the same bytes.
func TestFieldLogCheckpointResume(t *testing.T) {
	t.Parallel()
	const warm, steps = 500, 3000
	for _, c := range []struct {
		name   string
		wt     WeightType
		mode   WeightMode
		spec   FieldLogSpec
		adapt  bool
		cuts   []int // steps of the log run before the checkpoint
		stimul bool
	}{
		{"dense unsplit", Float32, WeightDense, FieldLogSpec{Every: 7}, false, []int{0, 1, 700, 1001}, false},
		{"dense split", Float64, WeightDense, FieldLogSpec{Units: []int32{99, 3, 40, 61}, Every: 10, Split: true}, true, []int{1, 555, 2991}, true},
		{"sparse unsplit", Float64, WeightSparse, FieldLogSpec{Units: []int32{5, 0, 77}, Every: 1}, true, []int{0, 2, 1234, steps}, false},
		{"sparse split", Float32, WeightSparse, FieldLogSpec{Every: 13, Split: true}, false, []int{14, 1300}, true},
		{"sparse groups", Float32, WeightSparse, FieldLogSpec{Units: UnitsOf(Range{20, 70}), Every: 4, Groups: []string{"E", "E", "", "ext"}}, false, []int{3, 2000}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			build := func() *Network {
				nw := fieldTestNetworkWith(t, c.wt, c.mode, false, func(e0, e1, in *BinaryNeuronPopulation) {
					if c.adapt {
						e0.Adaptation = Adaptation{Step: 0.3, Tau: 40}
						in.Adaptation = Adaptation{Step: 0.2, Tau: 25}
					}
				})
				if c.stimul {
					if err := nw.AddStimulus(Stimulus{Units: Range{10, 50}, On: warm + 800, Off: warm + 2200, Delta: 0.4}); err != nil {
						t.Fatal(err)
					}
				}
				if err := nw.Run(warm, 64); err != nil {
					t.Fatal(err)
				}
				if err := nw.EnableDiffLogging(steps); err != nil {
					t.Fatal(err)
				}
				if err := nw.EnableFieldLogging(c.spec, steps); err != nil {
					t.Fatal(err)
				}
				return nw
			}
			ref := build()
			if err := ref.Run(steps, 7); err != nil {
				t.Fatal(err)
			}
			wantDiff, want := ref.ConsumeDiffLog(), ref.ConsumeFieldLog()
			if want.Len() != (steps-1)/c.spec.Every+1 {
				t.Fatalf("uninterrupted log has %d samples", want.Len())
			}
			for _, cut := range c.cuts {
				part := build()
				if err := part.Run(cut, 333); err != nil {
					t.Fatal(err)
				}
				got := restoreCheckpoint(t, part, nil, fmt.Sprintf("cut %d", cut))
				if err := got.Run(steps-cut, 97); err != nil {
					t.Fatalf("cut %d: %v", cut, err)
				}
				if err := got.Run(1, 1); !errors.Is(err, ErrLogOverflow) {
					t.Errorf("cut %d: a step past the restored log: %v, want ErrLogOverflow", cut, err)
				}
				d, fl := got.ConsumeDiffLog(), got.ConsumeFieldLog()
				if !slices.Equal(d.Updates, wantDiff.Updates) || !slices.Equal(d.Deltas, wantDiff.Deltas) {
					t.Errorf("cut %d: the resumed trajectory differs from the uninterrupted one", cut)
				}
				if !reflect.DeepEqual(fl, want) {
					t.Errorf("cut %d: the resumed field log differs from the uninterrupted one (%d samples, want %d)", cut, fl.Len(), want.Len())
				}
			}
		})
	}
}

// TestFieldLogCheckpointWithoutLog checks that a network whose field log
// has been consumed (or turned off) writes the checkpoint of a network
// that never had one, byte for byte: no record, no records section.
func TestFieldLogCheckpointWithoutLog(t *testing.T) {
	t.Parallel()
	checkpoint := func(log func(nw *Network)) []byte {
		nw := fieldTestNetwork(t, Float32, WeightSparse, false)
		log(nw)
		if err := nw.Run(100, 9); err != nil {
			t.Fatal(err)
		}
		if nw.fields.on() {
			nw.ConsumeFieldLog()
		}
		return checkpointOf(t, nw)
	}
	plain := checkpoint(func(*Network) {})
	if h, _ := splitCheckpoint(t, plain); h.recordsLen != 0 {
		t.Fatalf("records section of %d bytes without a field log", h.recordsLen)
	}
	consumed := checkpoint(func(nw *Network) {
		if err := nw.EnableFieldLogging(FieldLogSpec{Every: 3, Split: true}, 200); err != nil {
			t.Fatal(err)
		}
	})
	off := checkpoint(func(nw *Network) {
		if err := nw.EnableFieldLogging(FieldLogSpec{Every: 3}, 200); err != nil {
			t.Fatal(err)
		}
		if err := nw.EnableFieldLogging(FieldLogSpec{}, 0); err != nil {
			t.Fatal(err)
		}
	})
	if !bytes.Equal(consumed, plain) || !bytes.Equal(off, plain) {
		t.Error("a network without a pending field log writes other bytes than one that never had one")
	}
}

// TestFieldLogCheckpointWriteErrors checks that a part name too long for
// a checkpoint is refused with ErrCheckpoint naming FieldLogSpec.Groups,
// before anything is written.
func TestFieldLogCheckpointWriteErrors(t *testing.T) {
	t.Parallel()
	nw := fieldTestNetwork(t, Float32, WeightDense, false)
	long := strings.Repeat("x", maxCheckpointName+1)
	if err := nw.EnableFieldLogging(FieldLogSpec{Every: 3, Groups: []string{"", long, "", ""}}, 50); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := nw.WriteCheckpoint(&buf); !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), "Groups") || buf.Len() != 0 {
		t.Fatalf("error %v with %d bytes written, want ErrCheckpoint naming Groups and nothing written", err, buf.Len())
	}
}

// fieldRecord is a field-log record's contents, for crafting corrupt
// ones; encode lays it out as encodeFieldLog does.
type fieldRecord struct {
	origin, limit, every uint64
	parts                []string
	partOf               []uint32
	m                    uint64
	units                []int32
	count                uint64
	steps                []int64
	values               []float64 // fields, thresholds and parts
}

func (r fieldRecord) encode() []byte {
	var e ckptEnc
	e.u64(r.origin)
	e.u64(r.limit)
	e.u64(r.every)
	e.u32(uint32(len(r.parts)))
	for _, p := range r.parts {
		e.str(p)
	}
	for _, p := range r.partOf {
		e.u32(p)
	}
	e.u64(r.m)
	e.b = appendElems(e.b, r.units)
	e.u64(r.count)
	e.b = appendElems(e.b, r.steps)
	e.b = appendElems(e.b, r.values)
	return e.b
}

// TestFieldLogRecordCorrupt crafts field-log records that pass the
// checksums and checks that each is rejected with an error wrapping
// ErrCheckpoint, without a network, a panic or a large allocation.
func TestFieldLogRecordCorrupt(t *testing.T) {
	t.Parallel()
	nw := fieldTestNetwork(t, Float64, WeightSparse, false)
	if err := nw.Run(20, 5); err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableFieldLogging(FieldLogSpec{Units: []int32{4, 90, 31}, Every: 3, Split: true}, 30); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(8, 5); err != nil { // samples at steps 21, 24, 27
		t.Fatal(err)
	}
	data := checkpointOf(t, nw)
	h0, body := splitCheckpoint(t, data)
	body = body[:len(body)-4]
	arrays := body[:len(body)-int(h0.recordsLen)]
	l := nw.fields.log
	good := fieldRecord{
		origin: 20, limit: 30, every: 3,
		parts: l.Parts, partOf: []uint32{0, 1, 2, 3},
		m: 3, units: l.Units,
		count: 3, steps: l.Steps,
		values: slices.Concat(l.Fields, l.Thresholds, l.PartFields),
	}
	enc, err := nw.encodeFieldLog()
	if err != nil || !bytes.Equal(good.encode(), enc) || !slices.Equal(l.Parts, []string{"E0", "E1", "I", DrivePart}) {
		t.Fatalf("the test's record is not the encoder's (parts %q, %v)", l.Parts, err)
	}
	edit := func(f func(r *fieldRecord)) []byte {
		r := good
		r.parts, r.partOf = slices.Clone(r.parts), slices.Clone(r.partOf)
		r.units, r.steps, r.values = slices.Clone(r.units), slices.Clone(r.steps), slices.Clone(r.values)
		f(&r)
		return r.encode()
	}
	whole := good.encode()
	defLen := len(whole) - 3*4 - 8 - 3*8 - len(good.values)*8 // up to the unit count
	tests := []struct {
		name    string
		payload []byte
		substr  string
	}{
		{"empty", nil, "field-log record"},
		{"truncated in the definition", whole[:20], "field-log record"},
		{"truncated in the part names", whole[:30], "field-log record"},
		{"truncated in the units", whole[:defLen+7], "units"},
		{"truncated in the samples", whole[:len(whole)-1], "samples"},
		{"trailing byte", append(slices.Clone(whole), 0), "samples"},
		{"origin after the step count", edit(func(r *fieldRecord) { r.origin = 29 }), "step count 28"},
		{"room exceeded", edit(func(r *fieldRecord) { r.limit = 7 }), "room for 7"},
		{"no room", edit(func(r *fieldRecord) { r.limit = 0 }), "room for 0"},
		{"huge room", edit(func(r *fieldRecord) { r.limit = 1 << 30 }), "field log of"}, // fits an int on 32-bit platforms too
		{"huge room beyond int", edit(func(r *fieldRecord) { r.limit = 1 << 63 }), "room for"},
		{"interval zero", edit(func(r *fieldRecord) { r.every = 0 }), "interval 0"},
		{"interval beyond int", edit(func(r *fieldRecord) { r.every = 1<<63 + 5 }), "interval"},
		{"wrong interval", edit(func(r *fieldRecord) { r.every = 2 }), "due"},
		{"too many parts", edit(func(r *fieldRecord) { r.parts = make([]string, 6) }), "6 parts"},
		{"part out of range", edit(func(r *fieldRecord) { r.partOf[2] = 4 }), "part 4 of 4"},
		{"parts out of order", edit(func(r *fieldRecord) { r.partOf[0], r.partOf[1] = 1, 0 }), "do not match"},
		{"drive not last", edit(func(r *fieldRecord) {
			r.parts = []string{DrivePart, "E0", "E1", "I"}
			r.partOf = []uint32{1, 2, 3, 0}
		}), "do not match"},
		{"part name too long", edit(func(r *fieldRecord) { r.parts[1] = strings.Repeat("y", maxCheckpointName+1) }), "exceeds"},
		{"part name beyond bytes", append(slices.Clone(whole[:28]), 0xff, 0xff, 0, 0), "field-log record"},
		{"units beyond the network", edit(func(r *fieldRecord) { r.m = 101 }), "claims 101 units"},
		{"units beyond bytes", edit(func(r *fieldRecord) { r.m = 60 })[:defLen+12], "claims 60 units"},
		{"huge unit count", edit(func(r *fieldRecord) { r.m = 1 << 62 }), "units"},
		{"unit out of range", edit(func(r *fieldRecord) { r.units[1] = 100 }), "units[1] = 100"},
		{"negative unit", edit(func(r *fieldRecord) { r.units[2] = -1 }), "units[2] = -1"},
		{"repeated unit", edit(func(r *fieldRecord) { r.units[2] = 4 }), "repeated"},
		{"fewer units than values", edit(func(r *fieldRecord) { r.m, r.units = 2, r.units[:2] }), "bytes for 3 samples of 2 units"},
		{"sample count beyond bytes", edit(func(r *fieldRecord) { r.count = 1 << 60 }), "samples"},
		{"fewer samples than due", edit(func(r *fieldRecord) {
			r.count, r.steps, r.values = 2, r.steps[:2], r.values[:2*3*(2+4)]
		}), "3 are due"},
		{"more samples than due", edit(func(r *fieldRecord) {
			r.count, r.steps, r.values = 4, append(r.steps, 30), append(r.values, make([]float64, 3*(2+4))...)
		}), "3 are due"},
		{"sample at a wrong step", edit(func(r *fieldRecord) { r.steps[1] = 25 }), "sample 1 is at step 25"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			section := encodeRecords([]ckptRecord{{recordFields, tc.payload}})
			h, _ := splitCheckpoint(t, data)
			h.recordsLen = int64(len(section))
			h.bodyLen = int64(h.computeBodyLen())
			crafted := joinCheckpoint(h, append(append(slices.Clone(arrays), section...), 0, 0, 0, 0))
			got, err := ReadCheckpoint(bytes.NewReader(crafted), &RestoreOptions{RAMBudgetGB: 0.01})
			wantCheckpointError(t, tc.name, got, err, tc.substr)
		})
	}
	// The good record reads back, also through a crafted checkpoint.
	section := encodeRecords([]ckptRecord{{recordFields, whole}})
	h, _ := splitCheckpoint(t, data)
	h.recordsLen = int64(len(section))
	h.bodyLen = int64(h.computeBodyLen())
	if _, err := ReadCheckpoint(bytes.NewReader(joinCheckpoint(h, append(append(slices.Clone(arrays), section...), 0, 0, 0, 0))), nil); err != nil {
		t.Fatalf("the good record: %v", err)
	}
}

// TestFieldLogCheckpointRestoreBudget checks that a pending field log
// larger than RestoreOptions.RAMBudgetGB is refused with ErrMemoryBudget
// (wrapped in ErrCheckpoint) naming the log, while the same network fits
// without it.
func TestFieldLogCheckpointRestoreBudget(t *testing.T) {
	t.Parallel()
	nw := fieldTestNetwork(t, Float32, WeightSparse, false)
	// 4096 samples of 100 units with 4 parts: 4096 * (8 + 8*100*6) bytes,
	// about 19 MiB, against a restore budget of 10 MiB.
	if err := nw.EnableFieldLogging(FieldLogSpec{Every: 64, Split: true}, 1<<18); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(40, 8); err != nil {
		t.Fatal(err)
	}
	data := checkpointOf(t, nw)
	got, err := ReadCheckpoint(bytes.NewReader(data), &RestoreOptions{RAMBudgetGB: 1.0 / 100})
	wantCheckpointError(t, "small budget", got, err, "field log of 4096 samples of 100 units")
	if !errors.Is(err, ErrMemoryBudget) {
		t.Errorf("error %v does not wrap ErrMemoryBudget", err)
	}
	if _, err := ReadCheckpoint(bytes.NewReader(data), &RestoreOptions{RAMBudgetGB: 1.0 / 32}); err != nil {
		t.Fatal(err)
	}
}

// fieldCheckpointBytes returns a small checkpoint with a pending split
// field log beside a stimulus record: a seed of FuzzCheckpointDecode.
func fieldCheckpointBytes(t testing.TB, mode WeightMode) []byte {
	t.Helper()
	nw, _, _ := dyadicNetwork(t, 12, mode, Float32)
	if err := nw.AddStimulus(Stimulus{Units: Range{0, 6}, On: 2, Off: 20, Delta: 0.5}); err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableFieldLogging(FieldLogSpec{Units: []int32{1, 7, 11}, Every: 2, Split: true}, 12); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(5, 2); err != nil {
		t.Fatal(err)
	}
	return checkpointOf(t, nw)
}

// TestFieldCheckpointBytesHoldLog checks that the fuzz seed holds the
// field-log record it is meant to.
func TestFieldCheckpointBytesHoldLog(t *testing.T) {
	t.Parallel()
	for _, mode := range []WeightMode{WeightDense, WeightSparse} {
		nw, err := ReadCheckpoint(bytes.NewReader(fieldCheckpointBytes(t, mode)), nil)
		if err != nil {
			t.Fatal(err)
		}
		if fl := nw.ConsumeFieldLog(); fl.Len() != 3 || len(fl.PartFields) != 3*3*len(fl.Parts) || math.IsNaN(fl.Fields[0]) {
			t.Errorf("%s: restored log has %d samples, %d part values", mode, fl.Len(), len(fl.PartFields))
		}
	}
}
