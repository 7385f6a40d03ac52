package binarynet_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/binarynet/binarynet"
)

// meanOfTrial is a trial whose result depends only on its index: the mean
// of 1000 uniform draws from a stream seeded by it.
func meanOfTrial(_ context.Context, i int) (float64, error) {
	r := rand.New(rand.NewPCG(42, uint64(i)))
	s := 0.0
	for range 1000 {
		s += r.Float64()
	}
	return s / 1000, nil
}

func TestRunEnsembleSameForAnyWorkers(t *testing.T) {
	want, err := binarynet.RunEnsemble(context.Background(), 37, 1, meanOfTrial)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []int{0, 2, 3, 8, 100} {
		got, err := binarynet.RunEnsemble(context.Background(), 37, w, meanOfTrial)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("workers=%d: results differ from workers=1", w)
		}
	}
}

func TestRunEnsembleNetworks(t *testing.T) {
	// Each trial builds and runs its own network from a seed derived from
	// its index: the active counts are the same for 1 and 3 workers.
	trial := func(_ context.Context, i int) (int, error) {
		nw, err := ensembleNetwork(uint64(100 + i))
		if err != nil {
			return 0, err
		}
		active := 0
		state, err := nw.State(nil)
		if err != nil {
			return 0, err
		}
		for _, s := range state {
			active += int(s)
		}
		return active, nil
	}
	one, err := binarynet.RunEnsemble(context.Background(), 6, 1, trial)
	if err != nil {
		t.Fatal(err)
	}
	three, err := binarynet.RunEnsemble(context.Background(), 6, 3, trial)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one, three) {
		t.Errorf("active counts %v with 1 worker, %v with 3", one, three)
	}
	if slices.Min(one) == slices.Max(one) {
		t.Errorf("seeds give the same counts %v: the seed is not used", one)
	}
}

func TestRunEnsembleErrors(t *testing.T) {
	boom := errors.New("boom")
	var ran atomic.Int64
	trial := func(ctx context.Context, i int) (int, error) {
		ran.Add(1)
		if i == 3 || i == 5 {
			return 0, fmt.Errorf("trial %d: %w", i, boom)
		}
		return i, nil
	}
	_, err := binarynet.RunEnsemble(context.Background(), 1000, 1, trial)
	if !errors.Is(err, boom) || err.Error() != "trial 3: boom" {
		t.Errorf("err = %v, want trial 3: boom", err)
	}
	if ran.Load() > 5 {
		t.Errorf("%d trials ran with one worker after trial 3 failed", ran.Load())
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := binarynet.RunEnsemble(ctx, 10, 2, trial); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: err = %v", err)
	}
	for _, tc := range []struct {
		name string
		n    int
		fn   func(context.Context, int) (int, error)
	}{
		{"negative n", -1, trial},
		{"nil trial", 3, nil},
	} {
		if _, err := binarynet.RunEnsemble(context.Background(), tc.n, 1, tc.fn); !errors.Is(err, binarynet.ErrInvalidParameter) {
			t.Errorf("%s: err = %v, want ErrInvalidParameter", tc.name, err)
		}
	}
	if got, err := binarynet.RunEnsemble(context.Background(), 0, 4, trial); err != nil || len(got) != 0 {
		t.Errorf("n=0: %v, %v", got, err)
	}
}

// ExampleRunEnsemble runs 4 trials on 2 workers; each trial's seed is
// derived from its index, so the results are those of 1 worker.
func ExampleRunEnsemble() {
	means, err := binarynet.RunEnsemble(context.Background(), 4, 2, meanOfTrial)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, m := range means {
		fmt.Printf("trial %d: %.3f\n", i, m)
	}
	// Output:
	// trial 0: 0.523
	// trial 1: 0.505
	// trial 2: 0.486
	// trial 3: 0.504
}

// ensembleNetwork builds a 50-unit random network with the given seed and
// runs it for 500 updates.
func ensembleNetwork(seed uint64) (*binarynet.Network, error) {
	nw := binarynet.NewNetwork("trial")
	pop := &binarynet.BinaryNeuronPopulation{Name: "e", N: 50, Threshold: -1, Tau: 1, Initializer: binarynet.BernoulliInit(0.5)}
	if err := nw.AddPopulation(pop); err != nil {
		return nil, err
	}
	if err := nw.AddSynapse(binarynet.NewPairwiseBernoulliSynapse(pop, pop, 0.2, -0.4)); err != nil {
		return nil, err
	}
	if err := nw.Initialize(binarynet.Options{Seed: seed}); err != nil {
		return nil, err
	}
	return nw, nw.Run(500, 50)
}
