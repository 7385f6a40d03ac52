package binarynet

import (
	"errors"
	"math"
	"slices"
	"sort"
	"testing"
)

// timedNetwork is a small connected network with every kind of update
// rule and three time constants: threshold E units (tau 10), stochastic I
// units (tau 5, logistic gain) and a stochastic background (tau 20).
func timedNetwork(t *testing.T) *Network {
	t.Helper()
	nw := NewNetwork("timed")
	e := &BinaryNeuronPopulation{Name: "E", N: 60, Tau: 10, Threshold: 0.5}
	i := &BinaryNeuronPopulation{Name: "I", N: 25, Tau: 5, Threshold: 0.3, Gain: LogisticGain{Beta: 4}}
	x := &BackgroundActivity{Name: "X", N: 15, Tau: 20, Activity: 0.3, Stochastic: true}
	for _, p := range []Population{e, i, x} {
		if err := nw.AddPopulation(p); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range []Synapse{
		NewPairwiseBernoulliSynapse(e, e, 0.2, 0.1), NewPairwiseBernoulliSynapse(e, i, 0.2, 0.1),
		NewPairwiseBernoulliSynapse(i, e, 0.3, -0.15), NewPairwiseBernoulliSynapse(i, i, 0.3, -0.15),
		NewPairwiseBernoulliSynapse(x, e, 0.3, 0.12), NewPairwiseBernoulliSynapse(x, i, 0.3, 0.12),
	} {
		if err := nw.AddSynapse(s); err != nil {
			t.Fatal(err)
		}
	}
	return nw
}

// ksExp returns the Kolmogorov-Smirnov statistic of the sample x against
// the exponential distribution of the given mean, and its p-value from
// the Kolmogorov distribution (see kolmogorovQ). x is sorted in place.
func ksExp(x []float64, mean float64) (d, p float64) {
	sort.Float64s(x)
	n := float64(len(x))
	for i, v := range x {
		f := 1 - math.Exp(-v/mean)
		d = max(d, float64(i+1)/n-f, f-float64(i)/n)
	}
	sn := math.Sqrt(n)
	return d, kolmogorovQ((sn + 0.12 + 0.11/sn) * d)
}

// kolmogorovQ returns P(K > lambda) for the Kolmogorov distribution,
// 2 sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2), with Stephens' small-sample
// correction applied by the caller (Numerical Recipes, 3rd ed., 14.3.3).
func kolmogorovQ(lambda float64) float64 {
	if lambda < 0.2 {
		return 1 // the series converges slowly here and the sum is 1 to 1e-9
	}
	var sum float64
	sign := 1.0
	for j := 1; j <= 100; j++ {
		term := sign * math.Exp(-2*float64(j*j)*lambda*lambda)
		sum += term
		if math.Abs(term) < 1e-16 {
			break
		}
		sign = -sign
	}
	return min(max(2*sum, 0), 1)
}

// TestKolmogorovQ checks the p-values at the tabulated critical values of
// the Kolmogorov distribution (Smirnov 1948): 1.2238 (p 0.10), 1.3581
// (0.05), 1.6276 (0.01), 1.9495 (0.001).
func TestKolmogorovQ(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ lambda, want float64 }{
		{1.2238, 0.10}, {1.3581, 0.05}, {1.6276, 0.01}, {1.9495, 0.001}, {0.1, 1}, {10, 0},
	} {
		if got := kolmogorovQ(c.lambda); math.Abs(got-c.want) > 1e-4 {
			t.Errorf("kolmogorovQ(%g) = %.6f, want %g", c.lambda, got, c.want)
		}
	}
}

// updateIntervals returns, for every unit of r, the intervals between its
// consecutive updates in log, the first counted from time 0 (the updates
// of a unit are a Poisson process from Initialize on).
func updateIntervals(log DiffLog, r Range) [][]float64 {
	last := make([]float64, r.End-r.Start)
	out := make([][]float64, r.End-r.Start)
	for t, u := range log.Updates {
		if k := int(u) - r.Start; uint(k) < uint(len(last)) {
			out[k] = append(out[k], log.Times[t]-last[k])
			last[k] = log.Times[t]
		}
	}
	return out
}

// TestContinuousTimeKS checks that the intervals between the updates of
// single units are exponential with mean tau_k: for one unit of each
// population, a Kolmogorov-Smirnov test against Exp(tau_k) passes (p >
// 0.01, seed fixed), and the same intervals fail against Exp(1.2 tau_k),
// so that the test can fail. The pooled intervals of all units of a
// population (25,000 to 200,000 of them) pass too. The p-values of the
// per-unit tests are uniform as they should be (over seeds 1-6, 5.0 % of
// the 600 units' tests gave p < 0.05), so a fixed seed fails 1 % of its
// tests by chance: seed 1 passes its three.
func TestContinuousTimeKS(t *testing.T) {
	t.Parallel()
	nw := timedNetwork(t)
	// R = 60/10 + 25/5 + 15/20 = 11.75 updates per ms; 400,000 steps
	// last about 34,000 ms, some 3,400 updates of a unit of tau 10.
	_, log := runLogged(t, nw, Options{Seed: 1, ContinuousTime: true}, 0, 400_000, 1000)
	if !log.HasTimes() || len(log.Times) != log.Len() {
		t.Fatalf("log has %d times for %d steps", len(log.Times), log.Len())
	}
	for k, r := range nw.PopulationRanges() {
		tau := nw.specs[k].tau
		iv := updateIntervals(log, r)
		one := slices.Clone(iv[0])
		d, p := ksExp(one, tau)
		t.Logf("population %d (tau %g), unit %d: %d intervals, KS D = %.4f, p = %.3g", k, tau, r.Start, len(one), d, p)
		if p <= 0.01 {
			t.Errorf("population %d (tau %g), unit %d: %d intervals, KS D = %.4f, p = %.3g, want p > 0.01", k, tau, r.Start, len(one), d, p)
		}
		if _, pWrong := ksExp(slices.Clone(iv[0]), 1.2*tau); pWrong > 0.01 {
			t.Errorf("population %d: intervals pass against Exp(%g) too (p = %.3g): the test has no power", k, 1.2*tau, pWrong)
		}
		var pooled []float64
		for _, x := range iv {
			pooled = append(pooled, x...)
		}
		if d, p := ksExp(pooled, tau); p <= 0.01 {
			t.Errorf("population %d (tau %g), all units: %d intervals, KS D = %.4f, p = %.3g, want p > 0.01", k, tau, len(pooled), d, p)
		}
	}
}

// TestContinuousTimeUpdateCounts checks that the updates of population k
// up to a fixed time T are N_k T / tau_k on average: their number is
// Poisson, so the tolerance is 4 standard errors, sqrt(N_k T / tau_k). The
// network's time after S steps, a sum of S exponentials of mean 1/R, is
// checked the same way (standard error sqrt(S)/R).
func TestContinuousTimeUpdateCounts(t *testing.T) {
	t.Parallel()
	const steps = 200_000
	nw := timedNetwork(t)
	_, log := runLogged(t, nw, Options{Seed: 4, ContinuousTime: true}, 0, steps, 333)
	rate := 60.0/10 + 25.0/5 + 15.0/20
	if got, want := nw.Time(), steps/rate; math.Abs(got-want) > 4*math.Sqrt(steps)/rate {
		t.Errorf("time after %d steps = %.2f, want %.2f +- %.2f", steps, got, want, 4*math.Sqrt(steps)/rate)
	}
	if nw.Time() != log.Times[steps-1] {
		t.Errorf("Time() = %v, last logged time %v", nw.Time(), log.Times[steps-1])
	}
	T := 0.9 * steps / rate // well inside the log: its end is 4 SE = 0.9 % later
	ranges := nw.PopulationRanges()
	counts := make([]float64, len(ranges))
	for i, u := range log.Updates {
		if log.Times[i] > T {
			break
		}
		for k, r := range ranges {
			if int(u) >= r.Start && int(u) < r.End {
				counts[k]++
			}
		}
	}
	for k, r := range ranges {
		want := float64(r.End-r.Start) * T / nw.specs[k].tau
		if se := math.Sqrt(want); math.Abs(counts[k]-want) > 4*se {
			t.Errorf("population %d: %.0f updates up to t = %.0f, want %.0f +- %.0f (4 SE)", k, counts[k], T, want, 4*se)
		}
	}
}

// TestContinuousTimeSameStates checks that turning continuous time on
// changes nothing but the clock: the same updates, deltas and final state
// as without it, and Time is then Steps / StepsPerTimeUnit.
func TestContinuousTimeSameStates(t *testing.T) {
	t.Parallel()
	off, on := timedNetwork(t), timedNetwork(t)
	_, logOff := runLogged(t, off, Options{Seed: 9}, 5000, 20000, 100)
	_, logOn := runLogged(t, on, Options{Seed: 9, ContinuousTime: true}, 5000, 20000, 100)
	if !slices.Equal(logOff.Updates, logOn.Updates) || !slices.Equal(logOff.Deltas, logOn.Deltas) {
		t.Error("the trajectory with continuous time differs from the one without")
	}
	sOff, _ := off.State(nil)
	sOn, _ := on.State(nil)
	if !slices.Equal(sOff, sOn) {
		t.Error("final states differ")
	}
	if logOff.Times != nil {
		t.Errorf("log without continuous time has %d times", len(logOff.Times))
	}
	if len(logOn.Times) != 20000 {
		t.Errorf("log with continuous time has %d times, want 20000", len(logOn.Times))
	}
	rate, err := off.StepsPerTimeUnit()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := off.Time(), 25000/rate; got != want {
		t.Errorf("Time() without continuous time = %v, want steps/rate = %v", got, want)
	}
	if !on.Options().ContinuousTime || off.Options().ContinuousTime {
		t.Error("Options() does not report ContinuousTime")
	}
}

// TestContinuousTimeBatchInvariance checks that the times do not depend
// on the batch size, nor on whether the diff log is on, nor on running
// the same units through ApplyUpdates.
func TestContinuousTimeBatchInvariance(t *testing.T) {
	t.Parallel()
	opts := Options{Seed: 17, ContinuousTime: true}
	var ref DiffLog
	for i, batch := range []int{1, 7, 256, 1000, 30000} {
		_, log := runLogged(t, timedNetwork(t), opts, 0, 30000, batch)
		if i == 0 {
			ref = log
			continue
		}
		if !slices.Equal(log.Times, ref.Times) || !slices.Equal(log.Updates, ref.Updates) {
			t.Errorf("batch %d: times or updates differ from batch 1", batch)
		}
	}
	// Without a diff log for the first 10,000 steps.
	nw := timedNetwork(t)
	if err := nw.Initialize(opts); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(10000, 999); err != nil {
		t.Fatal(err)
	}
	if nw.Time() != ref.Times[9999] {
		t.Errorf("time after 10000 unlogged steps = %v, want %v", nw.Time(), ref.Times[9999])
	}
	// The same units imposed through ApplyUpdates take the same times.
	replay := timedNetwork(t)
	if err := replay.Initialize(opts); err != nil {
		t.Fatal(err)
	}
	if err := replay.EnableDiffLogging(ref.Len()); err != nil {
		t.Fatal(err)
	}
	if err := replay.ApplyUpdates(ref.Updates); err != nil {
		t.Fatal(err)
	}
	if got := replay.ConsumeDiffLog(); !slices.Equal(got.Times, ref.Times) || !slices.Equal(got.Deltas, ref.Deltas) {
		t.Error("ApplyUpdates of the logged units gives other times or deltas")
	}
}

// TestContinuousTimeFailedStep checks that a run stopped by an invalid
// activity times exactly the steps it took, so that the clock stays in
// step with the states.
func TestContinuousTimeFailedStep(t *testing.T) {
	t.Parallel()
	build := func(bad int64) *Network {
		nw := NewNetwork("failing")
		x := &BackgroundActivity{Name: "X", N: 10, Tau: 2, Stochastic: true, ActivityFunc: func(step int64) float64 {
			if step == bad {
				return 2
			}
			return 0.5
		}}
		if err := nw.AddPopulation(x); err != nil {
			t.Fatal(err)
		}
		if err := nw.Initialize(Options{Seed: 3, ContinuousTime: true}); err != nil {
			t.Fatal(err)
		}
		return nw
	}
	nw := build(700)
	if err := nw.EnableDiffLogging(1000); err != nil {
		t.Fatal(err)
	}
	if err := nw.Run(1000, 1000); !errors.Is(err, ErrInvalidParameter) {
		t.Fatalf("err = %v, want ErrInvalidParameter", err)
	}
	log := nw.ConsumeDiffLog()
	ok := build(-1)
	_, want := runLogged(t, ok, Options{}, 0, 700, 1000)
	if nw.Steps() != 700 || !slices.Equal(log.Times, want.Times) || nw.Time() != want.Times[699] {
		t.Errorf("after the failed step: %d steps, %d times, time %v; want 700 steps at time %v", nw.Steps(), len(log.Times), nw.Time(), want.Times[699])
	}
}

// TestContinuousTimeErrors checks the invalid uses: an update rate that
// overflows, and diff logs whose times do not fit their steps.
func TestContinuousTimeErrors(t *testing.T) {
	t.Parallel()
	nw := NewNetwork("fast")
	if err := nw.AddPopulation(&BinaryNeuronPopulation{Name: "p", N: 1000, Tau: 1e-320}); err != nil {
		t.Fatal(err)
	}
	if err := nw.Initialize(Options{ContinuousTime: true}); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("rate sum overflowing: err = %v, want ErrInvalidParameter", err)
	}
	initial := []int8{0, 1}
	for _, c := range []struct {
		name  string
		times []float64
		want  error
	}{
		{"short", []float64{1}, ErrShape},
		{"negative", []float64{-1, 2}, ErrInvalidParameter},
		{"decreasing", []float64{2, 1}, ErrInvalidParameter},
		{"nan", []float64{1, math.NaN()}, ErrInvalidParameter},
		{"inf", []float64{1, math.Inf(1)}, ErrInvalidParameter},
		{"equal", []float64{1, 1}, nil},
	} {
		log := DiffLog{Updates: []int32{0, 1}, Deltas: []int8{1, -1}, Times: c.times}
		_, err := PopulationRatesFromDiffLogs(initial, log, 1, []Range{{0, 2}}, 0)
		if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if _, _, err := ExtractSpikeTimesFromDiffLogs(DiffLog{Updates: []int32{0}, Deltas: []int8{1}}, 0); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("spike times of a log without times: err = %v, want ErrInvalidParameter", err)
	}
	if _, err := PopulationRatesTimeSeq(initial, DiffLog{}, 1, nil); !errors.Is(err, ErrInvalidParameter) {
		t.Errorf("rates in time of a log without times: err = %v, want ErrInvalidParameter", err)
	}
	timed := DiffLog{Updates: []int32{0}, Deltas: []int8{1}, Times: []float64{1e6}}
	for _, iv := range []float64{0, -1, math.NaN(), math.Inf(1), 1e-12} {
		if _, err := PopulationRatesTimeSeq(initial, timed, iv, nil); !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("interval %v: err = %v, want ErrInvalidParameter", iv, err)
		}
	}
}

// TestTimeAnalysis checks the helpers in time units on a log written by
// hand: onset times, and rates on a grid of 0.5 ms.
func TestTimeAnalysis(t *testing.T) {
	t.Parallel()
	log := DiffLog{
		Updates: []int32{0, 1, 0, 2, 1},
		Deltas:  []int8{1, 1, 0, 1, -1},
		Times:   []float64{0.3, 0.9, 1.0, 1.0, 2.2},
	}
	times, units, err := ExtractSpikeTimesFromDiffLogs(log, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(times, []float64{0.3, 0.9, 1.0}) || !slices.Equal(units, []int32{0, 1, 2}) {
		t.Errorf("spike times %v of units %v", times, units)
	}
	seq, err := PopulationRatesTimeSeq([]int8{0, 0, 0, 0}, log, 0.5, []Range{{0, 2}, {2, 4}})
	if err != nil {
		t.Fatal(err)
	}
	var gotT []float64
	var gotR [][]float64
	for s, row := range seq {
		gotT = append(gotT, s)
		gotR = append(gotR, slices.Clone(row))
	}
	// Samples at 0.5, 1.0, 1.5, 2.0: after step 0 (unit 0 on), after
	// steps 0-3 (units 0, 1, 2 on) twice, and the same at 2.0; 2.5 is
	// after the last step.
	wantT := []float64{0.5, 1, 1.5, 2}
	wantR := [][]float64{{0.5, 0}, {1, 0.5}, {1, 0.5}, {1, 0.5}}
	if !slices.Equal(gotT, wantT) {
		t.Fatalf("sample times %v, want %v", gotT, wantT)
	}
	for i := range wantR {
		if !slices.Equal(gotR[i], wantR[i]) {
			t.Errorf("rates at %v = %v, want %v", gotT[i], gotR[i], wantR[i])
		}
	}
	// Breaking off after the first sample.
	for range seq {
		break
	}
	if seq, err = PopulationRatesTimeSeq([]int8{0}, DiffLog{Times: []float64{}}, 1, nil); err != nil {
		t.Fatal(err)
	}
	for range seq {
		t.Error("an empty log yields samples")
	}
}

// TestSpikeCountStatisticsTime checks the statistics in time units: on a
// log whose step t happened at time 5 + t they equal those in steps
// (1001 steps span 1000 time units, ten windows of 100 either way), except
// the rates, whose denominator is the span; and on a continuous-time run
// the onset rate of a stochastic background of activity a and time
// constant tau is a (1 - a) / tau per ms.
func TestSpikeCountStatisticsTime(t *testing.T) {
	t.Parallel()
	nw := timedNetwork(t)
	initial, log := runLogged(t, nw, Options{Seed: 8}, 2000, 1001, 100)
	pops := nw.PopulationRanges()
	steps, err := SpikeCountStatistics(initial, log, 100, pops)
	if err != nil {
		t.Fatal(err)
	}
	log.Times = make([]float64, log.Len())
	for i := range log.Times {
		log.Times[i] = 5 + float64(i)
	}
	timed, err := SpikeCountStatisticsTime(initial, log, 100, pops)
	if err != nil {
		t.Fatal(err)
	}
	if timed.TimeSpan != 1000 || timed.TimeWindow != 100 || timed.Windows != 10 || steps.Windows != 10 {
		t.Fatalf("span %v, window %v, %d windows (steps: %d)", timed.TimeSpan, timed.TimeWindow, timed.Windows, steps.Windows)
	}
	same := func(a, b []float64) bool {
		return slices.EqualFunc(a, b, func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) })
	}
	if !same(timed.Fano, steps.Fano) || !same(timed.CV, steps.CV) || !same(timed.CV2, steps.CV2) || !slices.Equal(timed.Onsets, steps.Onsets) {
		t.Error("Fano factors, CVs or onsets in time differ from those in steps")
	}
	for u := range timed.Rate {
		if want := steps.Rate[u] * 1001 / 1000; math.Abs(timed.Rate[u]-want) > 1e-15 {
			t.Errorf("unit %d: rate %v, want %v", u, timed.Rate[u], want)
		}
	}
	for k := range pops {
		a, b := timed.Pops[k], steps.Pops[k]
		if !same([]float64{a.Fano, a.MeanCV, a.MeanCV2}, []float64{b.Fano, b.MeanCV, b.MeanCV2}) {
			t.Errorf("population %d: Fano, mean CV, mean CV2 %v %v %v in time, %v %v %v in steps", k, a.Fano, a.MeanCV, a.MeanCV2, b.Fano, b.MeanCV, b.MeanCV2)
		}
	}
	var onsets int64
	for _, c := range steps.Onsets {
		onsets += c
	}
	if onsets < 50 {
		t.Fatalf("only %d onsets: the comparison says little", onsets)
	}

	// Background X: activity 0.3, tau 20, 15 units; an update turns a unit
	// on with probability 0.3 when it is off (probability 0.7). Over about
	// 17,000 ms some 2,700 onsets: 5 Poisson standard errors (an upper
	// bound for this alternating count) are 10 %.
	run := timedNetwork(t)
	init2, log2 := runLogged(t, run, Options{Seed: 8, ContinuousTime: true}, 0, 200_000, 1000)
	s, err := SpikeCountStatisticsTime(init2, log2, 100, run.PopulationRanges())
	if err != nil {
		t.Fatal(err)
	}
	x := s.Pops[2]
	want := 0.3 * 0.7 / 20
	total := x.Rate * 15 * s.TimeSpan
	if se := math.Sqrt(total); math.Abs(x.Rate-want)*15*s.TimeSpan > 5*se {
		t.Errorf("background onset rate %.5f per ms, want %.5f +- %.5f", x.Rate, want, 5*se/15/s.TimeSpan)
	}
	for _, c := range []struct {
		name   string
		log    DiffLog
		window float64
	}{
		{"no times", DiffLog{Updates: []int32{0, 1}, Deltas: []int8{1, 1}}, 1},
		{"zero window", log, 0},
		{"window past the span", log, 1000.5},
		{"NaN window", log, math.NaN()},
		{"zero span", DiffLog{Updates: []int32{0}, Deltas: []int8{1}, Times: []float64{3}}, 1},
	} {
		if _, err := SpikeCountStatisticsTime(initial, c.log, c.window, nil); !errors.Is(err, ErrInvalidParameter) {
			t.Errorf("%s: err = %v, want ErrInvalidParameter", c.name, err)
		}
	}
}
