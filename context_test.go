package binarynet

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
)

// countdownCtx is a context whose Err reports cancellation from its
// (left+1)-th call on: RunContext, which checks Err once per batch, then
// stops after exactly left batches.
type countdownCtx struct {
	context.Context
	left int
}

func (c *countdownCtx) Err() error {
	if c.left <= 0 {
		return context.Canceled
	}
	c.left--
	return nil
}

// checkConsistent verifies that the network's state is the initial state
// replayed through the diff log, that the diff log holds Steps() entries,
// and that the field equals W·s recomputed in float64.
func checkConsistent(t *testing.T, nw *Network, initial []int8, log DiffLog, steps int64) {
	t.Helper()
	if nw.Steps() != steps || int64(log.Len()) != steps {
		t.Fatalf("Steps() = %d and diff log holds %d steps, want %d", nw.Steps(), log.Len(), steps)
	}
	state, _ := nw.State(nil)
	replayed := initial
	if steps > 0 {
		rows, err := ReconstructStatesFromDiffLogs(initial, log, 1, 0)
		if err != nil {
			t.Fatal(err)
		}
		replayed = rows[len(rows)-1]
	}
	if !slices.Equal(replayed, state) {
		t.Fatal("state differs from the initial state replayed through the diff log")
	}
	w, err := nw.Weights()
	if err != nil {
		t.Fatal(err)
	}
	s := make([]float64, len(state))
	for i, v := range state {
		s[i] = float64(v)
	}
	var want mat.VecDense
	want.MulVec(w, mat.NewVecDense(len(s), s))
	field, _ := nw.Field(nil)
	for i, f := range field {
		// float32 fields accumulate one rounding per state change of a
		// presynaptic unit: 1e-4 is far above that and far below a weight.
		if math.Abs(f-want.AtVec(i)) > 1e-4 {
			t.Fatalf("field[%d] = %v, W·s gives %v", i, f, want.AtVec(i))
		}
	}
}

// TestRunContextStopsAfterBatch cancels after k batches and checks that
// exactly k batches ran, that the network and its log are consistent, and
// that running on gives the uninterrupted trajectory.
func TestRunContextStopsAfterBatch(t *testing.T) {
	const total = 6000
	build := func() *Network {
		return ckptNetwork(t, Options{WeightMode: WeightSparse, Seed: 11}, false)
	}
	ref := build()
	if err := ref.EnableDiffLogging(total); err != nil {
		t.Fatal(err)
	}
	if err := ref.Run(total, 500); err != nil {
		t.Fatal(err)
	}
	want := ckptCollect(t, ref)
	for _, batch := range []int{1, 7, 100, 1000} {
		for _, k := range []int{0, 1, 3} {
			nw := build()
			initial, _ := nw.State(nil)
			if err := nw.EnableDiffLogging(total); err != nil {
				t.Fatal(err)
			}
			err := nw.RunContext(&countdownCtx{Context: context.Background(), left: k}, total, batch)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("batch %d, k %d: RunContext returned %v, want context.Canceled", batch, k, err)
			}
			done := int64(k * batch)
			log := nw.ConsumeDiffLog()
			checkConsistent(t, nw, initial, log, done)
			// Run on with a fresh log and compare with the tail of the
			// uninterrupted run.
			if err := nw.EnableDiffLogging(total - int(done)); err != nil {
				t.Fatal(err)
			}
			if err := nw.Run(total-int(done), 333); err != nil {
				t.Fatal(err)
			}
			got := ckptCollect(t, nw)
			got.Updates = append(slices.Clone(log.Updates), got.Updates...)
			got.Deltas = append(slices.Clone(log.Deltas), got.Deltas...)
			ckptCompare(t, "run on after cancel", got, want)
		}
	}
}

// TestRunContextCancelDuringRun cancels from inside the run (from the
// ActivityFunc of a stochastic background population, called with the
// current step) and checks that at most one batch of further updates is
// done.
func TestRunContextCancelDuringRun(t *testing.T) {
	for _, batch := range []int{1, 64, 1000} {
		ctx, cancel := context.WithCancel(context.Background())
		cancelledAt := int64(-1)
		act := func(step int64) float64 {
			if step >= 2500 && cancelledAt < 0 {
				cancelledAt = step
				cancel()
			}
			return 0.5
		}
		nw := NewNetwork("cancel")
		e := &BinaryNeuronPopulation{Name: "E", N: 50, Tau: 1, Threshold: 0.5}
		bg := &BackgroundActivity{Name: "bg", N: 50, Tau: 1, ActivityFunc: act, Stochastic: true}
		for _, p := range []Population{e, bg} {
			if err := nw.AddPopulation(p); err != nil {
				t.Fatal(err)
			}
		}
		if err := nw.AddSynapse(NewPairwiseBernoulliSynapse(bg, e, 0.3, 0.2)); err != nil {
			t.Fatal(err)
		}
		if err := nw.Initialize(Options{Seed: 1}); err != nil {
			t.Fatal(err)
		}
		initial, _ := nw.State(nil)
		if err := nw.EnableDiffLogging(1_000_000); err != nil {
			t.Fatal(err)
		}
		err := nw.RunContext(ctx, 1_000_000, batch)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("batch %d: RunContext returned %v", batch, err)
		}
		if cancelledAt < 0 {
			t.Fatal("the context was never cancelled")
		}
		extra := nw.Steps() - cancelledAt
		if extra < 1 || extra > int64(batch) {
			t.Errorf("batch %d: cancelled at step %d, stopped after step %d: %d more updates, want 1..%d",
				batch, cancelledAt, nw.Steps(), extra, batch)
		}
		if nw.Steps()%int64(batch) != 0 {
			t.Errorf("batch %d: stopped at %d, not at a batch boundary", batch, nw.Steps())
		}
		checkConsistent(t, nw, initial, nw.ConsumeDiffLog(), nw.Steps())
		cancel()
	}
}

// TestRunContextWallClock cancels a practically endless run from another
// goroutine and checks that it returns promptly.
func TestRunContextWallClock(t *testing.T) {
	nw := ckptNetwork(t, Options{WeightMode: WeightDense, Seed: 4}, false)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := nw.RunContext(ctx, math.MaxInt, 1000)
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("RunContext returned %v, want context.DeadlineExceeded", err)
	}
	// One batch of 1000 updates of a 210-unit network takes microseconds;
	// 2 s leaves room for a loaded machine or the race detector.
	if elapsed > 2*time.Second {
		t.Errorf("RunContext took %v to notice a 50 ms deadline", elapsed)
	}
	if nw.Steps() == 0 || nw.Steps()%1000 != 0 {
		t.Errorf("Steps() = %d, want a positive multiple of the batch size", nw.Steps())
	}
}

// TestRunContextAlreadyCancelled checks that a done context runs nothing.
func TestRunContextAlreadyCancelled(t *testing.T) {
	nw := ckptNetwork(t, Options{Seed: 4}, false)
	before, _ := nw.State(nil)
	if err := nw.EnableDiffLogging(10); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := nw.RunContext(ctx, 10, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("RunContext returned %v", err)
	}
	after, _ := nw.State(nil)
	if nw.Steps() != 0 || nw.ConsumeDiffLog().Len() != 0 || !slices.Equal(before, after) {
		t.Error("a cancelled context still ran updates")
	}
}
