package npz

import (
	"archive/zip"
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
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
		{"times", Recording{
			Initial: []int8{0, 1},
			Log:     binarynet.DiffLog{Updates: []int32{0, 1, 1}, Deltas: []int8{1, -1, 0}, Times: []float64{0.25, 0.5, 1.75}},
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

// TestDiffLogFromNetwork records a short run of a real network in
// continuous time, saves it to a file and checks that the loaded log
// replays to the same states, with the same times.
func TestDiffLogFromNetwork(t *testing.T) {
	t.Parallel()
	p := binarynet.DefaultClusteredParams()
	p.Q, p.NE, p.NI, p.REPlus = 3, 24, 6, new(1.5)
	nw, l, err := binarynet.NewClusteredNetwork("rec", p, binarynet.Options{Seed: 3, ContinuousTime: true})
	if err != nil {
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
	if want := 2 * 3; len(rec.Names) != want || rec.Names[0] != "E0" || rec.Names[want-1] != "I2" {
		t.Fatalf("names = %v, want E0..E2, I0..I2", rec.Names)
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
	want, _ := binarynet.ReconstructStatesFromDiffLogs(rec.Initial, rec.Log, 50, 0)
	replay, err := binarynet.ReconstructStatesFromDiffLogs(got.Initial, got.Log, 50, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(replay, want) {
		t.Error("loaded diff log replays to different states")
	}
	if len(got.Log.Times) != 500 || !reflect.DeepEqual(got.Log.Times, rec.Log.Times) {
		t.Errorf("loaded %d times, want the 500 recorded", len(got.Log.Times))
	}
}

// makeArchive builds a zip of .npy entries for error tests.
func makeArchive(t *testing.T, entries map[string]any) []byte {
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
		return makeArchive(t, m)
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"not a zip", []byte("hello"), binarynet.ErrInvalidParameter},
		{"no updates", with(KeyUpdates, nil), binarynet.ErrInvalidParameter},
		{"float updates", with(KeyUpdates, []float64{0, 1}), binarynet.ErrInvalidParameter},
		{"2-d deltas", with(KeyDeltas, [][]int8{{1}, {0}}), binarynet.ErrShape},
		{"negative update", with(KeyUpdates, []int64{0, -1}), binarynet.ErrInvalidParameter},
		{"short deltas", with(KeyDeltas, []int8{1}), binarynet.ErrShape},
		{"delta 2", with(KeyDeltas, []int8{2, 0}), binarynet.ErrInvalidParameter},
		{"unit out of range", with(KeyUpdates, []int32{0, 2}), binarynet.ErrInvalidParameter},
		{"state 2", with(KeyInitialState, []int8{0, 2}), binarynet.ErrInvalidParameter},
		{"ranges 1-d", with(KeyPopulationRanges, []int64{0, 2}), binarynet.ErrShape},
		{"range past the end", with(KeyPopulationRanges, [][2]int64{{0, 3}}), binarynet.ErrInvalidParameter},
		{"names without ranges", with(KeyPopulationNames, []string{"a"}), binarynet.ErrShape},
		{"int times", with(KeyTimes, []int64{1, 2}), binarynet.ErrInvalidParameter},
		{"short times", with(KeyTimes, []float64{1}), binarynet.ErrShape},
		{"2-d times", with(KeyTimes, [][]float64{{1}, {2}}), binarynet.ErrShape},
		{"decreasing times", with(KeyTimes, []float64{2, 1}), binarynet.ErrInvalidParameter},
		{"NaN time", with(KeyTimes, []float64{1, math.NaN()}), binarynet.ErrInvalidParameter},
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

// numpyRecording is the content of the archives made by
// testdata/gen_difflog.py.
func numpyRecording(withPopulations bool) Recording {
	rec := Recording{
		Initial: []int8{0, 1, 0, 0, 1},
		Log:     binarynet.DiffLog{Updates: []int32{2, 1, 4, 0, 2}, Deltas: []int8{1, -1, 0, 1, -1}},
		Names:   []string{},
		Ranges:  []binarynet.Range{},
	}
	if withPopulations {
		rec.Names = []string{"E0", "I0"}
		rec.Ranges = []binarynet.Range{{Start: 0, End: 3}, {Start: 3, End: 5}}
	}
	return rec
}

// TestIssue9ReadDiffLogNumPyDtypes reads archives written by numpy with
// its default int64 arrays and uint8 states, with the Python module's
// uint16 ids in logs of shape (1, T), with big-endian types and byte
// strings, and in the toolkit's trace layout. ReadDiffLog used to reject
// every one of them.
func TestIssue9ReadDiffLogNumPyDtypes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file        string
		populations bool
	}{
		{"difflog_numpy.npz", true},
		{"difflog_int64.npz", true},
		{"difflog_uint16.npz", false},
		{"difflog_bigendian.npz", true},
		{"difflog_trace.npz", true},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			got, err := LoadDiffLog(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if want := numpyRecording(tc.populations); !reflect.DeepEqual(*got, want) {
				t.Errorf("got %+v\nwant %+v", *got, want)
			}
		})
	}
}

// TestIssue9ReadDiffLogDtypeErrors checks that a dtype or range problem is
// reported as such, naming the array and its dtype, not as "mismatched
// shapes" as it used to be.
func TestIssue9ReadDiffLogDtypeErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file string
		want []string // substrings of the message
	}{
		{"difflog_float_updates.npz", []string{`"updates"`, "<f8", "integer dtype"}},
		{"difflog_huge_id.npz", []string{`"updates"`, "<i8", "1099511627776", "index 4", "2147483647"}},
		{"difflog_huge_delta.npz", []string{`"deltas"`, "<i8", "300", "[-128, 127]"}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			_, err := LoadDiffLog(filepath.Join("testdata", tc.file))
			if !errors.Is(err, binarynet.ErrInvalidParameter) {
				t.Fatalf("error = %v, want ErrInvalidParameter", err)
			}
			msg := err.Error()
			if errors.Is(err, binarynet.ErrShape) || strings.Contains(msg, "mismatched shapes") {
				t.Errorf("dtype problem reported as a shape problem: %v", err)
			}
			for _, s := range tc.want {
				if !strings.Contains(msg, s) {
					t.Errorf("error %q does not contain %q", msg, s)
				}
			}
		})
	}
}

// TestIssue9SaveDiffLogAtomic checks that SaveDiffLog leaves an existing
// file untouched, with no temporary file beside it, when it fails. It used
// to truncate the file with os.Create before checking the recording.
func TestIssue9SaveDiffLogAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "difflog.npz")
	good := numpyRecording(true)
	if err := SaveDiffLog(name, &good); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	bad := numpyRecording(true)
	bad.Log.Deltas = bad.Log.Deltas[:2] // does not match the updates
	if err := SaveDiffLog(name, &bad); !errors.Is(err, binarynet.ErrShape) {
		t.Fatalf("SaveDiffLog of a bad recording: %v, want ErrShape", err)
	}
	after, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("failed SaveDiffLog changed the file: %d bytes before, %d after", len(before), len(after))
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("directory holds %d entries, want only difflog.npz", len(es))
	}
	if got, err := LoadDiffLog(name); err != nil || !reflect.DeepEqual(*got, good) {
		t.Errorf("file no longer holds the first recording: %v", err)
	}
}

// TestIssue9NewRecordingLivePopulation changes the population structs
// after the network took them: NewRecording must keep the names and
// ranges the network recorded. It used to read the live structs (the name
// through a type switch).
func TestIssue9NewRecordingLivePopulation(t *testing.T) {
	t.Parallel()
	nw := binarynet.NewNetwork("live")
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 3, Tau: 1, Threshold: 0.5, Initializer: binarynet.ConstantInit(0)}
	bg := &binarynet.BackgroundActivity{Name: "bg", N: 2, Tau: 1, Activity: 1}
	for _, p := range []binarynet.Population{e, bg} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	if err := nw.AddSynapse(binarynet.NewAllToAllSynapse(bg, e, 1)); err != nil {
		t.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{Seed: 1}); err != nil {
		t.Fatal(err)
	}
	initial, _ := nw.State(nil)
	if err := nw.EnableDiffLogging(10); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(10, 10); err != nil {
		t.Fatal(err)
	}
	// A parameter sweep reusing the structs for its next network.
	e.Name, e.N, bg.Name, bg.N = "E-next", 1000, "bg-next", 7
	rec, err := NewRecording(nw, initial, nw.ConsumeDiffLog())
	if err != nil {
		t.Fatal(err)
	}
	wantNames := []string{"E", "bg"}
	wantRanges := []binarynet.Range{{Start: 0, End: 3}, {Start: 3, End: 5}}
	if !reflect.DeepEqual(rec.Names, wantNames) || !reflect.DeepEqual(rec.Ranges, wantRanges) {
		t.Errorf("recording populations %v %v, want %v %v", rec.Names, rec.Ranges, wantNames, wantRanges)
	}
}
