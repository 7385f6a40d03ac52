package binarynet

// SetState replaces the state of every unit by s (one value, 0 or 1, per
// unit) and recomputes the field h = W s from scratch, as Initialize
// computes it, so that the network then behaves exactly as one
// initialized to s: the same field, bit for bit, and the same run. It is
// the way to redraw the initial states of a built network (the toolkit's
// population_rate_init) or to start several runs of one network from
// states of one's own. The step count and the random streams are left as
// they are.
//
// It returns an error before Initialize, for a length other than N or a
// value other than 0 and 1, and while a diff or step log holds steps that
// have not been consumed (they could no longer be replayed from one
// state).
func (nw *Network) SetState(s []int8) error {
	if !nw.Initialized() {
		return orderError("SetState before Initialize")
	}
	if len(s) != nw.N() {
		return shapeError("state has %d values, network has %d units", len(s), nw.N())
	}
	if err := checkBinary("state", s); err != nil {
		return err
	}
	if pending := nw.diff.filled + nw.stepLog.filled; pending > 0 {
		return orderError("SetState with %d logged steps not consumed (ConsumeDiffLog, ConsumeStepLog)", pending)
	}
	nw.num.setState(s)
	return nil
}
