package binarynet

import (
	"fmt"
	"math"

	"github.com/binarynet/binarynet/internal/kernel"
)

// chooseMode resolves WeightAuto and checks the memory estimate against
// the budget before anything large is allocated. expected is the expected
// number of stored entries in sparse mode, and repeats a bound on the
// expected number of them drawn more than once (see repeatBound), or
// givenWeights.
func chooseMode(opts Options, n int, expected, repeats float64) (WeightMode, error) {
	budget := budgetBytes(opts.RAMBudgetGB)
	mode := opts.WeightMode
	if mode == WeightAuto {
		mode = WeightSparse
		if float64(n)*float64(n)*float64(opts.WeightType.size()) <= 0.6*budget {
			mode = WeightDense
		}
	}
	need := memoryNeed(opts, mode, n, expected, repeats)
	if need > budget {
		return mode, fmt.Errorf("%w: %s weights of %d units need about %.3g GiB, budget is %.3g GiB (Options.RAMBudgetGB)",
			ErrMemoryBudget, mode, n, need/gib, opts.RAMBudgetGB)
	}
	// The largest array must also be addressable: this matters on 32-bit
	// platforms, where int cannot index a dense matrix of 50,000 units.
	largest := expected + 6*math.Sqrt(expected)
	if mode == WeightDense {
		largest = float64(n) * float64(n)
	}
	if largest >= math.MaxInt {
		return mode, fmt.Errorf("%w: %s weights of %d units need %.3g entries in one array, more than this platform can index",
			ErrMemoryBudget, mode, n, largest)
	}
	return mode, nil
}

// givenWeights is the repeats argument of memoryNeed and chooseMode for
// weights that Initialize does not draw (given, or restored from a
// checkpoint): they are stored as they are, with arrays of rows and
// values.
const givenWeights = -1

// memoryNeed estimates the bytes Initialize allocates for a network of n
// units in the given mode (dense or sparse), with expected stored entries
// in sparse mode, of which at most repeats are expected to be drawn more
// than once (or givenWeights). Optional structures (the kept samples of the sparse build,
// the flip kernel's gap-coded copy) are not included: they are made only
// when they fit in the budget besides this.
func memoryNeed(opts Options, mode WeightMode, n int, expected, repeats float64) float64 {
	elem := float64(opts.WeightType.size())
	var need float64
	if mode == WeightDense {
		need = denseBytes(n, opts.WeightType.size())
	} else {
		// Sparse: rows and values per entry, indptr, 12 bytes per column
		// and worker (the count, and beside it the first pass's colTally
		// or the fill's first slot of the worker), the range of each unit
		// (packedStage's blockWeights) and the fill stages while building,
		// and a safety margin of 6 standard deviations of a Poisson-like
		// count.
		entries := expected + 6*math.Sqrt(expected)
		need = entries*(4+elem) + float64(n+1)*8 + float64(n)*12*float64(opts.Workers) + float64(n)*4 +
			stageBytes(n, opts.Workers, entries, int64(elem))
		drawn := repeats != givenWeights
		if drawn && impliedPays(expected, repeats) && n <= gapSkip {
			// Rows kept as gap codes (see csc) and written out as an
			// array when the flip kernel has no gap-coded copy.
			need += 2 * entries
		}
		if drawn && repeats > 0 && impliedPays(expected, repeats) {
			// Implied values (see impliedValues): up to 40 bytes per
			// repeat as the writers record them (records of 12 bytes, in
			// logs grown by doubling), 8 in the matrix, the repeats'
			// column pointers, and a pending count per column and
			// worker.
			need += 48*(repeats+6*math.Sqrt(repeats)) + float64(n+1)*8 + float64(n)*4*float64(opts.Workers)
		}
	}
	// Per unit in either mode: the state (1 byte), the thresholds as
	// float64 while building (8), the field and the thresholds (2*elem).
	return need + float64(n)*(9+2*elem)
}

// keepSamples reports whether the first pass of buildCSC keeps the sampled
// connections for the second: when they take at most a quarter of the RAM
// budget, at 4 bytes per expected entry (plus a margin of 6 standard
// deviations) and 16 bytes per row and block. Larger networks draw them
// twice instead. It also returns the chunk size of the sample buffers.
func keepSamples(l *layout, n, workers int, budgetGB float64) (keep bool, chunk int) {
	expected := l.expected
	need := 4*(expected+6*math.Sqrt(expected)) + 16*float64(n)*float64(len(l.blocks))
	perWorker := expected / float64(groupCount(n, workers))
	chunk = int(min(maxSampleChunk, max(minSampleChunk, perWorker/8)))
	return need <= budgetBytes(budgetGB)/4, chunk
}

// kernelBudget returns the bytes left for the flip kernel's gap-coded copy
// of a sparse network of n units built from l (see newGapColumns): the
// budget less the estimate of Initialize and the bytes the kept samples
// took (see buildCSC). These are free again when the copy is made, but
// the process holds them, and the copy is cut from them.
func kernelBudget(opts Options, l *layout, n int, keptBytes int64) float64 {
	return budgetBytes(opts.RAMBudgetGB) - memoryNeed(opts, WeightSparse, n, l.expected, l.repeats) - float64(keptBytes)
}

// restoredKernelBudget is kernelBudget for an engine whose sparse weights,
// of nnz stored entries, were given or restored rather than built.
func restoredKernelBudget(opts Options, n int, nnz int64) float64 {
	return budgetBytes(opts.RAMBudgetGB) - memoryNeed(opts, WeightSparse, n, float64(nnz), givenWeights)
}

// gapColumnsBytes returns the bytes of a gap-coded copy (gapColumns) of a
// matrix of n columns with the given number of gap codes and at most
// maxRuns runs of values of elem bytes.
func gapColumnsBytes(n int, codes, maxRuns, elem float64) float64 {
	return mappedBytes(2*codes) + 2*8*float64(n+1) + mappedBytes(4*maxRuns) + mappedBytes(elem*maxRuns)
}

// stageSize returns the number of buckets and the capacity of each for the
// fill stage of a worker that writes the given number of entries in a
// network of n units. A stage holds (buckets+1)*size entries, counting the
// scratch of flush.
func stageSize(n int, entries int64) (buckets, size int64) {
	buckets = int64((n + 1<<stageShift - 1) >> stageShift)
	size = int64(min(n, 1<<stageShift) * stagePerColumn)
	return buckets, max(1, min(size, entries/buckets+1))
}

// stageBytes bounds the memory of the fill stages of a build with the
// given number of workers and entries, for weights of elem bytes.
func stageBytes(n, workers int, entries float64, elem int64) float64 {
	buckets, size := stageSize(n, int64(entries))
	entry := float64(8 + elem) // col, row and val
	return float64(workers) * (float64(buckets+1)*float64(size)*entry + float64(1<<stageShift+1)*4)
}

// mappedBytes returns the bytes that kernel.AllocHuge takes for an array of b
// bytes.
func mappedBytes(b float64) float64 {
	if b >= kernel.HugeMin {
		b += kernel.HugeSlack
	}
	return b
}

// DiffLogBytes returns the bytes a diff log of the given number of steps
// takes: a 4-byte unit id and a 1-byte delta per step. EnableDiffLogging
// and ReadCheckpoint check it against the RAM budget.
func DiffLogBytes(steps int64) float64 { return float64(steps) * diffStepBytes }

// FieldLogBytes returns the bytes a field log takes that records units
// units with parts parts each (0 without split) every interval steps
// during steps steps: floor((steps-1)/interval)+1 samples of 8 bytes for
// the step count and 8 bytes per unit for its field, its threshold and
// each part, plus 8 bytes per unit. EnableFieldLogging checks it against
// the RAM budget; steps <= 0 or interval < 1 take nothing.
func FieldLogBytes(steps int64, interval, units, parts int) float64 {
	if steps <= 0 || interval < 1 {
		return 0
	}
	samples := float64((steps-1)/int64(interval) + 1)
	m := float64(units)
	return samples*(8+8*m*float64(2+parts)) + 8*m
}

// TimedDiffLogBytes returns the bytes a diff log of the given number of
// steps takes with the time of every step (Options.ContinuousTime): a
// 4-byte unit id, a 1-byte delta and an 8-byte time per step.
func TimedDiffLogBytes(steps int64) float64 {
	return float64(steps) * (diffStepBytes + diffTimeBytes)
}

// StepLogBytes returns the bytes a step log of the given number of steps
// takes in a network of n units: one byte per unit and step.
// EnableStepLogging and ReadCheckpoint check it against the RAM budget.
func StepLogBytes(steps int64, n int) float64 { return float64(steps) * float64(n) }

// diffStepBytes is the size of one step of a diff log.
const diffStepBytes = 5

// diffTimeBytes is the size of the time of one step of a diff log
// (DiffLog.Times).
const diffTimeBytes = 8

// checkLogSize rejects negative sizes and logs larger than the RAM budget.
func (nw *Network) checkLogSize(param string, steps int, bytesPerStep float64) error {
	if steps < 0 {
		return paramError(param, steps, "must be >= 0")
	}
	need := float64(steps) * bytesPerStep
	if budget := budgetBytes(nw.opts.RAMBudgetGB); need > budget {
		return fmt.Errorf("%w: a log of %d steps needs %.3g GiB, budget is %.3g GiB", ErrMemoryBudget, steps, need/gib, budget/gib)
	}
	if need >= math.MaxInt {
		return fmt.Errorf("%w: a log of %d steps needs more bytes than this platform can index", ErrMemoryBudget, steps)
	}
	return nil
}

// denseBytes returns the size of a dense n x n matrix of elem-byte values.
func denseBytes(n int, elem int64) float64 { return float64(n) * float64(n) * float64(elem) }

// cscBytes returns the size of an n-column CSC matrix with nnz stored
// entries, an 8-byte indptr, index-byte row indices and elem-byte values.
func cscBytes(n int, nnz int64, index, elem int64) float64 {
	return float64(n+1)*8 + float64(nnz)*float64(index+elem)
}

// unitBytes returns the size of the per-unit arrays of an engine: the
// state (1 byte), the field and the thresholds (elem bytes each).
func unitBytes(n int, elem int64) float64 { return float64(n) * float64(1+2*elem) }

// exportBytes returns the size of the float64 copy Network.Weights makes:
// a dense matrix, or a CSC matrix with int indices.
func exportBytes(n int, sparse bool, nnz int64) float64 {
	if sparse {
		return cscBytes(n, nnz, 8, 8)
	}
	return denseBytes(n, 8)
}

// checkBudget returns an error wrapping ErrMemoryBudget when need bytes
// exceed a budget of budgetGB GiB (zero: the default); what names the
// allocation in the message, hint the option that sets the budget.
func checkBudget(need, budgetGB float64, what, hint string) error {
	if budget := budgetBytes(budgetGB); need > budget {
		return fmt.Errorf("%w: %s needs %.3g GiB, budget is %.3g GiB%s", ErrMemoryBudget, what, need/gib, budget/gib, hint)
	}
	return nil
}
