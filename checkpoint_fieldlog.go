package binarynet

import (
	"fmt"
	"math"
	"slices"
)

// The field-log record (recordFields) holds a pending field log (see
// EnableFieldLogging): its definition, the samples taken so far and the
// steps that place the next ones. All integers are little-endian:
//
//	origin    uint64   step count when logging was enabled
//	limit     uint64   steps the log has room for after origin (>= 1)
//	every     uint64   sampling interval (>= 1)
//	parts     uint32   number of parts P, 0 without split
//	names     P times  uint32 length and the bytes of the part's name
//	partOf    P > 0:   one uint32 per population, the part of its input
//	units     uint64   number of recorded units m, then m uint32 unit ids
//	samples   uint64   number of samples S taken so far, then
//	  steps   S int64
//	  fields  S*m float64
//	  thresh  S*m float64
//	  parts   S*P*m float64
//
// The reader checks every count against the bytes left and the log's
// capacity (FieldLogBytes of limit steps) against the RAM budget before it
// allocates anything for it, and checks that the samples are exactly those
// due between origin and the restored step count.

// encodeFieldLog serializes the pending field log of nw. A part name
// longer than a checkpoint stores (maxCheckpointName) is an error.
func (nw *Network) encodeFieldLog() ([]byte, error) {
	f := &nw.fields
	l := &f.log
	var e ckptEnc
	e.u64(uint64(f.origin))
	e.u64(uint64(f.limit))
	e.u64(uint64(l.Every))
	e.u32(uint32(len(l.Parts)))
	for _, p := range l.Parts {
		if len(p) > maxCheckpointName {
			return nil, checkpointError("field log part name of %d bytes exceeds %d (FieldLogSpec.Groups)", len(p), maxCheckpointName)
		}
		e.str(p)
	}
	if l.Parts != nil {
		for _, p := range f.partOf {
			e.u32(uint32(p))
		}
	}
	e.u64(uint64(len(l.Units)))
	e.b = appendElems(e.b, l.Units)
	e.u64(uint64(len(l.Steps)))
	e.b = appendElems(e.b, l.Steps)
	e.b = appendElems(e.b, l.Fields)
	e.b = appendElems(e.b, l.Thresholds)
	e.b = appendElems(e.b, l.PartFields)
	return e.b, nil
}

// decodeFieldLog parses and validates a field-log record and gives nw,
// whose step count, populations and options are restored, the pending
// field log it holds, with the capacity EnableFieldLogging gave it.
func (nw *Network) decodeFieldLog(b []byte) error {
	d := &ckptDec{b: b}
	origin, limit, every := d.u64(), d.u64(), d.u64()
	nparts := d.u32()
	if d.err != nil {
		return fmt.Errorf("field-log record: %w", d.err)
	}
	steps := nw.steps
	if origin > uint64(steps) || limit < 1 || limit > math.MaxInt || uint64(steps)-origin > limit {
		return checkpointError("field log enabled at step %d with room for %d steps does not fit the step count %d", origin, limit, steps)
	}
	if every < 1 || every > math.MaxInt {
		return checkpointError("field log interval %d must be in [1, %d]", every, math.MaxInt)
	}
	if uint64(nparts) > uint64(len(nw.specs))+1 {
		return checkpointError("field log claims %d parts for %d populations", nparts, len(nw.specs))
	}
	var parts []string
	var partOf []int
	if nparts > 0 {
		parts = make([]string, nparts)
		for i := range parts {
			parts[i] = d.str(maxCheckpointName)
		}
		partOf = make([]int, len(nw.specs))
		groups := make([]string, len(nw.specs))
		for k := range partOf {
			p := d.u32()
			if d.err == nil && p >= nparts {
				return checkpointError("field log puts population %d into part %d of %d", k, p, nparts)
			}
			partOf[k] = int(p)
			if d.err == nil {
				groups[k] = parts[p]
			}
		}
		if d.err != nil {
			return fmt.Errorf("field-log record: %w", d.err)
		}
		// The parts must be those EnableFieldLogging makes of these
		// groups: distinct, in order of first appearance, the drive last.
		want, wantOf := fieldParts(nw.specs, groups)
		if !slices.Equal(parts, want) || !slices.Equal(partOf, wantOf) {
			return checkpointError("field log parts %q do not match the populations", parts)
		}
	}
	n := nw.size()
	m := d.u64()
	if d.err != nil {
		return fmt.Errorf("field-log record: %w", d.err)
	}
	if m > uint64(n) || m > uint64(len(d.b))/4 {
		return checkpointError("field log claims %d units (network of %d units, %d bytes left)", m, n, len(d.b))
	}
	units := make([]int32, m)
	decodeElems(units, d.take(int(m)*4))
	seen := make([]bool, n)
	for i, u := range units {
		if uint32(u) >= uint32(n) {
			return checkpointError("field log units[%d] = %d is not a unit id in [0, %d)", i, u, n)
		}
		if seen[u] {
			return checkpointError("field log units[%d] = %d is repeated", i, u)
		}
		seen[u] = true
	}
	count := d.u64()
	if d.err != nil {
		return fmt.Errorf("field-log record: %w", d.err)
	}
	// m <= n < 2^31 and nparts <= populations + 1 < 2^24, so no overflow.
	perSample := 8 * (1 + m*(2+uint64(nparts)))
	if count > uint64(len(d.b))/perSample || count*perSample != uint64(len(d.b)) {
		return checkpointError("field-log record holds %d bytes for %d samples of %d units", len(d.b), count, m)
	}
	var due uint64 // samples due at steps origin+1, origin+1+every, ... <= steps
	if uint64(steps) > origin {
		due = (uint64(steps)-origin-1)/every + 1
	}
	if count != due {
		return checkpointError("field log holds %d samples, %d are due between steps %d and %d every %d", count, due, origin, steps, every)
	}
	need := FieldLogBytes(int64(limit), int(every), int(m), int(nparts))
	if nparts > 0 && nw.opts.WeightMode != WeightDense {
		need += 4 * float64(n)
	}
	samples := int64((limit-1)/every) + 1
	if err := checkMemory(fmt.Sprintf("restoring a field log of %d samples of %d units", samples, m), need, nw.opts.RAMBudgetGB); err != nil {
		return fmt.Errorf("%w: %w", ErrCheckpoint, err)
	}
	l := FieldLog{
		Units:      units,
		Every:      int(every),
		Steps:      make([]int64, count, samples),
		Fields:     make([]float64, count*m, samples*int64(m)),
		Thresholds: make([]float64, count*m, samples*int64(m)),
		Parts:      parts,
	}
	decodeElems(l.Steps, d.take(int(count)*8))
	for i, s := range l.Steps {
		if want := int64(origin) + 1 + int64(i)*int64(every); s != want {
			return checkpointError("field log sample %d is at step %d, want %d", i, s, want)
		}
	}
	decodeElems(l.Fields, d.take(len(l.Fields)*8))
	decodeElems(l.Thresholds, d.take(len(l.Thresholds)*8))
	if parts != nil {
		l.PartFields = make([]float64, count*m*uint64(nparts), samples*int64(m)*int64(nparts))
		decodeElems(l.PartFields, d.take(len(l.PartFields)*8))
	}
	if d.err != nil || len(d.b) != 0 {
		return checkpointError("field-log record has %d bytes left over (internal error)", len(d.b))
	}
	nw.fields = fieldBuffer{log: l, origin: int64(origin), limit: int64(limit), partOf: partOf, pop: populationsOf(nw.starts, units)}
	return nil
}
