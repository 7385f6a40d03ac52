package binarynet_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/binarynet/binarynet"
)

// TestWeightModeText checks ParseWeightMode, and that WeightMode reads and
// writes its names as text, so that JSON and YAML files hold "dense"
// rather than 1, and that a wrong name is an error that leaves the value
// unchanged.
func TestWeightModeText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text string
		want binarynet.WeightMode
		err  bool
	}{
		{"", binarynet.WeightAuto, false},
		{"auto", binarynet.WeightAuto, false},
		{"dense", binarynet.WeightDense, false},
		{"sparse", binarynet.WeightSparse, false},
		{"Sparse", 0, true},
		{"Dense", 0, true},
		{"csc", 0, true},
		{"1", 0, true},
	} {
		got, perr := binarynet.ParseWeightMode(tc.text)
		m := binarynet.WeightMode(-7)
		err := m.UnmarshalText([]byte(tc.text))
		if tc.err {
			if !errors.Is(err, binarynet.ErrInvalidParameter) || m != -7 || !errors.Is(perr, binarynet.ErrInvalidParameter) {
				t.Errorf("UnmarshalText(%q) = %v, %v (Parse: %v); want ErrInvalidParameter and the value unchanged", tc.text, m, err, perr)
			}
			continue
		}
		if err != nil || m != tc.want || perr != nil || got != tc.want {
			t.Errorf("UnmarshalText(%q) = %v, %v, ParseWeightMode = %v, %v; want %v", tc.text, m, err, got, perr, tc.want)
		}
	}
	for _, m := range []binarynet.WeightMode{binarynet.WeightAuto, binarynet.WeightDense, binarynet.WeightSparse} {
		b, err := m.MarshalText()
		if err != nil || string(b) != m.String() {
			t.Errorf("%v.MarshalText() = %q, %v; want %q", m, b, err, m.String())
		}
	}
	if b, err := binarynet.WeightMode(3).MarshalText(); !errors.Is(err, binarynet.ErrInvalidParameter) {
		t.Errorf("WeightMode(3).MarshalText() = %q, %v; want ErrInvalidParameter", b, err)
	}
}

// TestWeightTypeText is TestWeightModeText for WeightType and
// ParseWeightType.
func TestWeightTypeText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		text string
		want binarynet.WeightType
		err  bool
	}{
		{"", binarynet.Float32, false},
		{"float32", binarynet.Float32, false},
		{"float64", binarynet.Float64, false},
		{"Float64", 0, true},
		{"f64", 0, true},
	} {
		got, perr := binarynet.ParseWeightType(tc.text)
		w := binarynet.WeightType(-7)
		err := w.UnmarshalText([]byte(tc.text))
		if tc.err {
			if !errors.Is(err, binarynet.ErrInvalidParameter) || w != -7 || !errors.Is(perr, binarynet.ErrInvalidParameter) {
				t.Errorf("UnmarshalText(%q) = %v, %v (Parse: %v); want ErrInvalidParameter and the value unchanged", tc.text, w, err, perr)
			}
			continue
		}
		if err != nil || w != tc.want || perr != nil || got != tc.want {
			t.Errorf("UnmarshalText(%q) = %v, %v, ParseWeightType = %v, %v; want %v", tc.text, w, err, got, perr, tc.want)
		}
	}
	if b, err := binarynet.WeightType(2).MarshalText(); !errors.Is(err, binarynet.ErrInvalidParameter) {
		t.Errorf("WeightType(2).MarshalText() = %q, %v; want ErrInvalidParameter", b, err)
	}
}

// TestOptionTypesJSON checks the round trip of typed fields through JSON,
// as a configuration file holds them, and that a wrong name in a file is
// an error naming the value.
func TestOptionTypesJSON(t *testing.T) {
	t.Parallel()
	type config struct {
		Mode binarynet.WeightMode `json:"mode"`
		Type binarynet.WeightType `json:"type"`
	}
	in := config{binarynet.WeightSparse, binarynet.Float64}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"mode":"sparse","type":"float64"}` {
		t.Fatalf("json.Marshal = %s, %v", b, err)
	}
	var out config
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("json.Unmarshal(%s) = %+v, %v; want %+v", b, out, err, in)
	}
	err = json.Unmarshal([]byte(`{"mode":"csc"}`), &out)
	if !errors.Is(err, binarynet.ErrInvalidParameter) || !strings.Contains(err.Error(), `"csc"`) {
		t.Errorf(`json.Unmarshal of mode "csc": %v; want ErrInvalidParameter naming "csc"`, err)
	}
}

// TestLogBytesBudget checks DiffLogBytes and StepLogBytes against the
// checks of EnableDiffLogging and EnableStepLogging: a log of exactly the
// budget is allowed, one step more is refused.
func TestLogBytesBudget(t *testing.T) {
	t.Parallel()
	if got := binarynet.DiffLogBytes(1000); got != 5000 {
		t.Errorf("DiffLogBytes(1000) = %v, want 5000", got)
	}
	if got := binarynet.StepLogBytes(1000, 4); got != 4000 {
		t.Errorf("StepLogBytes(1000, 4) = %v, want 4000", got)
	}
	const budget = 20000.0 // bytes; the 4-unit network itself needs about 100
	nw := binarynet.NewNetwork("log budget")
	if err := nw.AddPopulation(&binarynet.BinaryNeuronPopulation{Name: "E", N: 4, Tau: 1}); err != nil {
		t.Fatal(err)
	}
	if err := nw.Initialize(binarynet.Options{RAMBudgetGB: budget / (1 << 30)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		enable func(int) error
		steps  int // steps that fill the budget exactly
	}{
		{"diff", nw.EnableDiffLogging, int(budget / binarynet.DiffLogBytes(1))},
		{"step", nw.EnableStepLogging, int(budget / binarynet.StepLogBytes(1, 4))},
	} {
		if err := tc.enable(tc.steps); err != nil {
			t.Errorf("%s log of %d steps (the budget): %v", tc.name, tc.steps, err)
		}
		if err := tc.enable(tc.steps + 1); !errors.Is(err, binarynet.ErrMemoryBudget) {
			t.Errorf("%s log of %d steps (over the budget): %v, want ErrMemoryBudget", tc.name, tc.steps+1, err)
		}
		if err := tc.enable(0); err != nil {
			t.Errorf("%s log off: %v", tc.name, err)
		}
	}
}
