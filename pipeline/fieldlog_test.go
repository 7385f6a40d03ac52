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

// TestFieldLogKeyErrors checks that every invalid binary.field_log is an
// error naming the key and the value.
func TestFieldLogKeyErrors(t *testing.T) {
	for _, tc := range []struct {
		name, override string
		want           []string
	}{
		{"not a mapping", "binary.field_log=7", []string{"binary.field_log", "7"}},
		{"unknown key", "binary.field_log={unit: [E0]}", []string{"binary.field_log.unit", "unknown key"}},
		{"interval zero", "binary.field_log={interval: 0}", []string{"binary.field_log.interval", "0", ">= 1"}},
		{"interval not an integer", "binary.field_log={interval: 2.5}", []string{"binary.field_log.interval", "2.5"}},
		{"split not a bool", "binary.field_log={split: yes please}", []string{"binary.field_log.split", "yes please"}},
		{"unknown population", "binary.field_log={units: [E0, E9]}", []string{"binary.field_log.units[1]", "E9", "E0..E3"}},
		{"unit out of range", "binary.field_log={units: [3, 500]}", []string{"binary.field_log.units[1]", "500", "[0, 500)"}},
		{"negative unit", "binary.field_log={units: [-1]}", []string{"binary.field_log.units[0]", "-1"}},
		{"unit as a float", "binary.field_log={units: [1.5]}", []string{"binary.field_log.units[0]", "1.5"}},
		{"unit twice", "binary.field_log={units: [E0, 7]}", []string{"binary.field_log.units", "unit 7", "twice"}},
		{"empty list", "binary.field_log={units: []}", []string{"binary.field_log.units", "at least one"}},
		{"units a string", "binary.field_log={units: E0}", []string{"binary.field_log.units", `"E0"`}},
		{"range reversed", "binary.field_log={units: {start: 10, stop: 5}}", []string{"binary.field_log.units", "start: 10", "stop: 5"}},
		{"range past N", "binary.field_log={units: {start: 0, stop: 501}}", []string{"binary.field_log.units", "501", "N = 500"}},
		{"range without stop", "binary.field_log={units: {start: 3}}", []string{"binary.field_log.units", "start and stop"}},
		{"range with an unknown key", "binary.field_log={units: {start: 0, end: 4}}", []string{"binary.field_log.units.end", "unknown key"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustConfig(t, smallConfig, tc.override)
			_, err := Resolve(c, Flags{})
			if !errors.Is(err, binarynet.ErrInvalidParameter) {
				t.Fatalf("error %v, want ErrInvalidParameter", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not name %q", err, w)
				}
			}
		})
	}
}

// TestFieldLogKeyUnits checks the units that binary.field_log.units
// selects and the default interval.
func TestFieldLogKeyUnits(t *testing.T) {
	for _, tc := range []struct {
		name, override string
		want           []int32 // nil: every unit
		interval       int64
	}{
		{"every unit", "binary.field_log={}", nil, 10},
		{"null units", "binary.field_log={units: null, interval: 3}", nil, 3},
		{"populations", "binary.field_log={units: [I0, E1]}", append(binarynet.UnitsOf(binarynet.Range{Start: 400, End: 425}), binarynet.UnitsOf(binarynet.Range{Start: 100, End: 200})...), 10},
		{"cell type", "binary.field_log={units: [I]}", binarynet.UnitsOf(binarynet.Range{Start: 400, End: 500}), 10},
		{"ids", "binary.field_log={units: [499, 0, 17]}", []int32{499, 0, 17}, 10},
		{"range", "binary.field_log={units: {start: 95, stop: 105}, interval: 1}", binarynet.UnitsOf(binarynet.Range{Start: 95, End: 105}), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := smallJob(t, tc.override)
			f := j.Binary.FieldLog
			if f == nil || !slices.Equal(f.Units, tc.want) || (f.Units == nil) != (tc.want == nil) || f.Interval != tc.interval {
				t.Fatalf("field log %+v, want units %v every %d", f, tc.want, tc.interval)
			}
		})
	}
	if j := smallJob(t, "binary.field_log=null"); j.Binary.FieldLog != nil {
		t.Errorf("binary.field_log: null gives %+v, want none", j.Binary.FieldLog)
	}
	// The flag's sample interval is the default interval.
	c := mustConfig(t, smallConfig, "binary.field_log={units: [E0]}")
	k := int64(4)
	j, err := Resolve(c, Flags{SampleInterval: &k})
	if err != nil || j.Binary.FieldLog.Interval != 4 {
		t.Fatalf("interval with --sample-interval 4: %+v, %v", j.Binary.FieldLog, err)
	}
}

// npyFloats returns the float64 values of an array read by readNpz.
func npyFloats(t *testing.T, e npyEntry) []float64 {
	t.Helper()
	var out []float64
	switch e.descr {
	case "<f8":
		for i := 0; i < len(e.data); i += 8 {
			out = append(out, math.Float64frombits(binary.LittleEndian.Uint64(e.data[i:])))
		}
	case "<f4":
		for i := 0; i < len(e.data); i += 4 {
			out = append(out, float64(math.Float32frombits(binary.LittleEndian.Uint32(e.data[i:]))))
		}
	default:
		t.Fatalf("array of %s, want float", e.descr)
	}
	return out
}

// npyInts returns the values of an integer array read by readNpz.
func npyInts(t *testing.T, e npyEntry) []int64 {
	t.Helper()
	var out []int64
	switch e.descr {
	case "<i8":
		for i := 0; i < len(e.data); i += 8 {
			out = append(out, int64(binary.LittleEndian.Uint64(e.data[i:])))
		}
	case "<i4":
		for i := 0; i < len(e.data); i += 4 {
			out = append(out, int64(int32(binary.LittleEndian.Uint32(e.data[i:]))))
		}
	case "|i1":
		for _, b := range e.data {
			out = append(out, int64(int8(b)))
		}
	case "|u1":
		for _, b := range e.data {
			out = append(out, int64(b))
		}
	default:
		t.Fatalf("array of %s, want integers", e.descr)
	}
	return out
}

// weightColumns reads the weights file of a run back into columns: for
// every presynaptic unit j the postsynaptic units i and weights W[i, j],
// i increasing.
func weightColumns(t *testing.T, path string, n int) [][]struct {
	post int
	w    float64
} {
	t.Helper()
	wf := readNpz(t, path)
	cols := make([][]struct {
		post int
		w    float64
	}, n)
	add := func(i, j int, w float64) {
		cols[j] = append(cols[j], struct {
			post int
			w    float64
		}{i, w})
	}
	if d, ok := wf["weights"]; ok {
		w := npyFloats(t, d)
		for i := range n {
			for j := range n {
				if v := w[i*n+j]; v != 0 {
					add(i, j, v)
				}
			}
		}
		return cols
	}
	data := npyFloats(t, wf["weights_data"])
	indices, indptr := npyInts(t, wf["weights_indices"]), npyInts(t, wf["weights_indptr"])
	for i := range n {
		for x := indptr[i]; x < indptr[i+1]; x++ {
			add(i, int(indices[x]), data[x])
		}
	}
	return cols
}

// TestRunFieldLog runs jobs with binary.field_log and reads the trace and
// the weights files back: field_parts must equal the sums of W[i, j] s_j(t)
// over the E and the I units j of the states that state_updates,
// state_deltas and initial_state reconstruct (in float64, j increasing,
// as the library sums them) within 2 ulp; fields must equal W s(t)
// accumulated as the engine does (its float type, the columns of the
// active units at the start in increasing order, then one column per
// state change: the run has no warm-up, so the recording starts from the
// field computed afresh) within 2 ulp; and the parts must add up to the
// fields within the rounding that bounds the difference of the two sums.
func TestRunFieldLog(t *testing.T) {
	for _, tc := range []struct {
		name, mode, dtype string
	}{
		{"sparse float32", "sparse", "float32"},
		{"dense float64", "dense", "float64"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			units := []int32{0, 99, 100, 399, 400, 450, 499}
			j := smallJob(t, "binary.weight_mode="+tc.mode, "binary.weight_dtype="+tc.dtype, "connection_type=bernoulli",
				"binary.warmup_steps=0", "binary.simulation_steps=6001",
				"binary.field_log={units: [0, 99, 100, 399, 400, 450, 499], interval: 7, split: true}")
			dir := t.TempDir()
			sum, err := Run(context.Background(), j, dir, RunOptions{})
			if err != nil {
				t.Fatal(err)
			}
			const n, steps, k = 500, 6001, 7
			s := (steps-1)/k + 1
			m := len(units)
			tr := readNpz(t, filepath.Join(dir, "activity_trace.npz"))
			for key, want := range map[string]struct {
				descr string
				shape []int
			}{
				"field_interval": {"<i8", nil}, "field_steps": {"<i8", []int{s}}, "field_units": {"<i8", []int{m}},
				"fields": {"<f8", []int{s, m}}, "field_thresholds": {"<f8", []int{s, m}}, "field_drive": {"<f8", []int{m}},
				"field_part_names": {"<U1", []int{2}}, "field_parts": {"<f8", []int{s, 2, m}},
			} {
				if e, ok := tr[key]; !ok || e.descr != want.descr || !slices.Equal(e.shape, want.shape) {
					t.Errorf("%s: %+v, want %s %v", key, e, want.descr, want.shape)
				}
			}
			if got := npyInts(t, tr["field_units"]); !slices.Equal(got, []int64{0, 99, 100, 399, 400, 450, 499}) {
				t.Errorf("field_units %v", got)
			}
			fsteps := npyInts(t, tr["field_steps"])
			for i, st := range fsteps {
				if st != int64(i*k) {
					t.Fatalf("field_steps[%d] = %d, want %d", i, st, i*k)
				}
			}
			fields := npyFloats(t, tr["fields"])
			parts := npyFloats(t, tr["field_parts"])
			thresholds := npyFloats(t, tr["field_thresholds"])
			drive := npyFloats(t, tr["field_drive"])

			cols := weightColumns(t, filepath.Join(dir, "activity_trace_weights.npz"), n)
			initial := npyInts(t, tr["initial_state"])
			ups, deltas := npyInts(t, tr["state_updates"]), npyInts(t, tr["state_deltas"])
			if len(ups) != steps {
				t.Fatalf("%d logged steps", len(ups))
			}
			f32 := tc.dtype == "float32"
			eps := 0x1p-52
			if f32 {
				eps = 0x1p-23
			}
			ulp := func(x float64) float64 {
				if f32 {
					a := float32(math.Abs(x))
					return float64(math.Nextafter32(a, float32(math.Inf(1))) - a)
				}
				a := math.Abs(x)
				return math.Nextafter(a, math.Inf(1)) - a
			}
			// The engine's field, replayed in its float type.
			inc := make([]float64, n)
			addCol := func(c int, delta float64) {
				for _, e := range cols[c] {
					if f32 {
						inc[e.post] = float64(float32(inc[e.post]) + float32(delta)*float32(e.w))
					} else {
						inc[e.post] += delta * e.w
					}
				}
			}
			// rows[i] is row units[i] of W: the presynaptic units (in post)
			// in increasing order and their weights.
			rows := make([][]struct {
				post int
				w    float64
			}, m)
			for c := range n {
				for _, e := range cols[c] {
					if i := slices.Index(units, int32(e.post)); i >= 0 {
						rows[i] = append(rows[i], struct {
							post int
							w    float64
						}{c, e.w})
					}
				}
			}
			state := make([]int8, n)
			for i, v := range initial {
				state[i] = int8(v)
				if v != 0 {
					addCol(i, 1)
				}
			}
			flips := 0
			vth := j.Model.VTh
			for step := range steps {
				u := ups[step]
				if d := deltas[step]; d != 0 {
					state[u] += int8(d)
					addCol(int(u), float64(d))
					flips++
				}
				if step%k != 0 {
					continue
				}
				row := step / k
				for i, u := range units {
					var want [2]float64
					var abs, rowAbs float64
					for _, e := range rows[i] {
						rowAbs += math.Abs(e.w)
						if state[e.post] != 0 {
							want[boolInt(e.post >= 400)] += e.w
							abs += math.Abs(e.w)
						}
					}
					h := fields[row*m+i]
					if got := inc[u]; math.Abs(h-got) > 2*ulp(got) {
						t.Fatalf("sample %d unit %d: field %v, W s(t) accumulated as the engine does %v", row, u, h, got)
					}
					var total float64
					for p := range 2 {
						got := parts[(row*2+p)*m+i]
						total += got
						if math.Abs(got-want[p]) > 2*ulpOf64(want[p]) {
							t.Fatalf("sample %d unit %d part %d: %v, want %v", row, u, p, got, want[p])
						}
					}
					// The parts are summed afresh in float64 (n terms, each
					// addition off by at most eps64/2 of the sum of |terms|),
					// the field incrementally in its type (one addition per
					// state change and per initially active unit, each off by
					// at most eps/2 of a field bounded by the row's |weights|).
					if tol := n*0x1p-52*abs + float64(flips+n)*eps*rowAbs; math.Abs(total-h) > tol {
						t.Fatalf("sample %d unit %d: parts add up to %v, field %v (tolerance %g)", row, u, total, h, tol)
					}
					// No adaptation: theta = V_th - m_X J_X, in the engine's type.
					wantTheta := vth - drive[i]
					if f32 {
						wantTheta = float64(float32(wantTheta))
					}
					if th := thresholds[row*m+i]; math.Abs(th-wantTheta) > 2*ulp(wantTheta) {
						t.Fatalf("sample %d unit %d: threshold %v, V_th - drive %v", row, u, th, wantTheta)
					}
				}
			}
			if flips < 200 {
				t.Fatalf("only %d state changes", flips)
			}
			if drive[0] <= 0 || drive[len(drive)-1] <= 0 || drive[0] == drive[len(drive)-1] {
				t.Errorf("field_drive %v: want the positive drives of E and I", drive)
			}
			data, err := os.ReadFile(filepath.Join(dir, "activity_trace_summary.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			v, err := decodeYAML(data)
			if err != nil {
				t.Fatal(err)
			}
			entry, _ := v.(map[string]any)["field_log"].(map[string]any)
			if entry == nil || entry["samples"] != int64(s) || entry["units"] != int64(m) || entry["interval"] != int64(k) ||
				entry["split"] != true || formatValue(entry["parts"]) != `["E", "I"]` || entry["file"] != "activity_trace.npz" {
				t.Errorf("summary field_log %s", formatValue(entry))
			}
			if sum.Samples == 0 {
				t.Errorf("no rate samples")
			}
		})
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ulpOf64 is the spacing of float64 values at |x|.
func ulpOf64(x float64) float64 {
	x = math.Abs(x)
	return math.Nextafter(x, math.Inf(1)) - x
}

// TestRunFieldLogOff checks that without binary.field_log the trace and
// the summary have no field entries, and that an unsplit log has no
// parts.
func TestRunFieldLogOff(t *testing.T) {
	for _, tc := range []struct {
		name     string
		override []string
		keys     []string
	}{
		{"absent", nil, nil},
		{"unsplit", []string{"binary.field_log={units: [E0]}"}, []string{"field_drive", "field_interval", "field_steps", "field_thresholds", "field_units", "fields"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := smallJob(t, append([]string{"binary.simulation_steps=2000"}, tc.override...)...)
			dir := t.TempDir()
			if _, err := Run(context.Background(), j, dir, RunOptions{}); err != nil {
				t.Fatal(err)
			}
			var keys []string
			for key := range readNpz(t, filepath.Join(dir, "activity_trace.npz")) {
				if strings.HasPrefix(key, "field") {
					keys = append(keys, key)
				}
			}
			slices.Sort(keys)
			if !slices.Equal(keys, tc.keys) {
				t.Errorf("field arrays %v, want %v", keys, tc.keys)
			}
			data, err := os.ReadFile(filepath.Join(dir, "activity_trace_summary.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if has := strings.Contains(string(data), "field_log"); has != (tc.keys != nil) {
				t.Errorf("summary mentions field_log: %v, want %v", has, tc.keys != nil)
			}
		})
	}
}

// TestRunFieldLogMemory checks that a field log too large for the budget
// is refused before anything is built or written, with an error naming
// the key.
func TestRunFieldLogMemory(t *testing.T) {
	// 20001 samples of 500 units with 3 parts: about 400 MB, against a
	// budget of 0.1 GiB that the run without the log fits easily.
	j := smallJob(t, "binary.ram_budget_gb=0.1", "binary.field_log={interval: 1, split: true}")
	dir := filepath.Join(t.TempDir(), "out")
	_, err := Run(context.Background(), j, dir, RunOptions{})
	if !errors.Is(err, binarynet.ErrMemoryBudget) || !strings.Contains(err.Error(), "binary.field_log") || !strings.Contains(err.Error(), "20001 samples of 500 units") {
		t.Fatalf("error %v, want ErrMemoryBudget naming binary.field_log", err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the folder was created (%v)", err)
	}
	// The same log with fewer samples fits.
	j = smallJob(t, "binary.ram_budget_gb=0.1", "binary.field_log={interval: 100, split: true}")
	if _, err := Run(context.Background(), j, dir, RunOptions{}); err != nil {
		t.Fatal(err)
	}
}

// TestRunFieldLogCheckpoint checks that a run with a field log
// interrupted in its warm-up, while recording, or while recording and
// again after resuming, leaves only the checkpoint and resume files, and
// that the resumed run writes the uninterrupted run's trace, weights and
// parameters byte for byte. A run interrupted while recording used to
// return an error and keep nothing (a pending field log could not be
// checkpointed).
func TestRunFieldLogCheckpoint(t *testing.T) {
	job := func() *Job {
		return smallJob(t, "binary.warmup_steps=100000", "binary.simulation_steps=200000", "binary.field_log={units: [E1, I3], interval: 50, split: true}")
	}
	ref := t.TempDir()
	if _, err := Run(context.Background(), job(), ref, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	// cancelAt returns a context and options that cancel the run once
	// stop updates are done; progress is reported every 65536 updates
	// and at the ends of the warm-up and of the run.
	cancelAt := func(stop int64) (context.Context, RunOptions, func()) {
		ctx, cancel := context.WithCancel(context.Background())
		return ctx, RunOptions{Checkpoint: true, Progress: func(done, total int64) {
			if done >= stop {
				cancel()
			}
		}}, cancel
	}
	wantInterrupted := func(t *testing.T, dir string, err error, steps int64) {
		t.Helper()
		var ie *InterruptedError
		if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) || ie.Steps != steps {
			t.Fatalf("error %v, want an InterruptedError after %d updates", err, steps)
		}
		if got := listDir(t, dir); !slices.Equal(got, []string{CheckpointFile, ResumeFile}) {
			t.Fatalf("the interrupted folder holds %v, want only the checkpoint and resume files", got)
		}
	}
	for _, tc := range []struct {
		name  string
		stops []int64 // cancel the run, then each resumed run, at these counts
		steps []int64 // the update counts the interruptions happen at
	}{
		{"in the warm-up", []int64{65536}, []int64{65536}},
		{"while recording", []int64{150000}, []int64{165536}},
		{"twice while recording", []int64{150000, 200000}, []int64{165536, 231072}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			for i, stop := range tc.stops {
				ctx, o, cancel := cancelAt(stop)
				var err error
				if i == 0 {
					_, err = Run(ctx, job(), dir, o)
				} else {
					_, err = Resume(ctx, dir, o)
				}
				cancel()
				wantInterrupted(t, dir, err, tc.steps[i])
			}
			resumeLikeRef(t, dir, ref)
		})
	}
}
