package sweep_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/binarynet/binarynet/sweep"
)

func mustAxis(t *testing.T, s string) sweep.Axis {
	t.Helper()
	a, err := sweep.ParseAxis(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestGridOverrides(t *testing.T) {
	g := &sweep.Grid{
		Fixed:          []sweep.Override{{Key: "label", Value: "x"}},
		Axes:           []sweep.Axis{mustAxis(t, "kappa=0:1:0.5"), mustAxis(t, "R_j=0.75,0.8")},
		Networks:       2,
		NetworkSeed:    10,
		NetworkSeedKey: "seed",
		InitSeeds:      2,
		InitSeed:       100,
		InitSeedKey:    "init_seed",
	}
	sets, err := g.Overrides()
	if err != nil {
		t.Fatal(err)
	}
	if len(sets) != 3*2*2*2 {
		t.Fatalf("%d tasks, want 24", len(sets))
	}
	join := func(i int) string {
		var s []string
		for _, o := range sets[i] {
			s = append(s, o.String())
		}
		return strings.Join(s, " ")
	}
	for i, want := range map[int]string{
		0:  "label=x kappa=0.0 R_j=0.75 seed=10 init_seed=100",
		1:  "label=x kappa=0.0 R_j=0.75 seed=10 init_seed=101",
		2:  "label=x kappa=0.0 R_j=0.75 seed=11 init_seed=100",
		4:  "label=x kappa=0.0 R_j=0.8 seed=10 init_seed=100",
		8:  "label=x kappa=0.5 R_j=0.75 seed=10 init_seed=100",
		23: "label=x kappa=1.0 R_j=0.8 seed=11 init_seed=101",
	} {
		if got := join(i); got != want {
			t.Errorf("task %d: %s, want %s", i, got, want)
		}
	}
	if got := strings.Join(g.SweptKeys(), ","); got != "kappa,R_j,seed,init_seed" {
		t.Errorf("swept keys %s", got)
	}
}

func TestGridErrors(t *testing.T) {
	big := sweep.Axis{Key: "x", Values: make([]string, 1000)}
	for _, tc := range []struct {
		name    string
		g       sweep.Grid
		mention string
	}{
		{"axis twice", sweep.Grid{Axes: []sweep.Axis{{Key: "kappa", Values: []string{"1"}}, {Key: "kappa", Values: []string{"2"}}}}, "kappa"},
		{"axis and override", sweep.Grid{Fixed: []sweep.Override{{Key: "kappa", Value: "1"}}, Axes: []sweep.Axis{{Key: "kappa", Values: []string{"2"}}}}, "kappa"},
		{"axis and seed", sweep.Grid{Axes: []sweep.Axis{{Key: "seed", Values: []string{"2"}}}, Networks: 2, NetworkSeedKey: "seed"}, "seed"},
		{"negative networks", sweep.Grid{Networks: -1, NetworkSeedKey: "seed"}, "-networks -1"},
		{"negative inits", sweep.Grid{InitSeeds: -2, InitSeedKey: "s"}, "-init-seeds -2"},
		{"too many", sweep.Grid{Axes: []sweep.Axis{big, {Key: "y", Values: big.Values}}, Networks: 2, NetworkSeedKey: "seed"}, "more than"},
		{"seed overflow", sweep.Grid{Networks: 3, NetworkSeed: 1<<64 - 2, NetworkSeedKey: "seed"}, "overflow"},
		{"bad seed key", sweep.Grid{Networks: 3, NetworkSeedKey: "a b"}, `"a b"`},
	} {
		_, err := tc.g.Overrides()
		if !errors.Is(err, sweep.ErrInput) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: err = %v, want ErrInput mentioning %s", tc.name, err, tc.mention)
		}
	}
}
