package binarynet_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"

	"github.com/binarynet/binarynet"
)

// goldenCase is one testdata/<case>_golden.json file written by
// testdata/gen_golden.py from the Python reference; the keys are described
// in testdata/README.md.
type goldenCase struct {
	Case        string `json:"case"`
	Seed        int    `json:"seed"`
	WeightMode  string `json:"weight_mode"`
	WeightDtype string `json:"weight_dtype"`
	Autapse     bool   `json:"autapse"`
	BatchSize   int    `json:"batch_size"`
	Steps       int    `json:"steps"`
	N           int    `json:"N"`
	Populations []struct {
		Name      string  `json:"name"`
		N         int     `json:"N"`
		Tau       float64 `json:"tau"`
		Threshold float64 `json:"threshold"`
		Start     int     `json:"start"`
		End       int     `json:"end"`
	} `json:"populations"`
	Synapses []map[string]any `json:"synapses"`
	Weights  struct {
		Rows   []int     `json:"rows"`
		Cols   []int     `json:"cols"`
		Values []float64 `json:"values"`
	} `json:"weights"`
	Thresholds      []float64   `json:"thresholds"`
	InitialState    []int8      `json:"initial_state"`
	InitialField    []float64   `json:"initial_field"`
	Units           []int32     `json:"units"`
	DiffUpdates     []int32     `json:"diff_updates"`
	DiffDeltas      []int8      `json:"diff_deltas"`
	FinalState      []int8      `json:"final_state"`
	FinalField      []float64   `json:"final_field"`
	StatesInterval1 [][]int8    `json:"states_interval_1"`
	StatesInterval7 [][]int8    `json:"states_interval_7"`
	RatesInterval1  [][]float64 `json:"rates_interval_1"`
	RatesInterval7  [][]float64 `json:"rates_interval_7"`
	SpikeTimes      []float64   `json:"spike_times"`
	SpikeIDs        []int32     `json:"spike_ids"`
}

// minGoldenCases is the number of cases testdata/README.md lists; fewer
// files means a case went missing.
const minGoldenCases = 13

func loadGoldenCases(t *testing.T) []*goldenCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "*_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []*goldenCase
	for _, f := range files {
		if filepath.Base(f) == "refstats_golden.json" { // statistics, another schema
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.DisallowUnknownFields()
		g := new(goldenCase)
		if err := dec.Decode(g); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if want := strings.TrimSuffix(filepath.Base(f), "_golden.json"); g.Case != want {
			t.Fatalf("%s: case %q, want %q", f, g.Case, want)
		}
		cases = append(cases, g)
	}
	if len(cases) < minGoldenCases {
		t.Fatalf("found %d golden cases, want at least %d", len(cases), minGoldenCases)
	}
	return cases
}

// dyadic reports whether every weight and threshold of the case is exact
// in binary with few bits, so that every field value is exact and must be
// reproduced bit for bit (testdata/README.md: all cases but *_nondyadic).
func (g *goldenCase) dyadic() bool { return !strings.Contains(g.Case, "nondyadic") }

func (g *goldenCase) weightType() binarynet.WeightType {
	if g.WeightDtype == "float64" {
		return binarynet.Float64
	}
	return binarynet.Float32
}

func (g *goldenCase) dense() *mat.Dense {
	d := mat.NewDense(g.N, g.N, nil)
	for k, v := range g.Weights.Values {
		d.Set(g.Weights.Rows[k], g.Weights.Cols[k], v)
	}
	return d
}

// coo returns the weights as a *sparse.COO that is harder to import than
// the file: entries in random order and every weight split into two halves
// (exact in binary), so that the import must sort and sum duplicates.
func (g *goldenCase) coo() *sparse.COO {
	nnz := len(g.Weights.Values)
	rows, cols, vals := make([]int, 0, 2*nnz), make([]int, 0, 2*nnz), make([]float64, 0, 2*nnz)
	for k, v := range g.Weights.Values {
		for range 2 {
			rows = append(rows, g.Weights.Rows[k])
			cols = append(cols, g.Weights.Cols[k])
			vals = append(vals, v/2)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(g.Seed), 1))
	rng.Shuffle(len(vals), func(i, j int) {
		rows[i], rows[j] = rows[j], rows[i]
		cols[i], cols[j] = cols[j], cols[i]
		vals[i], vals[j] = vals[j], vals[i]
	})
	return sparse.NewCOO(g.N, g.N, rows, cols, vals)
}

// ranges returns the populations' unit ranges.
func (g *goldenCase) ranges() []binarynet.Range {
	r := make([]binarynet.Range, len(g.Populations))
	for k, p := range g.Populations {
		r[k] = binarynet.Range{Start: p.Start, End: p.End}
	}
	return r
}

// ulp returns the spacing of the case's float type at |x|: the distance
// from |x| to the next representable value away from zero.
func (g *goldenCase) ulp(x float64) float64 {
	x = math.Abs(x)
	if g.WeightDtype == "float64" {
		return math.Nextafter(x, math.Inf(1)) - x
	}
	f := float32(x)
	return float64(math.Nextafter32(f, float32(math.Inf(1))) - f)
}

// maxFieldULP is how many units in the last place a non-dyadic field may
// differ from the reference's. The reference's dense initial field is a
// BLAS matrix-vector product whose summation order differs from Go's
// (columns of the active units in increasing order); testdata/README.md
// records one unit one float32 ulp off. Every later addition is the same
// single rounding on both sides.
const maxFieldULP = 2

// TestGolden replays the unit sequences the Python reference drew on the
// reference's own weights, thresholds and initial states, and requires the
// same diff log and final state exactly and the same fields (bit for bit
// when the weights are dyadic). Each case is imported in its own weight
// mode from the matrix type that mode suggests (a *mat.Dense for dense
// cases, a shuffled *sparse.COO with split duplicates and a *sparse.CSC
// from james-bowman/sparse's own conversion for sparse cases), and once
// more in the other mode.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, g := range loadGoldenCases(t) {
		t.Run(g.Case, func(t *testing.T) {
			t.Parallel()
			if g.N != len(g.InitialState) || g.Steps != len(g.Units) {
				t.Fatalf("inconsistent file: N=%d, %d initial states, steps=%d, %d units", g.N, len(g.InitialState), g.Steps, len(g.Units))
			}
			type variant struct {
				name string
				w    mat.Matrix
				mode binarynet.WeightMode
			}
			var variants []variant
			if g.WeightMode == "dense" {
				variants = []variant{
					{"dense from mat.Dense", g.dense(), binarynet.WeightDense},
					{"sparse from mat.Dense", g.dense(), binarynet.WeightSparse},
				}
			} else {
				variants = []variant{
					{"sparse from COO", g.coo(), binarynet.WeightSparse},
					{"sparse from CSC", g.coo().ToCSC(), binarynet.WeightSparse},
					{"auto from CSC", g.coo().ToCSC(), binarynet.WeightAuto},
					{"dense from COO", g.coo(), binarynet.WeightDense},
				}
			}
			for _, v := range variants {
				t.Run(v.name, func(t *testing.T) {
					replayGolden(t, g, v.w, v.mode)
				})
			}
		})
	}
}

func replayGolden(t *testing.T, g *goldenCase, w mat.Matrix, mode binarynet.WeightMode) {
	opts := binarynet.Options{WeightMode: mode, WeightType: g.weightType(), Seed: uint64(g.Seed)}
	nw, err := binarynet.NewNetworkFromWeights(g.Case, w, nil, g.Thresholds, g.InitialState, opts)
	if err != nil {
		t.Fatalf("NewNetworkFromWeights: %v", err)
	}
	wantMode := mode
	if mode == binarynet.WeightAuto {
		wantMode = binarynet.WeightSparse // a sparse input is stored sparse
	}
	if got := nw.Options().WeightMode; got != wantMode {
		t.Fatalf("weight mode %v, want %v", got, wantMode)
	}
	if nw.N() != g.N {
		t.Fatalf("N() = %d, want %d", nw.N(), g.N)
	}
	thr, err := nw.Thresholds(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(thr, g.Thresholds) {
		t.Errorf("thresholds differ from the file")
	}
	checkGoldenWeights(t, g, nw, wantMode)

	field, err := nw.Field(nil)
	if err != nil {
		t.Fatal(err)
	}
	compareGoldenField(t, "initial field", g, field, g.InitialField)

	if err := nw.EnableDiffLogging(g.Steps); err != nil {
		t.Fatal(err)
	}
	// Replay in the reference's batches: ApplyUpdates may be called
	// repeatedly and the log continues.
	for lo := 0; lo < g.Steps; lo += g.BatchSize {
		if err := nw.ApplyUpdates(g.Units[lo:min(lo+g.BatchSize, g.Steps)]); err != nil {
			t.Fatalf("ApplyUpdates at step %d: %v", lo, err)
		}
	}
	if nw.Steps() != int64(g.Steps) {
		t.Errorf("Steps() = %d, want %d", nw.Steps(), g.Steps)
	}
	log := nw.ConsumeDiffLog()
	if !slices.Equal(log.Updates, g.DiffUpdates) {
		t.Errorf("diff log updates differ from the reference")
	}
	if i := firstDiff(log.Deltas, g.DiffDeltas); i >= 0 {
		t.Errorf("diff log deltas differ from the reference first at step %d (unit %d)", i, g.Units[min(i, len(g.Units)-1)])
	}
	state, err := nw.State(nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(state, g.FinalState) {
		t.Errorf("final state differs from the reference")
	}
	field, err = nw.Field(field)
	if err != nil {
		t.Fatal(err)
	}
	compareGoldenField(t, "final field", g, field, g.FinalField)
}

func firstDiff[T comparable](a, b []T) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}

// compareGoldenField requires got == want bit for bit in dyadic cases and
// within maxFieldULP ulps of want otherwise. Either way got must be a
// value of the case's float type.
func compareGoldenField(t *testing.T, what string, g *goldenCase, got, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if g.WeightDtype == "float32" && float64(float32(got[i])) != got[i] {
			t.Errorf("%s[%d] = %v is not a float32 value", what, i, got[i])
		}
		if g.dyadic() {
			if got[i] != want[i] {
				t.Errorf("%s[%d] = %v, want exactly %v", what, i, got[i], want[i])
				bad++
			}
		} else if d, tol := math.Abs(got[i]-want[i]), maxFieldULP*g.ulp(want[i]); d > tol {
			t.Errorf("%s[%d] = %v, want %v within %.3g (off by %.3g)", what, i, got[i], want[i], tol, d)
			bad++
		}
		if bad > 5 {
			t.Fatalf("%s: too many differences", what)
		}
	}
}

// checkGoldenWeights requires Weights() to export exactly the matrix of the
// file: a *mat.Dense in dense mode, a duplicate-free *sparse.CSC with sorted
// rows in sparse mode.
func checkGoldenWeights(t *testing.T, g *goldenCase, nw *binarynet.Network, mode binarynet.WeightMode) {
	t.Helper()
	w, err := nw.Weights()
	if err != nil {
		t.Fatalf("Weights: %v", err)
	}
	if mode == binarynet.WeightDense {
		d, ok := w.(*mat.Dense)
		if !ok {
			t.Fatalf("dense mode exports %T, want *mat.Dense", w)
		}
		if !mat.Equal(d, g.dense()) {
			t.Errorf("exported dense weights differ from the file")
		}
		return
	}
	c, ok := w.(*sparse.CSC)
	if !ok {
		t.Fatalf("sparse mode exports %T, want *sparse.CSC", w)
	}
	if r, cc := c.Dims(); r != g.N || cc != g.N {
		t.Fatalf("exported weights are %d x %d, want %d x %d", r, cc, g.N, g.N)
	}
	raw := c.RawMatrix()
	if c.NNZ() != len(g.Weights.Values) {
		t.Errorf("exported NNZ = %d, want %d (duplicates or zeros kept?)", c.NNZ(), len(g.Weights.Values))
	}
	// The file lists the entries in CSC order, duplicate-free, so the
	// export must reproduce its three arrays.
	wantPtr := make([]int, g.N+1)
	for _, col := range g.Weights.Cols {
		wantPtr[col+1]++
	}
	for j := range g.N {
		wantPtr[j+1] += wantPtr[j]
	}
	if !slices.Equal(raw.Indptr, wantPtr) {
		t.Errorf("exported indptr differs from the file")
	}
	if !slices.Equal(raw.Ind, g.Weights.Rows) {
		t.Errorf("exported row indices differ from the file")
	}
	if !slices.Equal(raw.Data, g.Weights.Values) {
		t.Errorf("exported values differ from the file")
	}
	if !mat.Equal(c.ToDense(), g.dense()) {
		t.Errorf("exported sparse weights differ from the file as a matrix")
	}
}

// TestGoldenHelpers checks the diff-log helpers on the reference's own diff
// logs against the reference's outputs: reconstructed states and
// population rates at sample intervals 1 and 7, and spike onsets.
func TestGoldenHelpers(t *testing.T) {
	t.Parallel()
	for _, g := range loadGoldenCases(t) {
		t.Run(g.Case, func(t *testing.T) {
			t.Parallel()
			log := binarynet.DiffLog{Updates: g.DiffUpdates, Deltas: g.DiffDeltas}
			for _, k := range []int{1, 7} {
				wantStates, wantRates := g.StatesInterval1, g.RatesInterval1
				if k == 7 {
					wantStates, wantRates = g.StatesInterval7, g.RatesInterval7
				}
				if want := (g.Steps-1)/k + 1; len(wantStates) != want || len(wantRates) != want {
					t.Fatalf("file has %d state and %d rate samples at interval %d, want %d", len(wantStates), len(wantRates), k, want)
				}
				states, err := binarynet.ReconstructStatesFromDiffLogs(g.InitialState, log, k, 0)
				if err != nil {
					t.Fatalf("ReconstructStatesFromDiffLogs(interval %d): %v", k, err)
				}
				if len(states) != len(wantStates) {
					t.Fatalf("interval %d: %d state samples, want %d", k, len(states), len(wantStates))
				}
				for i := range states {
					if !slices.Equal(states[i], wantStates[i]) {
						t.Fatalf("interval %d: state sample %d differs from the reference", k, i)
					}
				}
				rates, err := binarynet.PopulationRatesFromDiffLogs(g.InitialState, log, k, g.ranges(), 0)
				if err != nil {
					t.Fatalf("PopulationRatesFromDiffLogs(interval %d): %v", k, err)
				}
				if len(rates) != len(wantRates) {
					t.Fatalf("interval %d: %d rate samples, want %d", k, len(rates), len(wantRates))
				}
				for i := range rates {
					if len(rates[i]) != len(g.Populations) {
						t.Fatalf("interval %d: rate sample %d has %d populations, want %d", k, i, len(rates[i]), len(g.Populations))
					}
					for p, r := range rates[i] {
						// The reference stores rates as float32: the
						// float64 rate must round to within half a
						// float32 ulp of it (relative 2^-24).
						if w := wantRates[i][p]; math.Abs(r-w) > 0x1p-24*math.Abs(w) {
							t.Fatalf("interval %d: rate[%d][%s] = %v, reference %v", k, i, g.Populations[p].Name, r, w)
						}
					}
				}
			}
			steps, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(log, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(steps) != len(g.SpikeTimes) || len(units) != len(g.SpikeIDs) {
				t.Fatalf("%d onsets, reference has %d", len(steps), len(g.SpikeTimes))
			}
			if len(g.SpikeTimes) == 0 {
				t.Fatalf("reference has no onsets: the case proves nothing")
			}
			for i := range steps {
				if float64(steps[i]) != g.SpikeTimes[i] || units[i] != g.SpikeIDs[i] {
					t.Fatalf("onset %d = (step %d, unit %d), reference (%v, %d)", i, steps[i], units[i], g.SpikeTimes[i], g.SpikeIDs[i])
				}
			}
		})
	}
}

// TestGoldenImportSumsDuplicatesOfCSC builds a COO whose first entry of a
// column is duplicated: james-bowman/sparse's ToCSC leaves exactly these
// unsummed (its NNZ counts both and At returns only the first), so the
// import must sum them itself and the export must be duplicate-free.
func TestGoldenImportSumsDuplicatesOfCSC(t *testing.T) {
	t.Parallel()
	coo := sparse.NewCOO(3, 3, []int{0, 0, 2, 1, 1}, []int{0, 0, 0, 2, 2}, []float64{1, 2, 0.5, -1, 0.25})
	csc := coo.ToCSC()
	want := mat.NewDense(3, 3, []float64{
		3, 0, 0,
		0, 0, -0.75,
		0.5, 0, 0,
	})
	if csc.NNZ() == 3 && csc.At(0, 0) == 3 {
		t.Logf("james-bowman/sparse now sums the duplicates of ToCSC itself")
	}
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		for _, wt := range []binarynet.WeightType{binarynet.Float32, binarynet.Float64} {
			name := fmt.Sprintf("%v/%v", mode, wt)
			nw, err := binarynet.NewNetworkFromWeights("dup", csc, nil, []float64{0, 0, 0}, []int8{1, 0, 1}, binarynet.Options{WeightMode: mode, WeightType: wt})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			w, err := nw.Weights()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !mat.Equal(w, want) {
				t.Errorf("%s: exported weights\n%v\nwant\n%v", name, mat.Formatted(w), mat.Formatted(want))
			}
			if c, ok := w.(*sparse.CSC); ok && c.NNZ() != 3 {
				t.Errorf("%s: exported CSC has %d stored entries, want 3 (duplicate-free)", name, c.NNZ())
			}
			// h = W s with s = (1, 0, 1): (3, -0.75, 0.5).
			field, _ := nw.Field(nil)
			if !slices.Equal(field, []float64{3, -0.75, 0.5}) {
				t.Errorf("%s: field %v, want [3 -0.75 0.5]", name, field)
			}
		}
	}
}
