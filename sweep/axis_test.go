package sweep_test

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/binarynet/binarynet/sweep"
)

func TestParseAxis(t *testing.T) {
	for _, tc := range []struct {
		in   string
		key  string
		want []string
	}{
		{"kappa=0:1:0.125", "kappa", []string{"0.0", "0.125", "0.25", "0.375", "0.5", "0.625", "0.75", "0.875", "1.0"}},
		// 0.2 + 2 * 0.05 is 0.30000000000000004 in floats; exact here.
		{"p=0.2:0.3:0.05", "p", []string{"0.2", "0.25", "0.3"}},
		// Repeated float addition reaches 0.30000000000000004 and drops 0.3.
		{"x=0.1:0.3:0.1", "x", []string{"0.1", "0.2", "0.3"}},
		{"seed=1:5:1", "seed", []string{"1", "2", "3", "4", "5"}},
		{"seed=1:10:4", "seed", []string{"1", "5", "9"}},
		{"x=0:1:0.3", "x", []string{"0.0", "0.3", "0.6", "0.9"}},
		{"x=1:0:-0.25", "x", []string{"1.0", "0.75", "0.5", "0.25", "0.0"}},
		{"x=-0.5:0.5:0.5", "x", []string{"-0.5", "0.0", "0.5"}},
		{"x=1e-3:3e-3:1e-3", "x", []string{"0.001", "0.002", "0.003"}},
		{"x=2:2:1", "x", []string{"2"}},
		{"x=1:2:1.0", "x", []string{"1.0", "2.0"}},
		{"R_j=0.75,0.8", "R_j", []string{"0.75", "0.8"}},
		{" R_j = 0.75 , 0.8 ", "R_j", []string{"0.75", "0.8"}},
		{"connection_type=poisson,fixed-indegree", "connection_type", []string{"poisson", "fixed-indegree"}},
		{"binary.population_rate_init=[0.1, 0.2],0.3", "binary.population_rate_init", []string{"[0.1, 0.2]", "0.3"}},
		{"binary.seed=7", "binary.seed", []string{"7"}},
	} {
		a, err := sweep.ParseAxis(tc.in)
		if err != nil {
			t.Errorf("ParseAxis(%q): %v", tc.in, err)
			continue
		}
		if a.Key != tc.key || !slices.Equal(a.Values, tc.want) {
			t.Errorf("ParseAxis(%q) = %s %q, want %s %q", tc.in, a.Key, a.Values, tc.key, tc.want)
		}
	}
}

// TestParseAxisNoDrift checks that the last value of 0:1:0.125 is exactly
// 1 and that every value of a fine range parses to the float nearest its
// decimal, i.e. to what start + i*step is in decimal.
func TestParseAxisNoDrift(t *testing.T) {
	a, err := sweep.ParseAxis("kappa=0:1:0.125")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Values) != 9 {
		t.Fatalf("%d values, want 9", len(a.Values))
	}
	if v, _ := strconv.ParseFloat(a.Values[8], 64); v != 1 {
		t.Errorf("last value %s parses to %v, want exactly 1", a.Values[8], v)
	}
	b, err := sweep.ParseAxis("x=0:10:0.01")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Values) != 1001 {
		t.Fatalf("%d values, want 1001", len(b.Values))
	}
	for i, s := range b.Values {
		want := fmt.Sprintf("%d.%02d", i/100, i%100)
		want = strings.TrimSuffix(want, "0")
		if strings.HasSuffix(want, ".") {
			want += "0"
		}
		if s != want {
			t.Fatalf("value %d = %s, want %s", i, s, want)
		}
	}
}

func TestParseAxisErrors(t *testing.T) {
	for _, tc := range []struct {
		in, mention string
	}{
		{"kappa=1:0:0.1", "1:0:0.1"},
		{"kappa=0:1:0", "step is 0"},
		{"kappa=0:1:-0.1", "0:1:-0.1"},
		{"kappa=a:1:0.1", `"a"`},
		{"kappa=0:1:x", `"x"`},
		{"kappa=0:1", "0:1"},
		{"kappa=0:1:0.1:2", "0:1:0.1:2"},
		{"kappa=0:1:1e-9", "more than"},
		{"kappa=0:1e99999:1", "1e99999"},
		{"kappa", `"kappa"`},
		{"=1,2", `""`},
		{"ka ppa=1,2", `"ka ppa"`},
		{"kappa=1,,2", "empty"},
		{"kappa=", "empty"},
		{"1kappa=1", `"1kappa"`},
		{"kappa=0x10:1:1", "0x10"},
	} {
		_, err := sweep.ParseAxis(tc.in)
		if !errors.Is(err, sweep.ErrInput) {
			t.Errorf("ParseAxis(%q): err = %v, want ErrInput", tc.in, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("ParseAxis(%q): error %q does not mention %s", tc.in, err, tc.mention)
		}
	}
}

func ExampleParseAxis() {
	a, _ := sweep.ParseAxis("kappa=0:1:0.125")
	fmt.Println(a.Key, len(a.Values), a.Values)
	b, _ := sweep.ParseAxis("R_j=0.75,0.8")
	fmt.Println(b.Key, b.Values)
	// Output:
	// kappa 9 [0.0 0.125 0.25 0.375 0.5 0.625 0.75 0.875 1.0]
	// R_j [0.75 0.8]
}
