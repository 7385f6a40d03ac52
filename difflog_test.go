package binarynet_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
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
	want, err := binarynet.ReconstructStatesFromDiffLogs(e.initial, log, 1, 0)
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
		nw, _, _ := twoPopsWith(t, 10, 10, func(a, _ *binarynet.BinaryNeuronPopulation) {
			a.Initializer = binarynet.ConstantInit(1)
			a.Threshold = 0.5 // every drawn unit of A turns off: steps change the state
		})
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
		if err := nw.ApplyUpdates([]int32{0, 1, 2, 3, 4}); !errors.Is(err, binarynet.ErrLogOverflow) {
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
	nw := binarynet.NewNetwork("test")
	// Threshold -1: every drawn unit turns on.
	a := &binarynet.BinaryNeuronPopulation{Name: "A", N: 40000, Tau: 1, Threshold: -1, Initializer: binarynet.ConstantInit(0)}
	b := &binarynet.BinaryNeuronPopulation{Name: "B", N: 35000, Tau: 1, Threshold: -1, Initializer: binarynet.ConstantInit(0)}
	for _, p := range []binarynet.Population{a, b} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	mustAdd(t, nw, binarynet.NewPairwiseBernoulliSynapse(b, a, 1e-4, 0.5))
	mustInit(t, nw, binarynet.Options{WeightMode: binarynet.WeightSparse, Seed: 44})
	ids := []int32{65535, 65536, 70000, 74999, 0, 65537}
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
		if log.Updates[k] != u || log.Deltas[k] != 1 {
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
	_, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(log, 0)
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
		got, err := binarynet.ReconstructStatesFromDiffLogs([]int8{0, 0}, log, tc.k, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.EqualFunc(got, tc.want, slices.Equal) {
			t.Errorf("interval %d: %v, want %v", tc.k, got, tc.want)
		}
		rates, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 0}, log, tc.k, []binarynet.Range{{0, 1}, {1, 2}}, 0)
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
	got, err := binarynet.ReconstructStatesFromDiffLogs([]int8{1}, binarynet.DiffLog{Updates: []int32{0, 0, 0}, Deltas: []int8{1, -1, -1}}, 1, 0)
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
	if s, err := binarynet.ReconstructStatesFromDiffLogs([]int8{1, 0}, empty, 1, 0); err != nil || len(s) != 0 {
		t.Errorf("empty log: %d samples, %v; want none", len(s), err)
	}
	if r, err := binarynet.PopulationRatesFromDiffLogs([]int8{1, 0}, empty, 3, []binarynet.Range{{0, 2}}, 0); err != nil || len(r) != 0 {
		t.Errorf("empty log: %d rate samples, %v; want none", len(r), err)
	}
	if steps, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(empty, 0); err != nil || len(steps) != 0 || len(units) != 0 {
		t.Errorf("empty log: %d onsets, %v", len(steps), err)
	}
	// An empty range has rate 0; units outside every range are ignored.
	log := binarynet.DiffLog{Updates: []int32{3, 2}, Deltas: []int8{1, 1}}
	r, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 1, 0, 0}, log, 1, []binarynet.Range{{0, 0}, {1, 3}}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := [][]float64{{0, 0.5}, {0, 1}}; !slices.EqualFunc(r, want, floats.Equal) {
		t.Errorf("rates %v, want %v", r, want)
	}
	// Onsets only: -1 and 0 are not events.
	steps, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(binarynet.DiffLog{Updates: []int32{5, 6, 7, 5}, Deltas: []int8{1, 0, -1, 1}}, 0)
	if err != nil || !slices.Equal(steps, []int64{0, 3}) || !slices.Equal(units, []int32{5, 5}) {
		t.Errorf("onsets (%v, %v), %v; want ([0 3], [5 5])", steps, units, err)
	}

	short := binarynet.DiffLog{Updates: []int32{0, 1}, Deltas: []int8{1}}
	if _, err := binarynet.ReconstructStatesFromDiffLogs([]int8{0, 0}, short, 1, 0); !errors.Is(err, binarynet.ErrShape) {
		t.Errorf("Reconstruct with 2 updates, 1 delta: %v, want ErrShape", err)
	}
	if _, err := binarynet.PopulationRatesFromDiffLogs([]int8{0, 0}, short, 1, nil, 0); !errors.Is(err, binarynet.ErrShape) {
		t.Errorf("PopulationRates with 2 updates, 1 delta: %v, want ErrShape", err)
	}
	if _, _, err := binarynet.ExtractSpikeEventsFromDiffLogs(short, 0); !errors.Is(err, binarynet.ErrShape) {
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

// randomLog returns a binary initial state of n units and a diff log of
// steps consistent with it, drawn from seed.
func randomLog(n, steps int, seed uint64) ([]int8, binarynet.DiffLog) {
	rng := rand.New(rand.NewPCG(seed, 1))
	initial := make([]int8, n)
	for i := range initial {
		initial[i] = int8(rng.IntN(2))
	}
	state := slices.Clone(initial)
	log := binarynet.DiffLog{Updates: make([]int32, steps), Deltas: make([]int8, steps)}
	for t := range steps {
		u := rng.IntN(n)
		next := int8(rng.IntN(2))
		log.Updates[t], log.Deltas[t] = int32(u), next-state[u]
		state[u] = next
	}
	return initial, log
}

// TestIssue9DiffLogMemoryBudget checks that the diff-log helpers estimate
// their result before allocating and return ErrMemoryBudget above the
// budget: the old ReconstructStatesFromDiffLogs allocated samples x N bytes
// unchecked (200,000 units x 20 M steps died with "fatal error: runtime:
// out of memory"); here 200,000 units x 100,000 samples = 20 GB against
// the default 12 GiB.
func TestIssue9DiffLogMemoryBudget(t *testing.T) {
	t.Parallel()
	bigInit, bigLog := randomLog(200_000, 100_000, 1)
	smallInit, smallLog := randomLog(1000, 1000, 2) // 1,000 samples x 1,000 units: about 1 MB of states
	ranges := []binarynet.Range{{Start: 0, End: 500}, {Start: 500, End: 1000}}
	const tiny = 1e-4 // GiB, about 107 kB: below every small result but the spikes (about 6 kB)
	for _, tc := range []struct {
		name string
		call func() error
		want error // nil: must succeed
	}{
		{"states 200k units x 100k samples, default budget", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs(bigInit, bigLog, 1, 0)
			return err
		}, binarynet.ErrMemoryBudget},
		{"states within budget", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs(smallInit, smallLog, 1, 1)
			return err
		}, nil},
		{"states above a small budget", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs(smallInit, smallLog, 1, tiny)
			return err
		}, binarynet.ErrMemoryBudget},
		{"states, coarser sampling fits", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs(smallInit, smallLog, 100, tiny)
			return err
		}, nil},
		{"rates of 200k ranges x 100k samples", func() error {
			r := make([]binarynet.Range, 200_000)
			for i := range r {
				r[i] = binarynet.Range{Start: i, End: i + 1}
			}
			_, err := binarynet.PopulationRatesFromDiffLogs(bigInit, bigLog, 1, r, 0)
			return err
		}, binarynet.ErrMemoryBudget},
		{"rates above a small budget", func() error {
			r := make([]binarynet.Range, 100)
			for i := range r {
				r[i] = binarynet.Range{Start: 10 * i, End: 10*i + 10}
			}
			_, err := binarynet.PopulationRatesFromDiffLogs(smallInit, smallLog, 1, r, tiny)
			return err
		}, binarynet.ErrMemoryBudget},
		{"rates within budget", func() error {
			_, err := binarynet.PopulationRatesFromDiffLogs(smallInit, smallLog, 1, ranges, tiny)
			return err
		}, nil},
		{"spikes within budget", func() error {
			_, _, err := binarynet.ExtractSpikeEventsFromDiffLogs(smallLog, tiny)
			return err
		}, nil},
		{"spikes above a budget of a few bytes", func() error {
			_, _, err := binarynet.ExtractSpikeEventsFromDiffLogs(smallLog, 1e-9)
			return err
		}, binarynet.ErrMemoryBudget},
		{"negative budget", func() error {
			_, err := binarynet.ReconstructStatesFromDiffLogs(smallInit, smallLog, 1, -1)
			return err
		}, binarynet.ErrInvalidParameter},
		{"NaN budget", func() error {
			_, err := binarynet.PopulationRatesFromDiffLogs(smallInit, smallLog, 1, ranges, math.NaN())
			return err
		}, binarynet.ErrInvalidParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if tc.want == nil && err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want one wrapping %v", err, tc.want)
			}
		})
	}
}

// TestIssue9NetworkRatesUseNetworkBudget checks that the Network method
// applies Options.RAMBudgetGB.
func TestIssue9NetworkRatesUseNetworkBudget(t *testing.T) {
	t.Parallel()
	nw, _, _ := twoPops(t, 500, 500)
	mustInit(t, nw, binarynet.Options{Seed: 1, RAMBudgetGB: 0.01}) // 10.7 MB
	initial, log := randomLog(1000, 1_000_000, 3)                  // rates: 2 x 8 + 24 bytes x 1e6 samples = 40 MB
	if _, err := nw.PopulationRatesFromDiffLogs(initial, log, 1); !errors.Is(err, binarynet.ErrMemoryBudget) {
		t.Errorf("rates of 1e6 samples with a 0.01 GiB budget: %v, want ErrMemoryBudget", err)
	}
	if _, err := nw.PopulationRatesFromDiffLogs(initial, log, 10); err != nil {
		t.Errorf("rates of 1e5 samples with a 0.01 GiB budget: %v", err)
	}
}

// TestReconstructStatesSeq checks that the streaming forms yield exactly
// the rows of the batch functions, at steps 0, k, 2k, ..., stop when the
// loop breaks, and replay from the start on every range.
func TestReconstructStatesSeq(t *testing.T) {
	t.Parallel()
	initial, log := randomLog(50, 3000, 4)
	ranges := []binarynet.Range{{Start: 0, End: 10}, {Start: 10, End: 50}, {Start: 20, End: 20}}
	for _, k := range []int{1, 7, 3000, 5000} {
		states, err := binarynet.ReconstructStatesFromDiffLogs(initial, log, k, 0)
		if err != nil {
			t.Fatal(err)
		}
		rates, err := binarynet.PopulationRatesFromDiffLogs(initial, log, k, ranges, 0)
		if err != nil {
			t.Fatal(err)
		}
		stateSeq, err := binarynet.ReconstructStatesSeq(initial, log, k)
		if err != nil {
			t.Fatal(err)
		}
		rateSeq, err := binarynet.PopulationRatesSeq(initial, log, k, ranges)
		if err != nil {
			t.Fatal(err)
		}
		for pass := range 2 { // the second pass replays from the start
			i := 0
			for step, s := range stateSeq {
				if step != i*k || i >= len(states) || !slices.Equal(s, states[i]) {
					t.Fatalf("k=%d pass %d: sample %d at step %d differs from the batch result", k, pass, i, step)
				}
				i++
			}
			if i != len(states) {
				t.Fatalf("k=%d: %d samples, want %d", k, i, len(states))
			}
			i = 0
			for step, r := range rateSeq {
				if step != i*k || i >= len(rates) || !slices.Equal(r, rates[i]) {
					t.Fatalf("k=%d pass %d: rates %d at step %d differ from the batch result", k, pass, i, step)
				}
				i++
			}
			if i != len(rates) {
				t.Fatalf("k=%d: %d rate rows, want %d", k, i, len(rates))
			}
		}
		taken := 0
		for range stateSeq {
			if taken++; taken == 2 {
				break
			}
		}
		if want := min(2, len(states)); taken != want {
			t.Errorf("k=%d: break after %d samples, want %d", k, taken, want)
		}
	}
}

// TestIssue9ReconstructStatesSeqMemory checks that the streaming form needs
// O(N) memory: the bytes one full range over it allocates do not grow with
// the log. It is not parallel, so that no other test allocates meanwhile.
func TestIssue9ReconstructStatesSeqMemory(t *testing.T) {
	bytesOf := func(steps int) uint64 {
		initial, log := randomLog(1000, steps, 5)
		seq, err := binarynet.ReconstructStatesSeq(initial, log, 1)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range seq {
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	if short, long := bytesOf(1000), bytesOf(200_000); long > short+4096 {
		t.Errorf("replaying 200,000 steps allocated %d bytes, 1,000 steps %d: want O(N), independent of the log", long, short)
	}
}
