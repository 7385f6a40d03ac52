package binarynet_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/binarynet/binarynet"
)

// mixedNetwork builds a network with every kind of population: threshold
// units E and I, a stochastic background whose activity is activity(step),
// and a fixed background, with connections from every population onto E
// and I.
func mixedNetwork(t *testing.T, mode binarynet.WeightMode, activity func(int64) float64) *binarynet.Network {
	t.Helper()
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 300, Tau: 10, Threshold: 1}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 100, Tau: 5, Threshold: 0.5}
	rnd := &binarynet.BackgroundActivity{Name: "rnd", N: 50, Tau: 3, ActivityFunc: activity, Stochastic: true}
	fixed := &binarynet.BackgroundActivity{Name: "fixed", N: 20, Tau: 1, Activity: 0.5}
	nw := binarynet.NewNetwork("mixed")
	for _, p := range []binarynet.Population{e, i, rnd, fixed} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, pre := range []binarynet.Population{e, i, rnd, fixed} {
		j := 0.4
		if pre == binarynet.Population(i) {
			j = -0.8
		}
		for _, post := range []binarynet.Population{e, i} {
			mustAdd(t, nw, binarynet.NewPairwiseBernoulliSynapse(pre, post, 0.1, j))
		}
	}
	mustInit(t, nw, binarynet.Options{WeightMode: mode, Seed: 17, Workers: 1})
	return nw
}

// runLogged runs steps updates in batches of batch with diff logging and
// returns the log and the final state.
func runLogged(t *testing.T, nw *binarynet.Network, steps, batch int) (binarynet.DiffLog, []int8) {
	t.Helper()
	if err := nw.EnableDiffLogging(steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(steps, batch); err != nil {
		t.Fatal(err)
	}
	state, err := nw.State(nil)
	if err != nil {
		t.Fatal(err)
	}
	return nw.ConsumeDiffLog(), state
}

// TestIssue9MixedRunBatchInvariance checks that a network with stochastic
// and fixed background populations, which now goes through the same
// lookahead loop as threshold units, gives the same trajectory for every
// batch size, including batches that end inside a lookahead block.
func TestIssue9MixedRunBatchInvariance(t *testing.T) {
	t.Parallel()
	const steps = 3000
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		want, wantState := runLogged(t, mixedNetwork(t, mode, func(int64) float64 { return 0.3 }), steps, steps)
		var up, down int
		for _, d := range want.Deltas {
			switch d {
			case 1:
				up++
			case -1:
				down++
			}
		}
		if up < 50 || down < 50 {
			t.Fatalf("%v: test network too quiet: %d up and %d down transitions", mode, up, down)
		}
		for _, batch := range []int{1, 7, 255, 256, 257, 1000} {
			got, state := runLogged(t, mixedNetwork(t, mode, func(int64) float64 { return 0.3 }), steps, batch)
			if !slices.Equal(got.Updates, want.Updates) || !slices.Equal(got.Deltas, want.Deltas) || !slices.Equal(state, wantState) {
				t.Errorf("%v: batch %d gives another trajectory than batch %d", mode, batch, steps)
			}
		}
	}
}

// TestIssue9ActivityErrorRewind checks that a run stopped by a background
// activity outside [0, 1] has taken exactly the steps before the failed
// one and leaves the unit selection where the step-by-step loop left it:
// the failed step's unit is drawn, and the next run goes on with the next
// unit of the selection stream. Units are drawn ahead in blocks, so
// without the rewind the next run would start at the end of a block.
func TestIssue9ActivityErrorRewind(t *testing.T) {
	t.Parallel()
	const steps, failAt = 3000, 1234
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		// The selection stream does not depend on the states: the units of
		// an uninterrupted run are the stream's draws.
		want, _ := runLogged(t, mixedNetwork(t, mode, func(int64) float64 { return 0.3 }), steps, steps)
		// Fail at the first update of the stochastic background (units 400
		// to 449) at or after failAt, where the activity is read.
		at := failAt
		for at < steps && !(want.Updates[at] >= 400 && want.Updates[at] < 450) {
			at++
		}
		if at == steps {
			t.Fatalf("%v: no background update after step %d", mode, failAt)
		}
		failed := false
		nw := mixedNetwork(t, mode, func(step int64) float64 {
			if step == int64(at) && !failed {
				failed = true
				return 1.5
			}
			return 0.3
		})
		if err := nw.EnableDiffLogging(steps); err != nil {
			t.Fatal(err)
		}
		err := nw.Run(steps, steps)
		if !errors.Is(err, binarynet.ErrInvalidParameter) || nw.Steps() != int64(at) {
			t.Fatalf("%v: Run = %v after %d steps; want ErrInvalidParameter after %d", mode, err, nw.Steps(), at)
		}
		if err := nw.Run(steps-at-1, 100); err != nil {
			t.Fatalf("%v: Run after the error: %v", mode, err)
		}
		got := nw.ConsumeDiffLog()
		if !slices.Equal(got.Updates[:at], want.Updates[:at]) || !slices.Equal(got.Updates[at:], want.Updates[at+1:]) {
			t.Errorf("%v: units after the error are not the selection stream without the failed step's unit", mode)
		}
		// The background stream drew nothing for the failed step: replaying
		// the units taken on a twin gives the same changes.
		twin := mixedNetwork(t, mode, func(int64) float64 { return 0.3 })
		if err := twin.EnableDiffLogging(steps); err != nil {
			t.Fatal(err)
		}
		if err := twin.ApplyUpdates(got.Updates); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(twin.ConsumeDiffLog().Deltas, got.Deltas) {
			t.Errorf("%v: the changes after the error differ from a replay of the same units", mode)
		}
	}
}

// TestIssue9MixedReplay checks that ApplyUpdates, which now shares Run's
// loop, replays a run of a network with stochastic background exactly:
// same deltas (the background draws come from the same stream in the same
// order) and same final state.
func TestIssue9MixedReplay(t *testing.T) {
	t.Parallel()
	const steps = 2000
	for _, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse} {
		want, wantState := runLogged(t, mixedNetwork(t, mode, func(int64) float64 { return 0.3 }), steps, 500)
		nw := mixedNetwork(t, mode, func(int64) float64 { return 0.3 })
		if err := nw.EnableDiffLogging(steps); err != nil {
			t.Fatal(err)
		}
		units := want.Updates
		for lo := 0; lo < steps; lo += 300 { // several calls, not aligned to the lookahead
			if err := nw.ApplyUpdates(units[lo:min(lo+300, steps)]); err != nil {
				t.Fatal(err)
			}
		}
		got := nw.ConsumeDiffLog()
		state, _ := nw.State(nil)
		if !slices.Equal(got.Deltas, want.Deltas) || !slices.Equal(state, wantState) {
			t.Errorf("%v: replay differs from the run", mode)
		}
		if nw.Steps() != steps {
			t.Errorf("%v: Steps() = %d after replay, want %d", mode, nw.Steps(), steps)
		}
	}
}
