package binarynet_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/binarynet/binarynet"
)

// concurrentJob is one independent network and what the test does with it.
type concurrentJob struct {
	opts binarynet.Options
	// shared populations and synapses: the same specification values are
	// used by several networks at once, which only read them.
	pops []binarynet.Population
	syns []binarynet.Synapse
}

// concurrentResult is everything a job produces.
type concurrentResult struct {
	log        binarynet.DiffLog
	state      []int8
	field      []float64
	rates      [][]float64
	spikes     int
	checkpoint []byte
}

func (j concurrentJob) run() (concurrentResult, error) {
	var r concurrentResult
	nw := binarynet.NewNetwork(fmt.Sprintf("job-%d", j.opts.Seed))
	for _, p := range j.pops {
		if err := nw.AddPopulation(p); err != nil {
			return r, err
		}
	}
	for _, s := range j.syns {
		if err := nw.AddSynapse(s); err != nil {
			return r, err
		}
	}
	if err := nw.Initialize(j.opts); err != nil {
		return r, err
	}
	initial, err := nw.State(nil)
	if err != nil {
		return r, err
	}
	const steps = 20_000
	if err := nw.EnableDiffLogging(steps); err != nil {
		return r, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := nw.RunContext(ctx, steps/2, 100); err != nil {
		return r, err
	}
	// Checkpoint in the middle and continue on the restored copy.
	var buf bytes.Buffer
	if err := nw.WriteCheckpoint(&buf); err != nil {
		return r, err
	}
	r.checkpoint = slices.Clone(buf.Bytes())
	funcs := map[string]func(int64) float64{"drive": driveActivity}
	nw, err = binarynet.ReadCheckpoint(&buf, &binarynet.RestoreOptions{ActivityFuncs: funcs})
	if err != nil {
		return r, err
	}
	if err := nw.Run(steps/2, 333); err != nil {
		return r, err
	}
	r.log = nw.ConsumeDiffLog()
	r.state, _ = nw.State(nil)
	r.field, _ = nw.Field(nil)
	if r.rates, err = nw.PopulationRatesFromDiffLogs(initial, r.log, 100); err != nil {
		return r, err
	}
	_, units, err := binarynet.ExtractSpikeEventsFromDiffLogs(r.log, 0)
	if err != nil {
		return r, err
	}
	r.spikes = len(units)
	return r, nil
}

// driveActivity is a stateless ActivityFunc, safe to share between
// networks running at once.
func driveActivity(step int64) float64 { return 0.2 + 0.1*float64(step%1000)/1000 }

// TestIndependentNetworksConcurrently runs several networks at once, in
// every weight mode and type, sharing their population and synapse values,
// and checks that each gives exactly what it gives alone. Run it with
// -race: independent networks must share no mutable state.
func TestIndependentNetworksConcurrently(t *testing.T) {
	e := &binarynet.BinaryNeuronPopulation{Name: "E", N: 240, Tau: 10, Threshold: 0.5}
	i := &binarynet.BinaryNeuronPopulation{Name: "I", N: 60, Tau: 5, Threshold: 0.4}
	bg := &binarynet.BackgroundActivity{Name: "bg", N: 30, Tau: 3, Activity: 0.3, Stochastic: true}
	drive := &binarynet.BackgroundActivity{Name: "drive", N: 20, Tau: 2, ActivityFunc: driveActivity, Stochastic: true}
	pops := []binarynet.Population{e, i, bg, drive}
	syns := []binarynet.Synapse{
		binarynet.NewPairwiseBernoulliSynapse(e, e, 0.1, 0.11),
		binarynet.NewFixedIndegreeSynapse(i, e, 0.2, -0.35),
		binarynet.NewPoissonSynapse(e, i, 0.1, 0.13),
		binarynet.NewPairwiseBernoulliSynapse(i, i, 0.2, -0.3),
		binarynet.NewAllToAllSynapse(bg, e, 0.07),
		binarynet.NewAllToAllSynapse(drive, i, 0.09),
	}
	var jobs []concurrentJob
	for k, mode := range []binarynet.WeightMode{binarynet.WeightDense, binarynet.WeightSparse, binarynet.WeightDense, binarynet.WeightSparse, binarynet.WeightAuto, binarynet.WeightSparse} {
		typ := binarynet.Float32
		if k%4 >= 2 {
			typ = binarynet.Float64
		}
		jobs = append(jobs, concurrentJob{
			opts: binarynet.Options{WeightMode: mode, WeightType: typ, Seed: uint64(k % 3), Workers: 1 + k%3},
			pops: pops, syns: syns,
		})
	}
	// Alone, one after another.
	want := make([]concurrentResult, len(jobs))
	for k, j := range jobs {
		var err error
		if want[k], err = j.run(); err != nil {
			t.Fatal(err)
		}
	}
	// All at once, twice over.
	got := make([]concurrentResult, 2*len(jobs))
	errs := make([]error, len(got))
	var wg sync.WaitGroup
	for k := range got {
		wg.Go(func() { got[k], errs[k] = jobs[k%len(jobs)].run() })
	}
	wg.Wait()
	for k, g := range got {
		w := want[k%len(jobs)]
		if errs[k] != nil {
			t.Fatalf("job %d: %v", k, errs[k])
		}
		if !slices.Equal(g.log.Updates, w.log.Updates) || !slices.Equal(g.log.Deltas, w.log.Deltas) ||
			!slices.Equal(g.state, w.state) || !slices.Equal(g.field, w.field) ||
			g.spikes != w.spikes || !bytes.Equal(g.checkpoint, w.checkpoint) {
			t.Errorf("job %d (%+v): result differs from the same job run alone", k, jobs[k%len(jobs)].opts)
		}
		for s := range w.rates {
			if !slices.Equal(g.rates[s], w.rates[s]) {
				t.Errorf("job %d: rates differ at sample %d", k, s)
				break
			}
		}
	}
	if want[0].spikes < 100 {
		t.Errorf("network too quiet to test anything: %d onsets", want[0].spikes)
	}
}

// TestDiffLogHelpersConcurrently calls the package-level helpers on one
// shared, read-only log from several goroutines.
func TestDiffLogHelpersConcurrently(t *testing.T) {
	initial := make([]int8, 50)
	var log binarynet.DiffLog
	for k := range 5000 {
		u := (k * 7) % 50
		d := int8(1 - 2*(k/50%2))
		log.Updates, log.Deltas = append(log.Updates, int32(u)), append(log.Deltas, d)
	}
	ranges := []binarynet.Range{{Start: 0, End: 20}, {Start: 20, End: 50}}
	want, err := binarynet.PopulationRatesFromDiffLogs(initial, log, 7, ranges, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := binarynet.PopulationRatesFromDiffLogs(initial, log, 7, ranges, 0)
			if err != nil || len(got) != len(want) || !slices.Equal(got[len(got)-1], want[len(want)-1]) {
				t.Errorf("concurrent PopulationRatesFromDiffLogs: %v", err)
			}
			if _, err := binarynet.ReconstructStatesFromDiffLogs(initial, log, 13, 0); err != nil {
				t.Error(err)
			}
			if _, _, err := binarynet.ExtractSpikeEventsFromDiffLogs(log, 0); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}
