package binarynet

// recorder receives the update steps of the engine: it counts them and
// writes each into the pending diff and step logs, when they are enabled.
// The network owns it (EnableDiffLogging, ConsumeDiffLog, ... set and take
// the buffers) and hands the engine a pointer to it.
type recorder struct {
	diff    diffBuffer
	stepLog stepBuffer
	steps   int64 // update steps taken since Initialize
	// fields is the pending field log; the network samples it between
	// engine runs (see Network.sampleFields), record never touches it.
	fields fieldBuffer
	// clock is the continuous time, nil without Options.ContinuousTime;
	// the engine advances it after each stretch of steps (see tick).
	clock *clock
}

// tick advances the clock, when there is one, by the last steps steps
// recorded, and writes their times into the diff log when it has times.
// It is called once per stretch of steps, never inside the update loop.
func (r *recorder) tick(steps int) {
	if r.clock == nil || steps == 0 {
		return
	}
	var times []float64
	if d := &r.diff; d.times != nil {
		times = d.times[d.filled-steps : d.filled]
	}
	r.clock.tick(steps, times)
}

// record logs one update step of unit u, whose state changed by delta,
// and counts it.
func (r *recorder) record(u int, delta int8, state []int8) {
	r.diff.record(u, delta)
	r.stepLog.record(state)
	r.steps++
}

// reserve returns ErrLogOverflow if an enabled log has no room for steps
// more steps.
func (r *recorder) reserve(steps int) error {
	if err := r.diff.reserve(steps); err != nil {
		return err
	}
	if err := r.stepLog.reserve(steps); err != nil {
		return err
	}
	return r.fields.reserve(steps, r.steps)
}
