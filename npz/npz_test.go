package npz

import (
	"archive/zip"
	"bytes"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
	"github.com/binarynet/binarynet"
)

func TestDiffLogRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rec  Recording
	}{
		{"empty log", Recording{
			Initial: []int8{0, 1, 0},
			Log:     binarynet.DiffLog{Updates: []int32{}, Deltas: []int8{}},
			Names:   []string{"all"},
			Ranges:  []binarynet.Range{{Start: 0, End: 3}},
		}},
		{"no populations", Recording{
			Initial: []int8{1, 0},
			Log:     binarynet.DiffLog{Updates: []int32{0, 1, 1}, Deltas: []int8{-1, 1, 0}},
			Names:   []string{},
			Ranges:  []binarynet.Range{},
		}},
		{"clusters", Recording{
			Initial: []int8{0, 0, 1, 1, 0, 1},
			Log: binarynet.DiffLog{
				Updates: []int32{5, 0, 2, 3, 4, 1, 0},
				Deltas:  []int8{-1, 1, -1, 0, 1, 1, -1},
			},
			Names:  []string{"E0", "E1", "I0", "background"},
			Ranges: []binarynet.Range{{Start: 0, End: 2}, {Start: 2, End: 4}, {Start: 4, End: 5}, {Start: 5, End: 6}},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := WriteDiffLog(&buf, &tc.rec); err != nil {
				t.Fatal(err)
			}
			got, err := ReadDiffLog(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*got, tc.rec) {
				t.Errorf("round trip:\n got %+v\nwant %+v", *got, tc.rec)
			}
		})
	}
}

// TestDiffLogFromNetwork records a short run of a real network, saves it
// to a file and checks that the loaded log replays to the same states.
func TestDiffLogFromNetwork(t *testing.T) {
	t.Parallel()
	nw, l, err := binarynet.NewClusteredNetwork("rec", binarynet.ClusteredParams{
		Q: 3, NE: 8, NI: 2, P: [2][2]float64{{0.5, 0.5}, {0.5, 0.5}}, G: 1.2,
		ThresholdE: 1, ThresholdI: 1, PEPlus: 1.5, RJ: 0.75, Drive: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{Seed: 3}); err != nil {
		t.Fatal(err)
	}
	initial, _ := nw.State(nil)
	if err := nw.EnableDiffLogging(500); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(500, 100); err != nil {
		t.Fatal(err)
	}
	rec, err := NewRecording(nw, initial, nw.ConsumeDiffLog())
	if err != nil {
		t.Fatal(err)
	}
	if want := 2*3 + 1; len(rec.Names) != want || rec.Names[0] != "E0" || rec.Names[want-1] != "background" {
		t.Fatalf("names = %v, want E0..E2, I0..I2, background", rec.Names)
	}
	if rec.Ranges[3] != l.IRanges[0] {
		t.Errorf("range of I0 = %v, want %v", rec.Ranges[3], l.IRanges[0])
	}
	name := filepath.Join(t.TempDir(), "difflog.npz")
	if err := SaveDiffLog(name, rec); err != nil {
		t.Fatal(err)
	}
	got, err := LoadDiffLog(name)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := binarynet.ReconstructStatesFromDiffLogs(rec.Initial, rec.Log, 50)
	replay, err := binarynet.ReconstructStatesFromDiffLogs(got.Initial, got.Log, 50)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(replay, want) {
		t.Error("loaded diff log replays to different states")
	}
}

// TestReadDiffLogNumPy reads an archive written by numpy.savez_compressed
// (testdata/gen_difflog.py), so the format is checked against NumPy
// without running Python.
func TestReadDiffLogNumPy(t *testing.T) {
	t.Parallel()
	got, err := LoadDiffLog(filepath.Join("testdata", "difflog_numpy.npz"))
	if err != nil {
		t.Fatal(err)
	}
	want := Recording{
		Initial: []int8{0, 1, 0, 0, 1},
		Log:     binarynet.DiffLog{Updates: []int32{2, 1, 4, 0, 2}, Deltas: []int8{1, -1, 0, 1, -1}},
		Names:   []string{"E0", "I0"},
		Ranges:  []binarynet.Range{{Start: 0, End: 3}, {Start: 3, End: 5}},
	}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("numpy archive:\n got %+v\nwant %+v", *got, want)
	}
}

// archive builds a zip of .npy entries for error tests.
func archive(t *testing.T, entries map[string]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for key, v := range entries {
		f, err := zw.Create(key + ".npy")
		if err != nil {
			t.Fatal(err)
		}
		if err := npy.Write(f, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadDiffLogErrors(t *testing.T) {
	t.Parallel()
	good := func() map[string]any {
		return map[string]any{
			KeyUpdates:      []int32{0, 1},
			KeyDeltas:       []int8{1, 0},
			KeyInitialState: []int8{0, 1},
		}
	}
	with := func(key string, v any) []byte {
		m := good()
		if v == nil {
			delete(m, key)
		} else {
			m[key] = v
		}
		return archive(t, m)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"not a zip", []byte("hello"), binarynet.ErrInvalidParameter},
		{"no updates", with(KeyUpdates, nil), binarynet.ErrInvalidParameter},
		{"int64 updates", with(KeyUpdates, []int64{0, 1}), binarynet.ErrShape},
		{"2-d deltas", with(KeyDeltas, [][]int8{{1, 0}}), binarynet.ErrShape},
		{"short deltas", with(KeyDeltas, []int8{1}), binarynet.ErrShape},
		{"delta 2", with(KeyDeltas, []int8{2, 0}), binarynet.ErrInvalidParameter},
		{"unit out of range", with(KeyUpdates, []int32{0, 2}), binarynet.ErrInvalidParameter},
		{"state 2", with(KeyInitialState, []int8{0, 2}), binarynet.ErrInvalidParameter},
		{"ranges 1-d", with(KeyPopulationRanges, []int64{0, 2}), binarynet.ErrShape},
		{"range past the end", with(KeyPopulationRanges, [][2]int64{{0, 3}}), binarynet.ErrInvalidParameter},
		{"names without ranges", with(KeyPopulationNames, []string{"a"}), binarynet.ErrShape},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadDiffLog(bytes.NewReader(tc.data), int64(len(tc.data)))
			if !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestWriteDiffLogErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rec  *Recording
		want error
	}{
		{"nil", nil, binarynet.ErrInvalidParameter},
		{"mismatched log", &Recording{Initial: []int8{0}, Log: binarynet.DiffLog{Updates: []int32{0}}}, binarynet.ErrShape},
		{"names and ranges", &Recording{Initial: []int8{0}, Names: []string{"a", "b"}, Ranges: []binarynet.Range{{Start: 0, End: 1}}}, binarynet.ErrShape},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			err := WriteDiffLog(&buf, tc.rec)
			if !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes for an invalid recording", buf.Len())
			}
		})
	}
}

func TestStatesRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		states [][]int8
	}{
		{"none", [][]int8{}},
		{"one unit", [][]int8{{1}, {0}}},
		{"samples", [][]int8{{0, 1, 1}, {1, 1, 0}, {0, 0, 0}, {1, 0, 1}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := WriteStates(&buf, tc.states); err != nil {
				t.Fatal(err)
			}
			got, err := ReadStates(&buf)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.states) {
				t.Errorf("got %v, want %v", got, tc.states)
			}
		})
	}
}

func TestRatesRoundTrip(t *testing.T) {
	t.Parallel()
	initial := []int8{0, 1, 0, 1}
	log := binarynet.DiffLog{Updates: []int32{0, 3, 2, 1}, Deltas: []int8{1, -1, 1, 0}}
	rates, err := binarynet.PopulationRatesFromDiffLogs(initial, log, 1, []binarynet.Range{{Start: 0, End: 1}, {Start: 1, End: 4}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		rates [][]float64
	}{
		{"none", [][]float64{}},
		{"from a diff log", rates},
		{"odd values", [][]float64{{1.0 / 3, math.Copysign(0, -1), 1e-300, math.Inf(-1)}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := WriteRates(&buf, tc.rates); err != nil {
				t.Fatal(err)
			}
			got, err := ReadRates(&buf)
			if err != nil {
				t.Fatal(err)
			}
			// Bit for bit, so that -0 and +0 differ.
			same := len(got) == len(tc.rates)
			for i := 0; same && i < len(got); i++ {
				same = len(got[i]) == len(tc.rates[i])
				for j := 0; same && j < len(got[i]); j++ {
					same = math.Float64bits(got[i][j]) == math.Float64bits(tc.rates[i][j])
				}
			}
			if !same {
				t.Errorf("got %v, want %v", got, tc.rates)
			}
		})
	}
}

func TestMatrixErrors(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteStates(&buf, [][]int8{{0, 1}, {1}}); !errors.Is(err, binarynet.ErrShape) {
		t.Errorf("ragged states: error = %v, want ErrShape", err)
	}
	if err := WriteRates(&buf, [][]float64{{0}, {}}); !errors.Is(err, binarynet.ErrShape) {
		t.Errorf("ragged rates: error = %v, want ErrShape", err)
	}
	for _, tc := range []struct {
		name string
		v    any
		read func(*bytes.Buffer) error
		want error
	}{
		{"states from float64", [][]float64{{0}}, func(b *bytes.Buffer) error { _, err := ReadStates(b); return err }, binarynet.ErrShape},
		{"states 1-d", []int8{0, 1}, func(b *bytes.Buffer) error { _, err := ReadStates(b); return err }, binarynet.ErrShape},
		{"state 3", [][]int8{{0, 3}}, func(b *bytes.Buffer) error { _, err := ReadStates(b); return err }, binarynet.ErrInvalidParameter},
		{"rates from int8", [][]int8{{0}}, func(b *bytes.Buffer) error { _, err := ReadRates(b); return err }, binarynet.ErrShape},
		{"not npy", "garbage", func(b *bytes.Buffer) error { _, err := ReadRates(b); return err }, binarynet.ErrInvalidParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if s, ok := tc.v.(string); ok {
				b.WriteString(s)
			} else if err := npy.Write(&b, tc.v); err != nil {
				t.Fatal(err)
			}
			if err := tc.read(&b); !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
}
