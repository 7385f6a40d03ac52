package npz

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"codeberg.org/sbinet/npyio/npy"
	"github.com/binarynet/binarynet"
)

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
	rates, err := binarynet.PopulationRatesFromDiffLogs(initial, log, 1, []binarynet.Range{{Start: 0, End: 1}, {Start: 1, End: 4}}, 0)
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
		{"states from float64", [][]float64{{0}}, func(b *bytes.Buffer) error { _, err := ReadStates(b); return err }, binarynet.ErrInvalidParameter},
		{"states 1-d", []int8{0, 1}, func(b *bytes.Buffer) error { _, err := ReadStates(b); return err }, binarynet.ErrShape},
		{"state 3", [][]int8{{0, 3}}, func(b *bytes.Buffer) error { _, err := ReadStates(b); return err }, binarynet.ErrInvalidParameter},
		{"rates from int8", [][]int8{{0}}, func(b *bytes.Buffer) error { _, err := ReadRates(b); return err }, binarynet.ErrInvalidParameter},
		{"rates 1-d", []float64{0}, func(b *bytes.Buffer) error { _, err := ReadRates(b); return err }, binarynet.ErrShape},
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

// TestMatrixNumPy loads the .npy files of WriteStates and WriteRates with
// numpy itself.
func TestMatrixNumPy(t *testing.T) {
	t.Parallel()
	py := pythonNumPy(t)
	dir := t.TempDir()
	states := filepath.Join(dir, "states.npy")
	rates := filepath.Join(dir, "rates.npy")
	if err := os.WriteFile(states, func() []byte {
		var b bytes.Buffer
		if err := WriteStates(&b, [][]int8{{0, 1, 1}, {1, 0, 0}}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rates, func() []byte {
		var b bytes.Buffer
		if err := WriteRates(&b, [][]float64{{0.25, 0.5}, {0.75, 1}, {0, 1.0 / 3}}); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", `import sys, numpy as np
s = np.load(sys.argv[1]); r = np.load(sys.argv[2])
print(s.dtype.str, s.shape, s.tolist(), r.dtype.str, r.shape, repr(r[2, 1]))`, states, rates).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	if want := "|i1 (2, 3) [[0, 1, 1], [1, 0, 0]] <f8 (3, 2) 0.3333333333333333"; strings.TrimSpace(string(out)) != want {
		t.Errorf("numpy reads %q, want %q", out, want)
	}
}

// TestIssue9ReadStatesUint8 reads states saved by numpy as uint8, the
// toolkit's type for neuron_states (testdata/gen_difflog.py); ReadStates
// used to accept int8 only.
func TestIssue9ReadStatesUint8(t *testing.T) {
	t.Parallel()
	f, err := os.Open(filepath.Join("testdata", "states_uint8.npy"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got, err := ReadStates(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]int8{{0, 1, 1}, {1, 0, 0}}; !reflect.DeepEqual(got, want) {
		t.Errorf("states %v, want %v", got, want)
	}
}
