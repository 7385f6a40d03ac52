package binarynet_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/binarynet/binarynet"
)

// TestScenarioWeightMode checks that a scenario file's weight_mode is
// read as a WeightMode and that a wrong one is refused when the file is
// read.
func TestScenarioWeightMode(t *testing.T) {
	t.Parallel()
	const file = `{"scenarios": {"a": {"weight_mode": %s, "populations": [], "synapses": [], "warmup": 0, "steps": 0}}}`
	for _, tc := range []struct {
		mode string
		want binarynet.WeightMode
		err  bool
	}{
		{`"dense"`, binarynet.WeightDense, false},
		{`"sparse"`, binarynet.WeightSparse, false},
		{`""`, binarynet.WeightAuto, false},
		{`"denser"`, 0, true},
		{`1`, 0, true},
	} {
		f, err := binarynet.ReadScenarioFile(strings.NewReader(strings.Replace(file, "%s", tc.mode, 1)))
		if tc.err {
			if !errors.Is(err, binarynet.ErrInvalidParameter) {
				t.Errorf("weight_mode %s: %v; want ErrInvalidParameter", tc.mode, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("weight_mode %s: %v", tc.mode, err)
		}
		sc, _ := f.Lookup("a")
		if got, err := sc.Mode(); err != nil || got != tc.want {
			t.Errorf("weight_mode %s: Mode() = %v, %v; want %v", tc.mode, got, err, tc.want)
		}
	}
	if _, err := (binarynet.Scenario{WeightMode: 5}).Mode(); !errors.Is(err, binarynet.ErrInvalidParameter) {
		t.Errorf("Scenario{WeightMode: 5}.Mode() error %v, want ErrInvalidParameter", err)
	}
}
