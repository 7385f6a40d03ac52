package pipeline

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// smallConfig is a small clustered network that runs in well under a
// second: Q = 4 clusters of 100 E and 25 I units.
const smallConfig = `N_E: 400
N_I: 100
Q: 4
R_Eplus: 2.5
kappa: 0.5
connection_type: poisson
analysis: {bins: 3}
binary:
  warmup_steps: 1000
  simulation_steps: 20001
  sample_interval: 10
  seed: 5
`

func smallJob(t *testing.T, overrides ...string) *Job {
	t.Helper()
	c := mustConfig(t, smallConfig, overrides...)
	j, err := Resolve(c, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// clusteredNetwork builds the clustered network of j as Run builds it
// (the same parameters and options), named name.
func clusteredNetwork(t *testing.T, j *Job, name string) *binarynet.Network {
	t.Helper()
	p, err := j.ClusteredParams()
	if err != nil {
		t.Fatal(err)
	}
	opts, err := j.Options(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	nw, _, err := binarynet.NewClusteredNetwork(name, p, opts)
	if err != nil {
		t.Fatal(err)
	}
	return nw
}

// npyEntry is the header of one array of an .npz archive.
type npyEntry struct {
	descr string
	shape []int
	data  []byte
}

var headerRE = regexp.MustCompile(`^\{'descr': '([^']+)', 'fortran_order': False, 'shape': \(([0-9, ]*)\), \}\s*$`)

// readNpz reads every array of an archive: its type, shape and raw data.
func readNpz(t *testing.T, path string) map[string]npyEntry {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]npyEntry{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(rc)
		var pre [10]byte
		if _, err := io.ReadFull(br, pre[:]); err != nil || string(pre[:6]) != "\x93NUMPY" {
			t.Fatalf("%s: %s is not an .npy entry", path, f.Name)
		}
		hdr := make([]byte, binary.LittleEndian.Uint16(pre[8:]))
		if _, err := io.ReadFull(br, hdr); err != nil {
			t.Fatal(err)
		}
		m := headerRE.FindStringSubmatch(string(hdr))
		if m == nil {
			t.Fatalf("%s: %s: header %q", path, f.Name, hdr)
		}
		var shape []int
		for _, d := range strings.Split(m[2], ",") {
			if d = strings.TrimSpace(d); d != "" {
				n, _ := strconv.Atoi(d)
				shape = append(shape, n)
			}
		}
		data, err := io.ReadAll(br)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		if f.Method != zip.Deflate {
			t.Errorf("%s: %s is not compressed", path, f.Name)
		}
		out[strings.TrimSuffix(f.Name, ".npy")] = npyEntry{m[1], shape, data}
	}
	return out
}

// TestRunLayout checks every key, dtype and shape of the files of a run,
// and that the folder holds nothing else.
func TestRunLayout(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mode   string
		format string
		states bool
	}{
		{"sparse with states", "sparse", "csr", true},
		{"dense", "dense", "dense", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j := smallJob(t, "binary.weight_mode="+tc.mode)
			dir := filepath.Join(t.TempDir(), "out")
			sum, err := Run(context.Background(), j, dir, RunOptions{SaveStates: tc.states})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"activity_trace_weights.npz", "activity_trace.npz", "params.yaml", "activity_trace_summary.yaml"}
			if !slices.Equal(sum.Files, want) {
				t.Errorf("files %v, want %v", sum.Files, want)
			}
			entries, _ := os.ReadDir(dir)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			slices.Sort(names)
			sorted := slices.Sorted(slices.Values(want))
			if !slices.Equal(names, sorted) {
				t.Errorf("folder holds %v, want %v", names, sorted)
			}
			const n, p, steps, k = 500, 8, 20001, 10
			s := (steps-1)/k + 1
			tr := readNpz(t, filepath.Join(dir, "activity_trace.npz"))
			type spec struct {
				descr string
				shape []int
			}
			// checkArrays checks that the archive holds exactly the arrays
			// of want, each of its dtype and shape.
			checkArrays := func(what string, got map[string]npyEntry, want map[string]spec) {
				t.Helper()
				if len(got) != len(want) {
					t.Errorf("%s has %d arrays, want %d", what, len(got), len(want))
				}
				for key, w := range want {
					e, ok := got[key]
					if !ok {
						t.Errorf("%s lacks %s", what, key)
						continue
					}
					if e.descr != w.descr || !slices.Equal(e.shape, w.shape) {
						t.Errorf("%s %s: %s %v, want %s %v", what, key, e.descr, e.shape, w.descr, w.shape)
					}
				}
			}
			wantTrace := map[string]spec{
				"rates": {"<f4", []int{s, p}}, "times": {"<i8", []int{s}},
				"names": {"<U2", []int{p}}, "population_names": {"<U2", []int{p}},
				"population_cell_types": {"<U1", []int{p}}, "population_cluster_indices": {"<i8", []int{p}},
				"population_start_ids": {"<i8", []int{p}}, "population_end_ids": {"<i8", []int{p}},
				"population_sizes": {"<i8", []int{p}}, "population_neuron_id_offsets": {"<i8", []int{p + 1}},
				"population_neuron_ids": {"<i8", []int{n}},
				"state_updates":         {"<i4", []int{1, steps}}, "state_deltas": {"|i1", []int{1, steps}},
				"initial_state": {"|u1", []int{n}},
				"warmup_steps":  {"<i8", nil}, "simulation_steps": {"<i8", nil}, "sample_interval": {"<i8", nil},
				"neuron_state_interval": {"<i8", nil}, "batch_size": {"<i8", nil}, "seed": {"<i8", nil},
				"spike_times": {"<f8", []int{int(sum.Onsets)}}, "spike_ids": {"<i8", []int{int(sum.Onsets)}},
			}
			if tc.states {
				wantTrace["neuron_states"] = spec{"|u1", []int{s, n}}
			}
			checkArrays("trace", tr, wantTrace)
			if got := int64(binary.LittleEndian.Uint64(tr["seed"].data)); got != 5 {
				t.Errorf("seed %d, want 5", got)
			}
			wt := readNpz(t, filepath.Join(dir, "activity_trace_weights.npz"))
			wantW := map[string]spec{
				"weight_mode": {"<U" + strconv.Itoa(len(tc.mode)), nil}, "weight_dtype": {"<U7", nil},
				"weight_shape": {"<i8", []int{2}}, "seed": {"<i8", nil}, "weight_format": {"<U" + strconv.Itoa(len(tc.format)), nil},
				"population_names": {"<U2", []int{p}}, "population_cell_types": {"<U1", []int{p}},
				"population_cluster_indices": {"<i8", []int{p}}, "population_start_ids": {"<i8", []int{p}},
				"population_end_ids": {"<i8", []int{p}}, "population_sizes": {"<i8", []int{p}},
				"population_neuron_id_offsets": {"<i8", []int{p + 1}},
			}
			if tc.format == "csr" {
				wantW["weights_data"] = spec{"<f4", []int{int(sum.Synapses)}}
				wantW["weights_indices"] = spec{"<i8", []int{int(sum.Synapses)}}
				wantW["weights_indptr"] = spec{"<i8", []int{n + 1}}
			} else {
				wantW["weights"] = spec{"<f4", []int{n, n}}
			}
			checkArrays("weights file", wt, wantW)
			if sum.Synapses <= 0 {
				t.Errorf("%d synapses", sum.Synapses)
			}
		})
	}
}

// TestRunParamsRoundTrip checks that params.yaml reads back to the job's
// parameters, so that its tags are those of the folder.
func TestRunParamsRoundTrip(t *testing.T) {
	j := smallJob(t)
	dir := t.TempDir()
	if _, err := Run(context.Background(), j, dir, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "params.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Tag(back, TagDigits), j.BinaryTag(); got != want {
		t.Errorf("params.yaml has tag %s, the folder's binary tag is %s:\n%s", got, want, data)
	}
	if _, ok := back.(map[string]any)["binary"].(map[string]any)["autapse_rule"]; ok {
		t.Errorf("params.yaml holds autapse_rule, which would change the toolkit's tags")
	}
	summary, err := os.ReadFile(filepath.Join(dir, "activity_trace_summary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(summary), "autapse_rule: delete-self\n") {
		t.Errorf("summary does not record the self-connection rule:\n%s", summary)
	}
}

// TestRunCancelledLeavesNothing cancels a run in its recorded part and
// checks that no file is left and the folders it made are gone.
func TestRunCancelledLeavesNothing(t *testing.T) {
	j := smallJob(t, "binary.simulation_steps=400000")
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := Run(ctx, j, dir, RunOptions{Progress: func(done, total int64) {
		if done > total/2 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 0 {
		var names []string
		filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			names = append(names, p)
			return nil
		})
		t.Errorf("a cancelled run left %v", names)
	}
}

// TestRunRecorded checks what RunOptions.Recorded is given, the states,
// log and ranges that the trace file holds, and that its error is Run's,
// with nothing left.
func TestRunRecorded(t *testing.T) {
	j := smallJob(t)
	dir := t.TempDir()
	var initial []int8
	var log binarynet.DiffLog
	var ranges []binarynet.Range
	_, err := Run(context.Background(), j, dir, RunOptions{Recorded: func(s []int8, l binarynet.DiffLog, r []binarynet.Range) error {
		initial, log, ranges = s, l, r
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := npz.LoadDiffLog(filepath.Join(dir, j.Binary.OutputName+".npz"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(initial, rec.Initial) || !slices.Equal(log.Updates, rec.Log.Updates) ||
		!slices.Equal(log.Deltas, rec.Log.Deltas) || !slices.Equal(ranges, rec.Ranges) {
		t.Error("Recorded was given another run than the trace holds")
	}
	if int64(log.Len()) != j.Binary.SimulationSteps || len(ranges) != 2*j.Model.Q {
		t.Errorf("log of %d steps, %d ranges; want %d and %d", log.Len(), len(ranges), j.Binary.SimulationSteps, 2*j.Model.Q)
	}

	bad := errors.New("analysis failed")
	root := t.TempDir()
	_, err = Run(context.Background(), j, filepath.Join(root, "out"), RunOptions{Recorded: func([]int8, binarynet.DiffLog, []binarynet.Range) error { return bad }})
	if !errors.Is(err, bad) {
		t.Fatalf("error %v, want the one of Recorded", err)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 0 {
		t.Errorf("a run whose Recorded failed left %d entries", len(entries))
	}
}

// TestRunSeeds checks that the same job gives the same files and another
// seed another trace.
func TestRunSeeds(t *testing.T) {
	read := func(j *Job) []byte {
		dir := t.TempDir()
		if _, err := Run(context.Background(), j, dir, RunOptions{}); err != nil {
			t.Fatal(err)
		}
		tr := readNpz(t, filepath.Join(dir, "activity_trace.npz"))
		return tr["state_updates"].data
	}
	a, b, c := read(smallJob(t)), read(smallJob(t)), read(smallJob(t, "binary.seed=6"))
	if !slices.Equal(a, b) {
		t.Errorf("the same seed gave two different diff logs")
	}
	if slices.Equal(a, c) {
		t.Errorf("seeds 5 and 6 gave the same diff log")
	}
}

// TestRunResumeBitForBit interrupts a run in its warm-up and another in its
// recorded part, resumes each from its checkpoint, and checks that the
// outputs equal those of the uninterrupted run byte for byte, and that
// the interrupted folder held no output file.
func TestRunResumeBitForBit(t *testing.T) {
	job := func() *Job { return smallJob(t, "binary.warmup_steps=150000", "binary.simulation_steps=200000") }
	ref := t.TempDir()
	if _, err := Run(context.Background(), job(), ref, RunOptions{SaveStates: true}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		stop int64 // cancel once this many updates are done
	}{{"in the warm-up", 65536}, {"while recording", 250000}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			_, err := Run(ctx, job(), dir, RunOptions{SaveStates: true, Checkpoint: true, Progress: func(done, total int64) {
				if done >= tc.stop {
					cancel()
				}
			}})
			var ie *InterruptedError
			if !errors.As(err, &ie) || !errors.Is(err, context.Canceled) {
				t.Fatalf("error %v, want an InterruptedError", err)
			}
			if got := listDir(t, dir); !slices.Equal(got, []string{CheckpointFile, ResumeFile}) {
				t.Errorf("interrupted folder holds %v, want only the checkpoint and resume files", got)
			}
			if !CanResume(dir) {
				t.Fatalf("CanResume(%s) = false", dir)
			}
			resumeLikeRef(t, dir, ref)
		})
	}
}

// resumeLikeRef resumes the interrupted run in dir and checks that the
// folder then holds the files of the uninterrupted run in ref, its trace,
// weights and parameters byte for byte.
func resumeLikeRef(t *testing.T, dir, ref string) {
	t.Helper()
	if _, err := Resume(context.Background(), dir, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, want := listDir(t, dir), listDir(t, ref); !slices.Equal(got, want) {
		t.Errorf("resumed folder holds %v, want %v", got, want)
	}
	sameFiles(t, dir, ref, "activity_trace.npz", "activity_trace_weights.npz", "params.yaml")
}

// sameFiles checks that the named files of dir equal those of the
// uninterrupted run in ref byte for byte.
func sameFiles(t *testing.T, dir, ref string, names ...string) {
	t.Helper()
	for _, name := range names {
		if !slices.Equal(readFile(t, filepath.Join(ref, name)), readFile(t, filepath.Join(dir, name))) {
			t.Errorf("%s differs from the uninterrupted run's", name)
		}
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	return names
}

// initialState runs a job with no warm-up and returns the initial_state
// of its trace: the state the network was built with.
func initialState(t *testing.T, j *Job) []byte {
	t.Helper()
	dir := t.TempDir()
	if _, err := Run(context.Background(), j, dir, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	return readNpz(t, filepath.Join(dir, "activity_trace.npz"))["initial_state"].data
}

// TestRunInitialStates checks that initial_activity and
// population_rate_init reach the network: deterministic entries give
// exact counts, and population_rate_init overrides initial_activity.
func TestRunInitialStates(t *testing.T) {
	const e, i = 100, 25 // units per E and I cluster of smallConfig
	count := func(s []byte, lo, hi int) int {
		n := 0
		for _, v := range s[lo:hi] {
			n += int(v)
		}
		return n
	}
	s := initialState(t, smallJob(t, "binary.warmup_steps=0", "binary.population_rate_init=null",
		"initial_activity={excitatory: {mode: deterministic, value: 0.25}, inhibitory_by_cluster: {mode: deterministic, values: [1, 0, 1, 0]}}"))
	for k := range 4 {
		if got := count(s, k*e, (k+1)*e); got != 25 {
			t.Errorf("E%d: %d active units, want round(0.25 x 100) = 25", k, got)
		}
		want := i * (1 - k%2)
		if got := count(s, 4*e+k*i, 4*e+(k+1)*i); got != want {
			t.Errorf("I%d: %d active units, want %d", k, got, want)
		}
	}
	// population_rate_init (0.5 for all) wins over initial_activity: of
	// 500 units about 250 are active; 5 binomial standard errors are
	// 5 sqrt(500/4) = 56.
	s = initialState(t, smallJob(t, "binary.warmup_steps=0", "binary.population_rate_init=0.5",
		"initial_activity={default: {mode: deterministic, value: 0.0}}"))
	if got := count(s, 0, 500); got < 250-56 || got > 250+56 {
		t.Errorf("population_rate_init 0.5: %d of 500 units active, want 250 +- 56", got)
	}
}

// TestRunSeparateSeeds checks binary.network_seed and binary.init_seed:
// one network run from two initial states has the same weights file and
// two different initial states.
func TestRunSeparateSeeds(t *testing.T) {
	files := func(initSeed string) (weights, initial []byte) {
		dir := t.TempDir()
		j := smallJob(t, "binary.warmup_steps=0", "binary.network_seed=11", "binary.init_seed="+initSeed)
		if _, err := Run(context.Background(), j, dir, RunOptions{}); err != nil {
			t.Fatal(err)
		}
		w, err := os.ReadFile(filepath.Join(dir, "activity_trace_weights.npz"))
		if err != nil {
			t.Fatal(err)
		}
		return w, readNpz(t, filepath.Join(dir, "activity_trace.npz"))["initial_state"].data
	}
	w1, s1 := files("1")
	w2, s2 := files("2")
	if !slices.Equal(w1, w2) {
		t.Errorf("the same network seed gave two different weights files")
	}
	if slices.Equal(s1, s2) {
		t.Errorf("init seeds 1 and 2 gave the same initial state")
	}
}

// TestAdaptationKeys checks that adaptation.E and adaptation.I reach the
// populations of the network, tau_theta_ms converted with the time axis
// (smallConfig makes 400/10 + 100/5 = 60 updates per ms), and that a run
// with adaptation lowers the E activity.
func TestAdaptationKeys(t *testing.T) {
	j := smallJob(t, "adaptation={E: {theta_q: 0.5, tau_theta_ms: 100.0}, I: {theta_q: 0.25, tau_theta: 300}}")
	nw := clusteredNetwork(t, j, "adapt")
	for _, s := range nw.PopulationSpecs() {
		want := binarynet.Adaptation{Step: 0.5, Tau: 6000}
		if s.Name[0] == 'I' {
			want = binarynet.Adaptation{Step: 0.25, Tau: 300}
		}
		if math.Abs(s.Adaptation.Tau-want.Tau) > 1e-9*want.Tau || s.Adaptation.Step != want.Step {
			t.Errorf("%s: adaptation %+v, want %+v", s.Name, s.Adaptation, want)
		}
	}
	run := func(j *Job) float64 {
		s, err := Run(context.Background(), j, t.TempDir(), RunOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return s.MeanE
	}
	plain, adapted := run(smallJob(t)), run(j)
	if !(adapted < plain) {
		t.Errorf("mean E activity %.4f with adaptation, %.4f without: want lower", adapted, plain)
	}
	t.Logf("mean E activity %.4f without adaptation, %.4f with", plain, adapted)
}
