package binarynet

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/james-bowman/sparse"
)

// ckptActivity is the ActivityFunc of the checkpoint tests' time-dependent
// background population; the child process supplies it again on restore.
func ckptActivity(step int64) float64 {
	return 0.3 + 0.2*math.Sin(float64(step)/37)
}

// ckptCase is a network for the resume tests: build returns it
// initialized, without logs.
type ckptCase struct {
	name    string
	build   func(t testing.TB) *Network
	funcs   map[string]func(int64) float64 // ActivityFuncs to restore with
	stepLog bool
}

// ckptNetwork builds a small E/I network with deterministic, stochastic
// and time-dependent stochastic background populations, different taus
// and non-dyadic weights, so that float32 rounding matters.
func ckptNetwork(t testing.TB, opts Options, withFunc bool) *Network {
	t.Helper()
	nw := NewNetwork("ckpt")
	e := &BinaryNeuronPopulation{Name: "E", N: 120, Tau: 10, Threshold: 0.1}
	i := &BinaryNeuronPopulation{Name: "I", N: 40, Tau: 5, Threshold: 0.05, Initializer: BernoulliInit(0.5)}
	bg := &BackgroundActivity{Name: "bg", N: 15, Tau: 7, Activity: 0.4}
	bgr := &BackgroundActivity{Name: "bgr", N: 25, Tau: 3, Activity: 0.3, Stochastic: true}
	pops := []Population{e, i, bg, bgr}
	var bgf *BackgroundActivity
	if withFunc {
		bgf = &BackgroundActivity{Name: "bgf", N: 10, Tau: 2, ActivityFunc: ckptActivity, Stochastic: true}
		pops = append(pops, bgf)
	}
	for _, p := range pops {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	syns := []Synapse{
		NewPairwiseBernoulliSynapse(e, e, 0.2, 0.1),
		NewFixedIndegreeSynapse(i, e, 0.25, -0.3),
		NewPoissonSynapse(e, i, 0.15, 0.07),
		NewPairwiseBernoulliSynapse(i, i, 1.3, -0.11),
		NewAllToAllSynapse(bg, e, 0.013),
		NewPairwiseBernoulliSynapse(bgr, e, 0.5, 0.09),
		NewPairwiseBernoulliSynapse(bgr, i, 0.5, 0.1),
	}
	if withFunc {
		syns = append(syns, NewAllToAllSynapse(bgf, e, 0.03), NewAllToAllSynapse(bgf, i, 0.05))
	}
	for _, s := range syns {
		if err := nw.AddSynapse(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := nw.Initialize(opts); err != nil {
		t.Fatal(err)
	}
	return nw
}

// ckptWeightsNetwork builds a network from explicit sparse weights.
func ckptWeightsNetwork(t testing.TB, typ WeightType) *Network {
	t.Helper()
	const n = 70
	w := sparse.NewDOK(n, n)
	init := make([]int8, n)
	thresh := make([]float64, n)
	for post := range n {
		thresh[post] = 0.1 * float64(post%3)
		init[post] = int8(post % 2)
		for k := range 12 {
			pre := (post*7 + k*11) % n
			j := 0.13
			if pre%4 == 0 {
				j = -0.37
			}
			w.Set(post, pre, j)
		}
	}
	nw, err := NewNetworkFromWeights("explicit", w, nil, thresh, init, Options{WeightType: typ, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	return nw
}

func ckptCases() []ckptCase {
	gen := func(mode WeightMode, typ WeightType, withFunc bool) func(testing.TB) *Network {
		return func(t testing.TB) *Network {
			return ckptNetwork(t, Options{WeightMode: mode, WeightType: typ, Seed: 42, Workers: 2}, withFunc)
		}
	}
	funcs := map[string]func(int64) float64{"bgf": ckptActivity}
	return []ckptCase{
		{name: "dense-f32", build: gen(WeightDense, Float32, false)},
		{name: "dense-f64", build: gen(WeightDense, Float64, false), stepLog: true},
		{name: "sparse-f32", build: gen(WeightSparse, Float32, false)},
		{name: "sparse-f64", build: gen(WeightSparse, Float64, false)},
		{name: "dense-f32-func", build: gen(WeightDense, Float32, true), funcs: funcs},
		{name: "sparse-f64-func", build: gen(WeightSparse, Float64, true), funcs: funcs, stepLog: true},
		{name: "weights-f32", build: func(t testing.TB) *Network { return ckptWeightsNetwork(t, Float32) }},
		{name: "weights-f64", build: func(t testing.TB) *Network { return ckptWeightsNetwork(t, Float64) }, stepLog: true},
	}
}

// Steps before and after the checkpoint.
const ckptA, ckptB = 3001, 4999

// ckptResult is what the tests compare: the full diff log since logging
// was enabled, the step log, the final state and field (as float64 bits)
// and the step count.
type ckptResult struct {
	Steps   int64
	Updates []int32
	Deltas  []int8
	StepLog []int8
	State   []int8
	Field   []uint64
}

func ckptCollect(t testing.TB, nw *Network) ckptResult {
	t.Helper()
	var r ckptResult
	r.Steps = nw.Steps()
	log := nw.ConsumeDiffLog()
	r.Updates, r.Deltas = log.Updates, log.Deltas
	for _, row := range nw.ConsumeStepLog() {
		r.StepLog = append(r.StepLog, row...)
	}
	var err error
	if r.State, err = nw.State(nil); err != nil {
		t.Fatal(err)
	}
	f, err := nw.Field(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range f {
		r.Field = append(r.Field, math.Float64bits(v))
	}
	return r
}

func ckptCompare(t testing.TB, what string, got, want ckptResult) {
	t.Helper()
	if got.Steps != want.Steps {
		t.Errorf("%s: Steps() = %d, want %d", what, got.Steps, want.Steps)
	}
	if !slices.Equal(got.Updates, want.Updates) || !slices.Equal(got.Deltas, want.Deltas) {
		t.Errorf("%s: diff log differs from the uninterrupted run (%d vs %d steps)", what, len(got.Updates), len(want.Updates))
	}
	if !slices.Equal(got.StepLog, want.StepLog) {
		t.Errorf("%s: step log differs from the uninterrupted run", what)
	}
	if !slices.Equal(got.State, want.State) {
		t.Errorf("%s: final state differs from the uninterrupted run", what)
	}
	if !slices.Equal(got.Field, want.Field) {
		t.Errorf("%s: final field differs (bitwise) from the uninterrupted run", what)
	}
}

func ckptEnableLogs(t testing.TB, nw *Network, c ckptCase) {
	t.Helper()
	if err := nw.EnableDiffLogging(ckptA + ckptB); err != nil {
		t.Fatal(err)
	}
	if c.stepLog {
		if err := nw.EnableStepLogging(ckptA + ckptB); err != nil {
			t.Fatal(err)
		}
	}
}

// ckptRun builds case c's network with its logs on and runs steps updates
// in batches of batch.
func ckptRun(t testing.TB, c ckptCase, steps, batch int) *Network {
	t.Helper()
	nw := c.build(t)
	ckptEnableLogs(t, nw, c)
	if err := nw.Run(steps, batch); err != nil {
		t.Fatal(err)
	}
	return nw
}

// ckptUninterrupted runs A+B steps in one go.
func ckptUninterrupted(t testing.TB, c ckptCase) ckptResult {
	t.Helper()
	r := ckptCollect(t, ckptRun(t, c, ckptA+ckptB, 7))
	// The comparison is only meaningful if the dynamics are alive.
	up, down := 0, 0
	for _, d := range r.Deltas {
		switch d {
		case 1:
			up++
		case -1:
			down++
		}
	}
	if up < 100 || down < 100 {
		t.Fatalf("test network too quiet: %d up and %d down transitions in %d steps", up, down, len(r.Deltas))
	}
	return r
}

const (
	ckptChildEnv  = "BINARYNET_CHECKPOINT_CHILD"
	ckptChildOut  = "BINARYNET_CHECKPOINT_CHILD_OUT"
	ckptChildCase = "BINARYNET_CHECKPOINT_CHILD_CASE"
	ckptChildB    = "BINARYNET_CHECKPOINT_CHILD_STEPS"
)

// TestCheckpointChildProcess is the second half of
// TestCheckpointResumeSubprocess: run in a fresh process, it loads a
// checkpoint, runs on and writes the result as JSON. It does nothing in a
// normal test run.
func TestCheckpointChildProcess(t *testing.T) {
	in := os.Getenv(ckptChildEnv)
	if in == "" {
		t.Skip("runs only as a child of TestCheckpointResumeSubprocess")
	}
	var c ckptCase
	for _, cc := range ckptCases() {
		if cc.name == os.Getenv(ckptChildCase) {
			c = cc
		}
	}
	steps, err := strconv.Atoi(os.Getenv(ckptChildB))
	if err != nil {
		t.Fatal(err)
	}
	nw, err := LoadCheckpoint(in, &RestoreOptions{ActivityFuncs: c.funcs})
	if err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(steps, 1000); err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(ckptCollect(t, nw))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv(ckptChildOut), out, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestCheckpointResumeSubprocess runs A steps, saves a checkpoint, restores
// it in a new process that runs B more steps, and compares the diff log,
// step log, state, field and step count with an uninterrupted run of A+B
// steps, bit for bit.
func TestCheckpointResumeSubprocess(t *testing.T) {
	if os.Getenv(ckptChildEnv) != "" {
		t.Skip("child process")
	}
	for _, c := range ckptCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want := ckptUninterrupted(t, c)

			nw := ckptRun(t, c, ckptA, 13)
			dir := t.TempDir()
			in, out := filepath.Join(dir, "a.ckpt"), filepath.Join(dir, "result.json")
			if err := nw.SaveCheckpoint(in); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestCheckpointChildProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), ckptChildEnv+"="+in, ckptChildOut+"="+out,
				ckptChildCase+"="+c.name, ckptChildB+"="+strconv.Itoa(ckptB))
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("child process: %v\n%s", err, msg)
			}
			raw, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var got ckptResult
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			ckptCompare(t, "restored in a new process", got, want)

			// Writing the checkpoint must not have disturbed the original.
			if err := nw.Run(ckptB, 1); err != nil {
				t.Fatal(err)
			}
			ckptCompare(t, "original after saving", ckptCollect(t, nw), want)
		})
	}
}

// TestCheckpointResumeInProcess does the same with an independent decode
// in this process, through every kind of reader, and checks that a
// decoded network encodes to the same bytes.
func TestCheckpointResumeInProcess(t *testing.T) {
	for _, c := range ckptCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want := ckptUninterrupted(t, c)
			nw := ckptRun(t, c, ckptA, 1000)
			data := checkpointOf(t, nw)
			readers := map[string]func() io.Reader{
				"bytes":   func() io.Reader { return bytes.NewReader(data) },
				"stream":  func() io.Reader { return struct{ io.Reader }{bytes.NewReader(data)} },
				"onebyte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(data)) },
				"halfway": func() io.Reader { return iotest.HalfReader(bytes.NewReader(data)) },
			}
			for name, mk := range readers {
				got, err := ReadCheckpoint(mk(), &RestoreOptions{ActivityFuncs: c.funcs})
				if err != nil {
					t.Fatalf("%s reader: %v", name, err)
				}
				var again bytes.Buffer
				if err := got.WriteCheckpoint(&again); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(again.Bytes(), data) {
					t.Errorf("%s reader: re-encoding the restored network gives different bytes", name)
				}
				if got.Name != nw.Name || got.Options() != nw.Options() || got.N() != nw.N() {
					t.Errorf("%s reader: name, options or size differ: %q %+v %d", name, got.Name, got.Options(), got.N())
				}
				if err := got.Run(ckptB, 999); err != nil {
					t.Fatal(err)
				}
				ckptCompare(t, name+" reader", ckptCollect(t, got), want)
			}
		})
	}
}

// TestCheckpointPopulations checks that the restored populations carry the
// saved parameters, in order, and that the network's accessors agree.
func TestCheckpointPopulations(t *testing.T) {
	nw := ckptNetwork(t, Options{WeightMode: WeightSparse, Seed: 3}, true)
	var buf bytes.Buffer
	if err := nw.WriteCheckpoint(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCheckpoint(&buf, &RestoreOptions{ActivityFuncs: map[string]func(int64) float64{"bgf": ckptActivity}})
	if err != nil {
		t.Fatal(err)
	}
	pops := got.Populations()
	if len(pops) != 5 {
		t.Fatalf("%d populations, want 5", len(pops))
	}
	e, ok := pops[0].(*BinaryNeuronPopulation)
	if !ok || *e != (BinaryNeuronPopulation{Name: "E", N: 120, Tau: 10, Threshold: 0.1}) {
		t.Errorf("population 0 = %#v", pops[0])
	}
	bgr, ok := pops[3].(*BackgroundActivity)
	if !ok || bgr.Name != "bgr" || bgr.N != 25 || bgr.Tau != 3 || bgr.Activity != 0.3 || !bgr.Stochastic || bgr.ActivityFunc != nil {
		t.Errorf("population 3 = %#v", pops[3])
	}
	bgf, ok := pops[4].(*BackgroundActivity)
	if !ok || bgf.ActivityFunc == nil || !bgf.Stochastic {
		t.Errorf("population 4 = %#v", pops[4])
	}
	for k, p := range pops {
		r0, err0 := nw.PopulationRange(nw.Populations()[k])
		r1, err1 := got.PopulationRange(p)
		if err0 != nil || err1 != nil || r0 != r1 {
			t.Errorf("population %d: range %v restored as %v (%v, %v)", k, r0, r1, err0, err1)
		}
	}
	for _, acc := range []func(*Network) any{
		func(n *Network) any { v, _ := n.Thresholds(nil); return v },
		func(n *Network) any { v, _ := n.NonZeroWeights(); return v },
		func(n *Network) any { v, _ := n.Weights(); return v },
	} {
		a, b := acc(nw), acc(got)
		if ja, jb := mustJSON(t, a), mustJSON(t, b); ja != jb {
			t.Errorf("accessor differs after restore")
		}
	}
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ckptBytes returns the checkpoint of a tiny network (a few hundred
// bytes, so that tests can damage every bit) with pending logs.
func ckptBytes(t testing.TB, mode WeightMode, typ WeightType) []byte {
	t.Helper()
	nw := NewNetwork("tiny")
	e := &BinaryNeuronPopulation{Name: "E", N: 6, Tau: 2, Threshold: 0.1}
	bg := &BackgroundActivity{Name: "bg", N: 2, Tau: 1, Activity: 0.5}
	bgr := &BackgroundActivity{Name: "bgr", N: 3, Tau: 3, Activity: 0.3, Stochastic: true}
	for _, p := range []Population{e, bg, bgr} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []Synapse{
		NewPairwiseBernoulliSynapse(e, e, 0.5, -0.3),
		NewAllToAllSynapse(bg, e, 0.11),
		NewPoissonSynapse(bgr, e, 0.5, 0.2),
	} {
		if err := nw.AddSynapse(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := nw.Initialize(Options{WeightMode: mode, WeightType: typ, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableDiffLogging(50); err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableStepLogging(4); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(3, 1); err != nil {
		t.Fatal(err)
	}
	data := checkpointOf(t, nw)
	if _, err := ReadCheckpoint(bytes.NewReader(data), nil); err != nil {
		t.Fatal(err)
	}
	return data
}

// resealCheckpoint recomputes both checksums of a (possibly modified)
// checkpoint in place, so that tests and fuzzing reach the checks behind
// them. It leaves data alone when it is too short to have them.
func resealCheckpoint(data []byte) {
	if len(data) < checkpointPrefix {
		return
	}
	hdrLen := int(binary.LittleEndian.Uint32(data[12:16]))
	if end := checkpointPrefix + hdrLen; hdrLen <= maxCheckpointHeader && end+4 <= len(data) {
		binary.LittleEndian.PutUint32(data[end:], crc32.Checksum(data[:end], castagnoli))
	}
	if len(data) >= checkpointPrefix+8 {
		binary.LittleEndian.PutUint32(data[len(data)-4:], crc32.Checksum(data[:len(data)-4], castagnoli))
	}
}

// splitCheckpoint returns the header and the rest of a valid checkpoint.
func splitCheckpoint(t testing.TB, data []byte) (*ckptHeader, []byte) {
	t.Helper()
	hdrLen := int(binary.LittleEndian.Uint32(data[12:16]))
	h, err := decodeHeader(data[checkpointPrefix:checkpointPrefix+hdrLen], 0)
	if err != nil {
		t.Fatal(err)
	}
	return h, data[checkpointPrefix+hdrLen+4:]
}

// joinCheckpoint encodes h in front of body with valid checksums.
func joinCheckpoint(h *ckptHeader, body []byte) []byte {
	hdr := encodeHeader(h)
	out := append([]byte(checkpointMagic), 0, 0, 0, 0, 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[8:], checkpointVersion)
	binary.LittleEndian.PutUint32(out[12:], uint32(len(hdr)))
	out = append(out, hdr...)
	out = append(out, 0, 0, 0, 0)
	out = append(out, body...)
	resealCheckpoint(out)
	return out
}

// checkpointOf returns the checkpoint nw writes now.
func checkpointOf(t testing.TB, nw *Network) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := nw.WriteCheckpoint(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// restoreCheckpoint writes the checkpoint of nw, reads it back with opts
// and returns the restored network, after checking that it re-encodes to
// the same bytes. A non-empty what prefixes the messages.
func restoreCheckpoint(t testing.TB, nw *Network, opts *RestoreOptions, what string) *Network {
	t.Helper()
	prefix := ""
	if what != "" {
		prefix = what + ": "
	}
	var buf bytes.Buffer
	if err := nw.WriteCheckpoint(&buf); err != nil {
		t.Fatalf("%s%v", prefix, err)
	}
	got, err := ReadCheckpoint(bytes.NewReader(buf.Bytes()), opts)
	if err != nil {
		t.Fatalf("%s%v", prefix, err)
	}
	var again bytes.Buffer
	if err := got.WriteCheckpoint(&again); err != nil {
		t.Fatalf("%s%v", prefix, err)
	}
	if !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Errorf("%sre-encoding the restored network gives different bytes", prefix)
	}
	return got
}

func wantCheckpointError(t testing.TB, what string, nw *Network, err error, substr string) {
	t.Helper()
	if err == nil || nw != nil {
		t.Errorf("%s: got network %v and error %v, want an error", what, nw != nil, err)
		return
	}
	if !errors.Is(err, ErrCheckpoint) {
		t.Errorf("%s: error %q does not wrap ErrCheckpoint", what, err)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Errorf("%s: error %q does not mention %q", what, err, substr)
	}
}

// TestCheckpointCorruption flips every bit of every byte (one at a time),
// truncates at every length, and checks that each damaged checkpoint gives
// an error wrapping ErrCheckpoint, never a network or a panic.
func TestCheckpointCorruption(t *testing.T) {
	for _, mode := range []WeightMode{WeightDense, WeightSparse} {
		data := ckptBytes(t, mode, Float32)
		damaged := make([]byte, len(data))
		for i := range data {
			for bit := range 8 {
				copy(damaged, data)
				damaged[i] ^= 1 << bit
				nw, err := ReadCheckpoint(bytes.NewReader(damaged), nil)
				if err == nil || !errors.Is(err, ErrCheckpoint) || nw != nil {
					t.Fatalf("%s: bit %d of byte %d flipped: network %v, error %v", mode, bit, i, nw != nil, err)
				}
			}
		}
		for k := range len(data) {
			for _, r := range []io.Reader{bytes.NewReader(data[:k]), struct{ io.Reader }{bytes.NewReader(data[:k])}} {
				nw, err := ReadCheckpoint(r, nil)
				if err == nil || !errors.Is(err, ErrCheckpoint) || nw != nil {
					t.Fatalf("%s: truncated to %d of %d bytes: network %v, error %v", mode, k, len(data), nw != nil, err)
				}
			}
		}
		nw, err := ReadCheckpoint(bytes.NewReader(data[:len(data)-1]), nil)
		wantCheckpointError(t, "truncated by one byte", nw, err, "truncated")
		nw, err = ReadCheckpoint(struct{ io.Reader }{bytes.NewReader(data[:len(data)/2])}, nil)
		wantCheckpointError(t, "stream truncated by half", nw, err, "unexpected EOF")
		copy(damaged, data)
		damaged[len(damaged)/2] ^= 0x10
		nw, err = ReadCheckpoint(bytes.NewReader(damaged), nil)
		wantCheckpointError(t, "body bit flip", nw, err, "checksum mismatch")
		copy(damaged, data)
		damaged[20] ^= 0x10
		nw, err = ReadCheckpoint(bytes.NewReader(damaged), nil)
		wantCheckpointError(t, "header bit flip", nw, err, "header checksum mismatch")
	}
}

// TestCheckpointVersionAndMagic checks the clear errors for foreign files
// and other format versions, even with valid checksums.
func TestCheckpointVersionAndMagic(t *testing.T) {
	data := ckptBytes(t, WeightDense, Float64)
	v2 := slices.Clone(data)
	binary.LittleEndian.PutUint32(v2[8:], 2)
	resealCheckpoint(v2)
	nw, err := ReadCheckpoint(bytes.NewReader(v2), nil)
	wantCheckpointError(t, "version 2", nw, err, "unsupported format version 2")

	foreign := slices.Clone(data)
	copy(foreign, "PK\x03\x04zip!")
	nw, err = ReadCheckpoint(bytes.NewReader(foreign), nil)
	wantCheckpointError(t, "foreign file", nw, err, "not a binarynet checkpoint")

	nw, err = ReadCheckpoint(strings.NewReader(""), nil)
	wantCheckpointError(t, "empty input", nw, err, "truncated")
}

// TestCheckpointAbsurdSizes feeds headers with valid checksums that claim
// absurd sizes and checks that they are rejected before any large
// allocation.
func TestCheckpointAbsurdSizes(t *testing.T) {
	data := ckptBytes(t, WeightSparse, Float32)
	base, body := splitCheckpoint(t, data)
	tests := []struct {
		name   string
		edit   func(h *ckptHeader)
		budget float64
		substr string
		isMem  bool
	}{
		{"dense 2^31 units", func(h *ckptHeader) {
			h.opts.WeightMode, h.n, h.nnz = WeightDense, maxUnits, 0
			h.pops = []ckptPop{{kind: ckptNeuron, name: "x", n: maxUnits, tau: 1}}
		}, 0, "budget", true},
		{"sparse 2^62 entries", func(h *ckptHeader) { h.nnz = 1 << 40 }, 0, "exceed", false},
		{"sparse 1e12 entries", func(h *ckptHeader) {
			h.n, h.nnz = 2_000_000, 1e12
			h.pops = []ckptPop{{kind: ckptNeuron, name: "x", n: 2_000_000, tau: 1}}
		}, 0, "budget", true},
		{"diff log of 2^60 steps", func(h *ckptHeader) { h.diffCap = 1 << 60 }, 0, "diff log", true},
		{"step log of 2^40 steps", func(h *ckptHeader) { h.stepCap = 1 << 40 }, 0, "step log", true},
		{"filled beyond capacity", func(h *ckptHeader) { h.diffFilled = h.diffCap + 1 }, 0, "filled", false},
		{"huge body length", func(h *ckptHeader) { h.bodyLen = math.MaxInt64 }, 0, "body", false},
		{"sizes disagree", func(h *ckptHeader) { h.pops[0].n++ }, 0, "add up", false},
		{"network size 0", func(h *ckptHeader) { h.n = 0 }, 0, "network size", false},
		{"truncated sparse body under a big budget", func(h *ckptHeader) {
			h.n, h.nnz = 100_000, 500_000_000
			h.pops = []ckptPop{{kind: ckptNeuron, name: "x", n: 100_000, tau: 1}}
			h.diffCap, h.diffFilled, h.stepCap, h.stepFilled = 0, 0, 0, 0
			h.bodyLen = int64(h.computeBodyLen())
		}, 1000, "truncated", false},
		{"NaN budget", func(h *ckptHeader) { h.opts.RAMBudgetGB = math.NaN() }, 0, "RAM budget", false},
		{"unknown kind", func(h *ckptHeader) { h.pops[1].kind = 9 }, 0, "unknown kind", false},
		{"negative tau", func(h *ckptHeader) { h.pops[1].tau = -1 }, 0, "tau", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := splitCheckpoint(t, data)
			h.pops = slices.Clone(base.pops)
			tc.edit(h)
			crafted := joinCheckpoint(h, body)
			for _, r := range []io.Reader{bytes.NewReader(crafted), struct{ io.Reader }{bytes.NewReader(crafted)}} {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				nw, err := ReadCheckpoint(r, &RestoreOptions{RAMBudgetGB: tc.budget})
				runtime.ReadMemStats(&after)
				wantCheckpointError(t, tc.name, nw, err, tc.substr)
				if tc.isMem && !errors.Is(err, ErrMemoryBudget) {
					t.Errorf("%q does not wrap ErrMemoryBudget", err)
				}
				// 16 MiB: the crafted file is a few KiB; anything near the
				// claimed sizes (GiB to EiB) would show.
				if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
					t.Errorf("allocated %d bytes for a %d-byte file", alloc, len(crafted))
				}
			}
		})
	}
}

// TestCheckpointActivityFunc checks the rules for background populations
// whose ActivityFunc cannot be saved.
func TestCheckpointActivityFunc(t *testing.T) {
	nw := ckptNetwork(t, Options{Seed: 1}, true)
	data := checkpointOf(t, nw)
	got, err := ReadCheckpoint(bytes.NewReader(data), nil)
	wantCheckpointError(t, "missing ActivityFunc", got, err, `"bgf" had an ActivityFunc`)
	got, err = ReadCheckpoint(bytes.NewReader(data), &RestoreOptions{ActivityFuncs: map[string]func(int64) float64{"bgf": ckptActivity, "E": ckptActivity}})
	if err == nil || got != nil || !errors.Is(err, ErrInvalidParameter) || !strings.Contains(err.Error(), `"E"`) {
		t.Errorf("ActivityFunc for a neuron population: got %v, %v", got != nil, err)
	}
	bad := func(int64) float64 { return 2 }
	got, err = ReadCheckpoint(bytes.NewReader(data), &RestoreOptions{ActivityFuncs: map[string]func(int64) float64{"bgf": bad}})
	if err != nil {
		t.Fatal(err)
	}
	if err := got.Run(1000, 100); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("out-of-range ActivityFunc after restore: Run gave %v", err)
	}
}

// TestCheckpointRestoreBudget checks RestoreOptions.RAMBudgetGB.
func TestCheckpointRestoreBudget(t *testing.T) {
	data := ckptBytes(t, WeightDense, Float64)
	nw, err := ReadCheckpoint(bytes.NewReader(data), &RestoreOptions{RAMBudgetGB: 1e-7})
	wantCheckpointError(t, "tiny budget", nw, err, "budget")
	if !errors.Is(err, ErrMemoryBudget) {
		t.Errorf("%v does not wrap ErrMemoryBudget", err)
	}
	nw, err = ReadCheckpoint(bytes.NewReader(data), &RestoreOptions{RAMBudgetGB: 3})
	if err != nil {
		t.Fatal(err)
	}
	if b := nw.Options().RAMBudgetGB; b != 3 {
		t.Errorf("restored budget %v, want 3", b)
	}
	if _, err := ReadCheckpoint(bytes.NewReader(data), &RestoreOptions{RAMBudgetGB: math.Inf(1)}); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("infinite budget: %v", err)
	}
	if _, err := ReadCheckpoint(nil, nil); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("nil reader: %v", err)
	}
}

type failingWriter struct{ after int }

var errDiskFull = errors.New("disk full")

func (w *failingWriter) Write(p []byte) (int, error) {
	if len(p) > w.after {
		k := w.after
		w.after = 0
		return k, errDiskFull
	}
	w.after -= len(p)
	return len(p), nil
}

// TestCheckpointWriteErrors checks call order and writer failures.
func TestCheckpointWriteErrors(t *testing.T) {
	if err := NewNetwork("x").WriteCheckpoint(io.Discard); !errors.Is(err, ErrCallOrder) {
		t.Errorf("WriteCheckpoint before Initialize: %v", err)
	}
	if err := NewNetwork("x").SaveCheckpoint(filepath.Join(t.TempDir(), "x")); !errors.Is(err, ErrCallOrder) {
		t.Errorf("SaveCheckpoint before Initialize: %v", err)
	}
	nw := ckptNetwork(t, Options{Seed: 2}, false)
	for _, after := range []int{0, 10, 100, 5000} {
		err := nw.WriteCheckpoint(&failingWriter{after: after})
		if !errors.Is(err, ErrCheckpoint) || !errors.Is(err, errDiskFull) {
			t.Errorf("writer failing after %d bytes: %v", after, err)
		}
	}
}

// TestSaveCheckpointAtomic checks that SaveCheckpoint replaces the file in
// one step and leaves no temporary file, and the errors of LoadCheckpoint.
func TestSaveCheckpointAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "net.ckpt")
	nw := ckptNetwork(t, Options{Seed: 8}, false)
	if err := nw.SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(500, 10); err != nil {
		t.Fatal(err)
	}
	if err := nw.SaveCheckpoint(path); err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(first, second) {
		t.Error("second save did not replace the file")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after saving, want 1", len(entries))
	}
	got, err := LoadCheckpoint(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Steps() != 500 {
		t.Errorf("loaded Steps() = %d, want 500", got.Steps())
	}

	// A failed save leaves the old file and no temporary file.
	if err := nw.SaveCheckpoint(filepath.Join(dir, "missing", "net.ckpt")); !errors.Is(err, ErrCheckpoint) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("save into a missing directory: %v", err)
	}
	if err := nw.SaveCheckpoint(dir + string(filepath.Separator)); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("save to a directory path: %v", err)
	}
	if err := nw.SaveCheckpoint(dir); !errors.Is(err, ErrCheckpoint) {
		t.Errorf("save over a directory: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d entries after failed saves, want 1", len(entries))
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, second) {
		t.Error("a failed save changed the existing checkpoint")
	}

	if _, err := LoadCheckpoint(filepath.Join(dir, "nope"), nil); !errors.Is(err, ErrCheckpoint) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("loading a missing file: %v", err)
	}
	trailing := filepath.Join(dir, "trailing.ckpt")
	if err := os.WriteFile(trailing, append(slices.Clone(second), 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCheckpoint(trailing, nil); !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), "after the checkpoint") {
		t.Errorf("loading a file with trailing data: %v", err)
	}
	short := filepath.Join(dir, "short.ckpt")
	if err := os.WriteFile(short, second[:len(second)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadCheckpoint(short, nil); !errors.Is(err, ErrCheckpoint) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("loading a truncated file: %v", err)
	}
}

// TestCheckpointAfterCancel checks that a run cancelled by its context can
// be checkpointed and resumed like any other.
func TestCheckpointAfterCancel(t *testing.T) {
	c := ckptCases()[2]
	want := ckptUninterrupted(t, c)
	nw := c.build(t)
	ckptEnableLogs(t, nw, c)
	ctx := &countdownCtx{Context: context.Background(), left: 3}
	if err := nw.RunContext(ctx, ckptA+ckptB, 100); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunContext: %v", err)
	}
	var buf bytes.Buffer
	if err := nw.WriteCheckpoint(&buf); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCheckpoint(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Steps() != 300 {
		t.Fatalf("Steps() = %d after three batches of 100", got.Steps())
	}
	if err := got.Run(ckptA+ckptB-300, 64); err != nil {
		t.Fatal(err)
	}
	ckptCompare(t, "resumed after cancel", ckptCollect(t, got), want)
}

// TestCheckpointInfiniteWeights checks that a network whose weights sum
// beyond the float32 range (to +Inf, and fields to NaN) is saved and
// restored as it is. Found by FuzzNetwork.
func TestCheckpointInfiniteWeights(t *testing.T) {
	for _, mode := range []WeightMode{WeightDense, WeightSparse} {
		nw := NewNetwork("inf")
		e := &BinaryNeuronPopulation{Name: "E", N: 6, Tau: 1, Initializer: ConstantInit(1)}
		if err := nw.AddPopulation(e); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := nw.AddSynapse(NewAllToAllSynapse(e, e, 3e38)); err != nil {
				t.Fatal(err)
			}
		}
		if err := nw.Initialize(Options{WeightMode: mode}); err != nil {
			t.Fatal(err)
		}
		if err := nw.Run(20, 3); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := nw.WriteCheckpoint(&buf); err != nil {
			t.Fatal(err)
		}
		data := slices.Clone(buf.Bytes())
		got, err := ReadCheckpoint(&buf, nil)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		var again bytes.Buffer
		if err := got.WriteCheckpoint(&again); err != nil || !bytes.Equal(again.Bytes(), data) {
			t.Errorf("%s: restored network differs (%v)", mode, err)
		}
		w, _ := got.Weights()
		if !math.IsInf(w.At(0, 1), 1) {
			t.Errorf("%s: weight %v, want +Inf", mode, w.At(0, 1))
		}
	}
}
