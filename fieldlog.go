package binarynet

import (
	"fmt"
	"slices"
)

// DrivePart is the name of the last part of a split field log: the input
// from the background populations (KindBackground and
// KindStochasticBackground), the network's external drive.
const DrivePart = "drive"

// FieldLogSpec says what EnableFieldLogging records.
type FieldLogSpec struct {
	// Units are the ids of the recorded units, each at most once, in the
	// order the log keeps them; nil records every unit (UnitsOf turns a
	// Range into ids).
	Units []int32
	// Every is the sampling interval k >= 1, in update steps: a sample is
	// taken after the first step once logging is enabled, then after every
	// k-th step, the steps at which ReconstructStatesFromDiffLogs samples a
	// diff log enabled at the same time (after updates 0, k, 2k, ...).
	Every int
	// Split also records, for every recorded unit, the parts of its field
	// coming from each presynaptic population (see FieldLog.Parts).
	Split bool
	// Groups, when not nil (it implies Split), names the part that each
	// population's input goes to, one entry per population in the order
	// they were added: populations with the same name are summed into one
	// part, so that for example "E" and "I" split the field by cell type.
	// An empty entry means the default: the population's name, or
	// DrivePart for a background population.
	Groups []string
}

// FieldLog is the input field of chosen units sampled every k steps, as
// ConsumeFieldLog returns it. With m recorded units and S samples, Fields
// and Thresholds hold S x m values (sample after sample) and PartFields
// S x len(Parts) x m values.
//
// Fields are the fields h the engine holds and compares with the
// thresholds, in the network's float type (Options.WeightType) converted
// to float64. The parts are computed afresh at each sample from the stored
// weights and the current states: part p of unit i is the sum, in float64
// and in increasing order of presynaptic unit, of the weights W[i, j] of
// the active units j of the populations in part p. The parts therefore add
// up to W s(t) computed afresh, which equals Fields up to the rounding the
// engine's incremental updates accumulate (none when every partial sum of
// weights is exact, as for weights that are short binary fractions).
//
// What "drive" means here: the field of a unit is W s, and the only input
// a unit receives from outside the recurrent populations is that of the
// background populations, which is the part DrivePart. An external rate
// folded into the thresholds, as NewClusteredNetwork folds m_X (theta =
// V_th - m_X J_X), is not part of h: it is in Thresholds, and the drive it
// stands for is V_th - Thresholds (before adaptation and stimuli).
//
// Thresholds are the thresholds that the units would be compared with if
// they were updated next: those of Network.Thresholds (the population's,
// lowered by any stimulus input) or, for an adaptive population
// (BinaryNeuronPopulation.Adaptation), the unit's adaptive threshold
// decayed to the step count of the sample, theta + (a - theta)
// exp(-(Steps[i] - last) / Tau), minus the stimulus input. They are
// recorded at every sample because adaptation and stimuli change them.
type FieldLog struct {
	Units []int32
	Every int
	// Steps is the network's step count (Network.Steps) at each sample,
	// just after its update: sample i is taken after update i*Every
	// (counted from 0 when logging was enabled), so it goes with row i of
	// ReconstructStatesFromDiffLogs and PopulationRatesFromDiffLogs.
	Steps      []int64
	Fields     []float64
	Thresholds []float64
	// Parts names the parts of a split log, in the order of first
	// appearance among the populations, DrivePart last (always present,
	// zero without background populations); nil without split.
	Parts      []string
	PartFields []float64
}

// Len returns the number of samples.
func (l FieldLog) Len() int { return len(l.Steps) }

// Field returns the fields of the recorded units at sample s (a slice of
// l.Fields).
func (l FieldLog) Field(s int) []float64 {
	m := len(l.Units)
	return l.Fields[s*m : (s+1)*m : (s+1)*m]
}

// Part returns part p of the fields of the recorded units at sample s (a
// slice of l.PartFields).
func (l FieldLog) Part(s, p int) []float64 {
	m := len(l.Units)
	o := (s*len(l.Parts) + p) * m
	return l.PartFields[o : o+m : o+m]
}

// UnitsOf returns the unit ids of r in increasing order, for
// FieldLogSpec.Units.
func UnitsOf(r Range) []int32 {
	if r.End <= r.Start {
		return []int32{}
	}
	u := make([]int32, 0, r.End-r.Start)
	for i := r.Start; i < r.End; i++ {
		u = append(u, int32(i))
	}
	return u
}

// fieldBuffer is the network's pending field log; the zero value is off.
type fieldBuffer struct {
	log    FieldLog
	origin int64 // step count when logging was enabled
	limit  int64 // steps the log has room for after origin
	// partOf[k] is the part of population k's input (split logs only);
	// pos[u] is the index of unit u in log.Units or -1 (sparse split only,
	// made at the first sample).
	partOf []int
	pos    []int32
	// pop[i] is the population of log.Units[i], for adaptive thresholds.
	pop []int
}

func (f *fieldBuffer) on() bool { return f.log.Every > 0 }

// nextSample returns the step count at which the next sample is due.
func (f *fieldBuffer) nextSample() int64 {
	return f.origin + 1 + int64(len(f.log.Steps))*int64(f.log.Every)
}

// cut returns b, or fewer steps if a sample falls due before b more
// steps from step count now.
func (f *fieldBuffer) cut(b int, now int64) int {
	if !f.on() {
		return b
	}
	due := f.nextSample()
	return int(min(int64(b), due-now))
}

func (f *fieldBuffer) reserve(steps int, now int64) error {
	if f.on() && int64(steps) > f.limit-(now-f.origin) {
		return fmt.Errorf("%w: field log has room for %d more steps, run asks for %d (EnableFieldLogging)",
			ErrLogOverflow, f.limit-(now-f.origin), steps)
	}
	return nil
}

// fieldSampler is what the engine does for a field log: it appends the
// fields and thresholds of the units to the log and, for a split log,
// their parts.
type fieldSampler interface {
	sampleFields(f *fieldBuffer, starts []int)
}

// EnableFieldLogging starts a field log, replacing any pending one, with
// room for the next steps update steps: it samples after the first of them
// and after every spec.Every steps from there, floor((steps-1)/Every)+1
// samples in all.
// A run that would go past steps returns ErrLogOverflow before taking any
// step. Zero steps turns field logging off.
//
// The log takes 8 bytes per sample for the step count and 8 bytes per
// recorded unit for its field, its threshold and each part; a log that
// does not fit in Options.RAMBudgetGB returns ErrMemoryBudget before
// anything is allocated. Runs cut their batches at the sample steps, so
// batches and results are as without the log; nothing extra is done per
// update.
//
// It needs Initialize, and returns an error naming the parameter for an
// interval below 1, a unit id out of range or repeated, or groups that do
// not match the populations. A checkpoint holds the pending field log, its
// samples so far and where the next fall, so that the restored network's
// ConsumeFieldLog returns the log of the uninterrupted run.
func (nw *Network) EnableFieldLogging(spec FieldLogSpec, steps int) error {
	if !nw.Initialized() {
		return orderError("EnableFieldLogging before Initialize")
	}
	if steps < 0 {
		return paramError("field log steps", steps, "must be >= 0")
	}
	if steps == 0 {
		nw.fields = fieldBuffer{}
		return nil
	}
	if spec.Every < 1 {
		return paramError("field log every", spec.Every, "must be >= 1")
	}
	n := nw.size()
	units := spec.Units
	if units == nil {
		units = UnitsOf(Range{0, n})
	}
	seen := make(map[int32]int, len(units))
	for i, u := range units {
		if uint32(u) >= uint32(n) {
			return paramError(fmt.Sprintf("field log units[%d]", i), u, fmt.Sprintf("must be a unit id in [0, %d)", n))
		}
		if j, ok := seen[u]; ok {
			return paramError(fmt.Sprintf("field log units[%d]", i), u, fmt.Sprintf("repeats units[%d]", j))
		}
		seen[u] = i
	}
	var parts []string
	var partOf []int
	if spec.Split || spec.Groups != nil {
		if spec.Groups != nil && len(spec.Groups) != len(nw.specs) {
			return paramError("field log groups", len(spec.Groups), fmt.Sprintf("must name one group per population (%d)", len(nw.specs)))
		}
		parts, partOf = fieldParts(nw.specs, spec.Groups)
	}
	m := len(units)
	samples := int64((steps-1)/spec.Every) + 1
	need := FieldLogBytes(int64(steps), spec.Every, m, len(parts))
	if parts != nil && nw.opts.WeightMode != WeightDense {
		need += 4 * float64(n)
	}
	if err := checkMemory(fmt.Sprintf("a field log of %d samples of %d units", samples, m), need, nw.opts.RAMBudgetGB); err != nil {
		return err
	}
	f := fieldBuffer{origin: nw.steps, limit: int64(steps), partOf: partOf, pop: populationsOf(nw.starts, units)}
	f.log = FieldLog{
		Units:      slices.Clone(units),
		Every:      spec.Every,
		Steps:      make([]int64, 0, samples),
		Fields:     make([]float64, 0, samples*int64(m)),
		Thresholds: make([]float64, 0, samples*int64(m)),
		Parts:      parts,
	}
	if parts != nil {
		f.log.PartFields = make([]float64, 0, samples*int64(m*len(parts)))
	}
	nw.fields = f
	return nil
}

// fieldParts returns the names of the parts of a split log and the part of
// each population.
func fieldParts(specs []popSpec, groups []string) ([]string, []int) {
	var parts []string
	index := map[string]int{}
	partOf := make([]int, len(specs))
	for k, s := range specs {
		name := s.name
		if s.kind == kindBackground || s.kind == kindBackgroundRnd {
			name = DrivePart
		}
		if groups != nil && groups[k] != "" {
			name = groups[k]
		}
		if name == DrivePart {
			partOf[k] = -1
			continue
		}
		p, ok := index[name]
		if !ok {
			p = len(parts)
			index[name] = p
			parts = append(parts, name)
		}
		partOf[k] = p
	}
	drive := len(parts)
	for k := range partOf {
		if partOf[k] < 0 {
			partOf[k] = drive
		}
	}
	return append(parts, DrivePart), partOf
}

// ConsumeFieldLog returns the samples taken since EnableFieldLogging and
// turns field logging off. Without a log it returns an empty FieldLog.
func (nw *Network) ConsumeFieldLog() FieldLog {
	l := nw.fields.log
	nw.fields = fieldBuffer{}
	return l
}

// sampleFields takes a sample if one is due at the current step.
func (nw *Network) sampleFields() {
	f := &nw.fields
	if !f.on() || nw.steps != f.nextSample() {
		return
	}
	f.log.Steps = append(f.log.Steps, nw.steps)
	nw.num.sampleFields(f, nw.starts)
}

func (e *engine[T]) sampleFields(f *fieldBuffer, starts []int) {
	l := &f.log
	for i, u := range l.Units {
		l.Fields = append(l.Fields, float64(e.field[u]))
		th := float64(e.thresh[u])
		if r := &e.in.rules[f.pop[i]]; r.adapt != nil {
			_, th = e.adaptThreshold(int(u), r) // as the adaptive rule compares
		}
		l.Thresholds = append(l.Thresholds, th)
	}
	if l.Parts == nil {
		return
	}
	m := len(l.Units)
	o := len(l.PartFields)
	l.PartFields = append(l.PartFields, make([]float64, m*len(l.Parts))...)
	out := l.PartFields[o:]
	n := len(e.state)
	if e.dense == nil && f.pos == nil {
		f.pos = make([]int32, n)
		for i := range f.pos {
			f.pos[i] = -1
		}
		for i, u := range l.Units {
			f.pos[u] = int32(i)
		}
	}
	var values *colReader[T]
	if e.sparse != nil {
		values = e.sparse.columns()
	}
	for k, p := range f.partOf {
		dst := out[p*m : (p+1)*m]
		for j := starts[k]; j < starts[k+1]; j++ {
			if e.state[j] == 0 {
				continue
			}
			if e.dense != nil {
				col := e.dense[j*n : (j+1)*n]
				for i, u := range l.Units {
					dst[i] += float64(col[u])
				}
				continue
			}
			vals := values.vals(j)
			for x, r := range values.rows(j) {
				if i := f.pos[r]; i >= 0 {
					dst[i] += float64(vals[x])
				}
			}
		}
	}
}
