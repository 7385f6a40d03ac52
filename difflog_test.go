package binarynet_test

import (
	"errors"
	"slices"
	"testing"

	"gonum.org/v1/gonum/floats"

	"github.com/binarynet/binarynet"
)

// TestDiffLogEnableConsume checks the Enable/Consume protocol of the diff
// log, as in the Python module: Consume returns the steps recorded since
// Enable and turns logging off; Enable replaces a pending log; zero turns
// logging off; without a log Consume returns an empty log.
func TestDiffLogEnableConsume(t *testing.T) {
	t.Parallel()
	nw, a, _ := twoPops(t, 20, 20)
	mustAdd(t, nw, binarynet.NewPairwiseBernoulliSynapse(a, a, 0.5, 0.25))
	mustInit(t, nw, binarynet.Options{Seed: 41})
	if log := nw.ConsumeDiffLog(); log.Len() != 0 || len(log.Deltas) != 0 {
		t.Fatalf("ConsumeDiffLog without a log returned %d steps", log.Len())
	}
	if err := nw.EnableDiffLogging(10); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(4, 3); err != nil {
		t.Fatal(err)
	}
	log := nw.ConsumeDiffLog()
	if log.Len() != 4 || len(log.Deltas) != 4 {
		t.Fatalf("partly filled log: %d updates, %d deltas, want 4", log.Len(), len(log.Deltas))
	}
	// Logging is off after Consume: a run of any length is fine and
	// logs nothing.
	if err := nw.Run(100, 7); err != nil {
		t.Fatalf("Run after ConsumeDiffLog: %v", err)
	}
	if log := nw.ConsumeDiffLog(); log.Len() != 0 {
		t.Fatalf("second ConsumeDiffLog returned %d steps", log.Len())
	}
	// Enable replaces a pending log.
	if err := nw.EnableDiffLogging(5); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(5, 5); err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableDiffLogging(8); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(8, 1); err != nil {
		t.Fatalf("a new log has room for 8 steps: %v", err)
	}
	if log := nw.ConsumeDiffLog(); log.Len() != 8 {
		t.Fatalf("replaced log has %d steps, want 8", log.Len())
	}
	// Zero turns logging off.
	if err := nw.EnableDiffLogging(3); err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableDiffLogging(0); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(50, 50); err != nil {
		t.Fatalf("Run after EnableDiffLogging(0): %v", err)
	}
	if log := nw.ConsumeDiffLog(); log.Len() != 0 {
		t.Fatalf("EnableDiffLogging(0) still logged %d steps", log.Len())
	}
	// The consumed log belongs to the caller: a new log does not reuse it.
	if err := nw.EnableDiffLogging(4); err != nil {
		t.Fatal(err)
	}
	_ = nw.Run(4, 4)
	first := nw.ConsumeDiffLog()
	keep := slices.Clone(first.Updates)
	_ = nw.EnableDiffLogging(4)
	_ = nw.Run(4, 4)
	_ = nw.ConsumeDiffLog()
	if !slices.Equal(first.Updates, keep) {
		t.Fatal("a later log overwrote a consumed one")
	}
}

// TestStepLog checks that the step log holds the full state after every
// step, that it agrees with the diff log, and the Enable/Consume protocol.
func TestStepLog(t *testing.T) {
	t.Parallel()
	e := newEINet(t, 80, 20, binarynet.Options{Seed: 42})
	nw := e.nw
	if rows := nw.ConsumeStepLog(); len(rows) != 0 {
		t.Fatalf("ConsumeStepLog without a log returned %d rows", len(rows))
	}
	const steps = 3000
	if err := nw.EnableStepLogging(steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.EnableDiffLogging(steps); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(steps, 256); err != nil {
		t.Fatal(err)
	}
	rows := nw.ConsumeStepLog()
	log := nw.ConsumeDiffLog()
	if len(rows) != steps {
		t.Fatalf("step log has %d rows, want %d", len(rows), steps)
	}
	want, err := binarynet.ReconstructStatesFromDiffLogs(e.initial, log, 1)
	if err != nil {
		t.Fatal(err)
	}
	for k := range rows {
		if !slices.Equal(rows[k], want[k]) {
			t.Fatalf("step log row %d differs from the state rebuilt from the diff log", k)
		}
	}
	final, _ := nw.State(nil)
	if !slices.Equal(rows[steps-1], final) {
		t.Fatal("last step-log row differs from the final state")
	}
	if flips(log) == 0 {
		t.Fatal("no state change: the comparison proves nothing")
	}
	if err := nw.Run(10, 10); err != nil {
		t.Fatalf("Run after ConsumeStepLog: %v", err)
	}
	if rows := nw.ConsumeStepLog(); len(rows) != 0 {
		t.Fatalf("second ConsumeStepLog returned %d rows", len(rows))
	}
}

// TestLogOverflow checks that a run longer than the room left in an
// enabled log returns ErrLogOverflow before taking any step, for Run,
// Update and ApplyUpdates, and for both logs.
func TestLogOverflow(t *testing.T) {
	t.Parallel()
	for _, which := range []string{"diff", "step"} {
		nw, a, _ := twoPops(t, 10, 10)
		a.Initializer = binarynet.ConstantInit(1)
		a.Threshold = 0.5 // every drawn unit of A turns off: steps change the state
		mustInit(t, nw, binarynet.Options{Seed: 43})
		enable := nw.EnableDiffLogging
		if which == "step" {
			enable = nw.EnableStepLogging
		}
		if err := enable(10); err != nil {
			t.Fatal(err)
		}
		s0, _ := nw.State(nil)
		if err := nw.Run(11, 100); !errors.Is(err, binarynet.ErrLogOverflow) {
			t.Fatalf("%s log: Run(11) into a 10-step log: %v, want ErrLogOverflow", which, err)
		}
		if s, _ := nw.State(nil); nw.Steps() != 0 || !slices.Equal(s, s0) {
			t.Fatalf("%s log: the overflowing run took %d steps", which, nw.Steps())
		}
		if err := nw.Run(6, 4); err != nil {
			t.Fatal(err)
		}
		if err := nw.ApplyUpdates([]int{0, 1, 2, 3, 4}); !errors.Is(err, binarynet.ErrLogOverflow) {
			t.Fatalf("%s log: ApplyUpdates of 5 into 4 free steps: %v, want ErrLogOverflow", which, err)
		}
		if err := nw.Run(4, 1); err != nil {
			t.Fatalf("%s log: filling the log exactly: %v", which, err)
		}
		if err := nw.Update(); !errors.Is(err, binarynet.ErrLogOverflow) {
			t.Fatalf("%s log: Update on a full log: %v, want ErrLogOverflow", which, err)
		}
		if nw.Steps() != 10 {
			t.Fatalf("%s log: %d steps, want 10", which, nw.Steps())
		}
	}
}

// TestDiffLogLargeNetwork checks that unit ids above 65,535 are logged
// correctly (the reference stores them as uint16 and wraps: its fault 1),
// in a sparse network of 70,001+ units with few synapses.
func TestDiffLogLargeNetwork(t *testing.T) {
	t.Parallel()
	nw, a, b := twoPops(t, 40000, 35000)
	a.Threshold, b.Threshold = -1, -1 // every drawn unit turns on
	mustAdd(t, nw, binarynet.NewPairwiseBernoulliSynapse(b, a, 1e-4, 0.5))
	mustInit(t, nw, binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: 44})
	ids := []int{65535, 65536, 70000, 74999, 0, 65537}
	if err := nw.EnableDiffLogging(len(ids) + 50000); err != nil {
		t.Fatal(err)
	}
	if err := nw.ApplyUpdates(ids); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(50000, 8192); err != nil {
		t.Fatal(err)
	}
	log := nw.ConsumeDiffLog()
	for k, u := range ids {
		if int(log.Updates[k]) != u || log.Deltas[k] != 1 {
			t.Fatalf("logged step %d as (unit %d, delta %d), want (%d, 1)", k, log.Updates[k], log.Deltas[k], u)
		}
	}
	high := 0
	for _, u := range log.Updates {
		if u > 65535 {
			high++
		}
	}
	// Units above 65,535 are 9,464 of 75,000: about 6,300 of 50,000
	// uniform draws; fewer than half of that means ids were lost.
	if high < 3000 {
		t.Fatalf("only %d logged ids above 65,535", high)
	}
	// The log replays to the final state, which it cannot if ids wrapped.
	replay := make([]int8, 75000) // all units start off (ConstantInit(0))
	for k, u := range log.Updates {
		replay[u] += log.Deltas[k]
	}
	final, _ := nw.State(nil)
	if !slices.Equal(replay, final) {
		t.Fatal("replaying the diff log does not give the final state")
	}
	_, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(log)
	if err != nil {
		t.Fatal(err)
	}
	if countActive(final) != len(units) {
		t.Fatalf("%d units active, %d onsets logged", countActive(final), len(units))
	}
}

// TestReconstructStatesExample is the reference's docstring example of
// reconstruct_states_from_diff_logs, with the sample-interval semantics:
// samples after steps 0, k, 2k, ..., not including the initial state.
func TestReconstructStatesExample(t *testing.T) {
	t.Parallel()
	log := binarynet.DiffLog{Updates: []int32{0, 1, 0}, Deltas: []int8{1, 1, -1}}
	for _, tc := range []struct {
		k    int
		want [][]int8
	}{
		{1, [][]int8{{1, 0}, {1, 1}, {0, 1}}},
		{2, [][]int8{{1, 0}, {0, 1}}},
		{3, [][]int8{{1, 0}}},
		{100, [][]int8{{1, 0}}},
	} {
		got, err := binarynet.ReconstructStatesFromDiffLogs([]int8{0, 0}, log, tc.k)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("interval %d: %v, want %v", tc.k, got, tc.want)
		}
		rates, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 0}, log, tc.k, []binarynet.Range{{0, 1}, {1, 2}})
		if err != nil {
			t.Fatal(err)
		}
		for i := range rates {
			want := []float64{float64(tc.want[i][0]), float64(tc.want[i][1])}
			if !floats.Equal(rates[i], want) {
				t.Errorf("interval %d: rates[%d] = %v, want %v", tc.k, i, rates[i], want)
			}
		}
	}
	// A delta moves the state to 1 when state+delta > 0, else to 0, as
	// in the reference: +1 on an active unit keeps it at 1.
	got, err := binarynet.ReconstructStatesFromDiffLogs([]int8{1}, binarynet.DiffLog{Updates: []int32{0, 0, 0}, Deltas: []int8{1, -1, -1}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]int8{{1}, {0}, {0}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("saturating replay: %v, want %v", got, want)
	}
}

// TestDiffLogHelpersEdgeCases checks empty logs, empty and partial ranges,
// and that mismatched lengths return ErrShape and bad values
// ErrInvalidParameter.
func TestDiffLogHelpersEdgeCases(t *testing.T) {
	t.Parallel()
	empty := binarynet.DiffLog{}
	if s, err := binarynet.ReconstructStatesFromDiffLogs([]int8{1, 0}, empty, 1); err != nil || len(s) != 0 {
		t.Errorf("empty log: %d samples, %v; want none", len(s), err)
	}
	if r, err := binarynet.PopulationRatesFromDiffLogs([]int8{1, 0}, empty, 3, []binarynet.Range{{0, 2}}); err != nil || len(r) != 0 {
		t.Errorf("empty log: %d rate samples, %v; want none", len(r), err)
	}
	if steps, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(empty); err != nil || len(steps) != 0 || len(units) != 0 {
		t.Errorf("empty log: %d onsets, %v", len(steps), err)
	}
	// An empty range has rate 0; units outside every range are ignored.
	log := binarynet.DiffLog{Updates: []int32{3, 2}, Deltas: []int8{1, 1}}
	r, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 1, 0, 0}, log, 1, []binarynet.Range{{0, 0}, {1, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]float64{{0, 0.5}, {0, 1}}; !slices.EqualFunc(r, want, floats.Equal) {
		t.Errorf("rates %v, want %v", r, want)
	}
	// Onsets only: -1 and 0 are not events.
	steps, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(binarynet.DiffLog{Updates: []int32{5, 6, 7, 5}, Deltas: []int8{1, 0, -1, 1}})
	if err != nil || !slices.Equal(steps, []int64{0, 3}) || !slices.Equal(units, []int32{5, 5}) {
		t.Errorf("onsets (%v, %v), %v; want ([0 3], [5 5])", steps, units, err)
	}

	short := binarynet.DiffLog{Updates: []int32{0, 1}, Deltas: []int8{1}}
	if _, err := binarynet.ReconstructStatesFromDiffLogs([]int8{0, 0}, short, 1); !errors.Is(err, binarynet.ErrShape) {
		t.Errorf("Reconstruct with 2 updates, 1 delta: %v, want ErrShape", err)
	}
	if _, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 0}, short, 1, nil); !errors.Is(err, binarynet.ErrShape) {
		t.Errorf("PopulationRates with 2 updates, 1 delta: %v, want ErrShape", err)
	}
	if _, _, err := binarynet.ExtractSpikeEventsFromDiffLogs(short); !errors.Is(err, binarynet.ErrShape) {
		t.Errorf("ExtractSpikeEvents with 2 updates, 1 delta: %v, want ErrShape", err)
	}
	nw, a, _ := twoPops(t, 2, 2)
	mustInit(t, nw, binarynet.Options{})
	if _, err := nw.PopulationRatesFromDiffLogs([]int8{0, 0}, empty, 1, a); !errors.Is(err, binarynet.ErrShape) {
		t.Errorf("Network.PopulationRatesFromDiffLogs with 2 of 4 initial states: %v, want ErrShape", err)
	}
	r, err = nw.PopulationRatesFromDiffLogs([]int8{1, 1, 0, 1}, empty, 1)
	if err != nil || len(r) != 0 {
		t.Errorf("Network.PopulationRatesFromDiffLogs on an empty log: %v, %v", r, err)
	}
	r, err = nw.PopulationRatesFromDiffLogs([]int8{1, 1, 0, 1}, binarynet.DiffLog{Updates: []int32{2}, Deltas: []int8{1}}, 1)
	if err != nil || !slices.EqualFunc(r, [][]float64{{1, 1}}, floats.Equal) {
		t.Errorf("Network.PopulationRatesFromDiffLogs, all populations: %v, %v; want [[1 1]]", r, err)
	}
}
