package pipeline

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// checkMemory estimates the memory of the run before anything is built:
// the network (binarynet's estimate), the diff log (5 bytes per recorded
// step, 13 with the times of continuous time), the copy of the weights in the layout of the weights file (CSR:
// the weight and an int32 column index per stored weight, which also
// bounds the compressed column indices held while the values are
// written; dense: N x N)
// and the onsets
// (12 bytes each, at most one per recorded step), and the field log of
// binary.field_log; rates and states are streamed. It returns an error wrapping binarynet.ErrMemoryBudget when
// they exceed the budget.
func (j *Job) checkMemory(p binarynet.ClusteredParams, opts binarynet.Options) error {
	est, err := p.Estimate(opts)
	if err != nil {
		return err
	}
	b := &j.Binary
	n := float64(est.Units)
	logBytes := binarynet.DiffLogBytes(b.SimulationSteps)
	if b.ContinuousTime {
		logBytes = binarynet.TimedDiffLogBytes(b.SimulationSteps)
	}
	size := 4.0
	if b.WeightDtype == "float64" {
		size = 8
	}
	export := (4+size)*est.Synapses + 16*n
	if est.Mode == binarynet.WeightDense {
		export = size * n * n
	}
	onsets := 12 * float64(b.SimulationSteps)
	need := est.Bytes + logBytes + export + onsets
	budget := opts.RAMBudgetGB * (1 << 30)
	if f := b.FieldLog; f != nil {
		fields := f.bytes(b.SimulationSteps, est.Units, est.Mode != binarynet.WeightDense)
		if need+fields > budget {
			return fmt.Errorf("%w: %s: %d samples of %d units need about %.3g GiB, and the run besides %.3g GiB; budget is %.3g GiB (binary.ram_budget_gb or -ram): record fewer units or raise interval",
				binarynet.ErrMemoryBudget, fieldLogKey, f.samples(b.SimulationSteps), f.count(est.Units), fields/(1<<30), need/(1<<30), opts.RAMBudgetGB)
		}
	}
	if need > budget {
		return fmt.Errorf("%w: the run needs about %.3g GiB (network %.3g, diff log %.3g, weights export %.3g, onsets %.3g), budget is %.3g GiB (binary.ram_budget_gb or -ram)",
			binarynet.ErrMemoryBudget, need/(1<<30), est.Bytes/(1<<30), logBytes/(1<<30), export/(1<<30), onsets/(1<<30), opts.RAMBudgetGB)
	}
	return nil
}
