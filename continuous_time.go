package binarynet

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// clock is the continuous time of a network with Options.ContinuousTime:
// every update step advances it by an exponential interval of rate
// sum_k N_k/tau_k, drawn from the time stream (streamTime) in step order.
// Because the selector picks population k with probability proportional
// to N_k/tau_k and a unit uniformly within it, the updates of each unit
// of population k then form a Poisson process of rate 1/tau_k (a
// superposition argument), which is the exact continuous-time
// asynchronous dynamics.
//
// The interval is drawn by inversion, -log(1-u)/rate for u uniform in
// [0, 1) with 53 random bits (one PCG number and one logarithm per step,
// about 11 ns; BenchmarkClockTick): 1-u is exact and in (0, 1], so an
// interval is finite and >= 0.
type clock struct {
	src  *rand.PCG // the time stream
	rate float64   // sum_k N_k/tau_k: updates per unit of tau (per ms)
	now  float64   // time of the last step taken, in the units of tau
}

// newClock returns the clock of a network whose run seed is seed, at
// time zero.
func newClock(seed uint64, rate float64) *clock {
	return &clock{src: rand.NewPCG(seed, streamID(streamTime, 0, 0)), rate: rate}
}

// tick advances the clock by steps intervals, one per step taken, and
// writes the time after each into times when it is not nil (len(times)
// == steps then).
func (c *clock) tick(steps int, times []float64) {
	now, inv := c.now, 1/c.rate
	if times != nil {
		times = times[:steps]
		for i := range times {
			now -= math.Log(1-uniform01(c.src)) * inv
			times[i] = now
		}
	} else {
		for range steps {
			now -= math.Log(1-uniform01(c.src)) * inv
		}
	}
	c.now = now
}

// updateRate returns sum_k N_k/tau_k, the number of update steps per unit
// of the time constants, in population order.
func updateRate(specs []popSpec) float64 {
	var mass float64
	for _, s := range specs {
		mass += float64(s.n) / s.tau
	}
	return mass
}

// checkContinuousTime rejects continuous time for a network whose update
// rate sum_k N_k/tau_k is not positive and finite (taus so small that the
// sum overflows), and a diff log enabled before Initialize whose times
// would exceed the RAM budget of opts.
func (nw *Network) checkContinuousTime(opts Options, specs []popSpec) error {
	if !opts.ContinuousTime {
		return nil
	}
	if r := updateRate(specs); !(r > 0) || math.IsInf(r, 0) {
		return paramError("Options.ContinuousTime: network update rate sum N_k/tau_k", r, "must be positive and finite")
	}
	if steps := int64(len(nw.diff.updates)); steps > 0 && nw.diff.times == nil {
		what := fmt.Sprintf("the pending diff log of %d steps with times (Options.ContinuousTime)", steps)
		if err := checkBudget(TimedDiffLogBytes(steps), opts.RAMBudgetGB, what, ""); err != nil {
			return err
		}
	}
	return nil
}

// Time returns the network's time, in the units of the time constants
// (ms when the taus are in ms). With Options.ContinuousTime it is the
// exact continuous time: the sum of the exponential intervals of the
// steps taken since Initialize. Without it, it is the expected time,
// Steps() / StepsPerTimeUnit(), the toolkit's time axis. It is 0 before
// Initialize.
func (nw *Network) Time() float64 {
	if !nw.Initialized() {
		return 0
	}
	if nw.clock != nil {
		return nw.clock.now
	}
	return float64(nw.steps) / updateRate(nw.specs)
}
