package binarynet

import (
	"context"
	"sync"
)

// RunEnsemble runs the trials 0, 1, ..., n-1 of an ensemble on up to
// workers goroutines and returns their results in trial order. workers < 1
// means one worker per trial.
//
// The results do not depend on workers when each trial depends only on its
// index: derive its seed from the index (e.g. Options.Seed = base + i),
// build its own Network in the trial and share nothing mutable between
// trials. A Network is not safe for concurrent use, so every trial must
// build its own; with workers trials at a time, give each network
// Options.Workers of about GOMAXPROCS/workers threads (the same seed gives
// the same network for any number of build workers).
//
// When a trial returns an error, the trials not yet started are skipped,
// the context passed to the running ones is cancelled, and RunEnsemble
// returns, after they returned, the error of the lowest-numbered trial
// that failed, with the results of the trials that completed. A cancelled
// ctx stops the ensemble the same way.
func RunEnsemble[T any](ctx context.Context, n, workers int, trial func(ctx context.Context, i int) (T, error)) ([]T, error) {
	if n < 0 {
		return nil, paramError("n", n, "want a number of trials >= 0")
	}
	if trial == nil {
		return nil, paramError("trial", "nil", "want a function")
	}
	if workers < 1 || workers > n {
		workers = n
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	results := make([]T, n)
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				results[i], errs[i] = trial(ctx, i)
				if errs[i] != nil {
					cancel()
				}
			}
		})
	}
	started := 0
feed:
	for i := range n {
		select {
		case next <- i:
			started++
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return results, err
		}
	}
	if started < n {
		return results, context.Cause(ctx)
	}
	return results, nil
}
