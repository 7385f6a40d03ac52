package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

// fieldLogKey is the configuration key of the recorded fields.
const fieldLogKey = "binary.field_log"

// FieldLog is the resolved binary.field_log: which units' input fields
// the recorded run samples, how often, and whether it splits them by
// presynaptic cell type. The key is off when absent or null; then the
// run's tags and files are those of a run without it.
//
//	binary:
//	  field_log:
//	    units: [E0, I0]   # population names, cell types E/I, unit ids, or {start: 0, stop: 100}
//	    interval: 10      # steps between samples (default binary.sample_interval)
//	    split: true       # also the parts from the E and the I units (default false)
type FieldLog struct {
	// Units are the recorded unit ids, in the order given, each once; a
	// population name or a cell type stands for its units in increasing
	// order. Absent or null units record every unit.
	Units []int32
	// Interval k: the fields are sampled after updates 0, k, 2k, ... of
	// the recorded run, as the rates are when k is sample_interval.
	Interval int64
	// Split also records the part of each field coming from the E units
	// and the part coming from the I units.
	Split bool
}

// fieldLogParts are the parts of a split field log, by presynaptic cell
// type. The external drive of the model, m_X J_X, is folded into the
// thresholds and written apart (field_drive).
var fieldLogParts = []string{"E", "I"}

// readFieldLog reads binary.field_log; nil when absent or null.
func readFieldLog(c *Config, m *Model, sampleInterval int64) (*FieldLog, error) {
	v, ok := c.lookup(fieldLogKey)
	if !ok || v == nil {
		return nil, nil
	}
	sec, isMap := v.(map[string]any)
	if !isMap {
		return nil, keyError(fieldLogKey, v, "must be a mapping {units, interval, split} or null")
	}
	for _, k := range slices.Sorted(maps.Keys(sec)) {
		if k != "units" && k != "interval" && k != "split" {
			return nil, keyError(fieldLogKey+"."+k, sec[k], "unknown key (known: units, interval, split)")
		}
	}
	f := &FieldLog{}
	var err error
	if f.Interval, err = c.intAt(fieldLogKey+".interval", sampleInterval); err != nil {
		return nil, err
	}
	if f.Interval < 1 {
		return nil, keyError(fieldLogKey+".interval", f.Interval, "must be >= 1")
	}
	if f.Split, err = c.boolAt(fieldLogKey+".split", false); err != nil {
		return nil, err
	}
	if f.Units, err = readFieldUnits(sec["units"], m); err != nil {
		return nil, err
	}
	return f, nil
}

// readFieldUnits reads binary.field_log.units: null (every unit), a
// mapping {start, stop} (the units start..stop-1) or a list of population
// names, cell types (E, I) and unit ids.
func readFieldUnits(v any, m *Model) ([]int32, error) {
	key := fieldLogKey + ".units"
	n := int64(m.N())
	pops := m.populations()
	switch v := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if k != "start" && k != "stop" {
				return nil, keyError(key+"."+k, v[k], "unknown key (a range is {start, stop})")
			}
		}
		var r [2]int64
		for i, k := range []string{"start", "stop"} {
			x, ok := v[k]
			if !ok || x == nil {
				return nil, keyError(key, v, "a range needs start and stop")
			}
			var err error
			if r[i], err = toInt(key+"."+k, x); err != nil {
				return nil, err
			}
		}
		if r[0] < 0 || r[0] >= r[1] || r[1] > n {
			return nil, keyError(key, v, fmt.Sprintf("must be a range with 0 <= start < stop <= N = %d (stop excluded)", n))
		}
		return binarynet.UnitsOf(binarynet.Range{Start: int(r[0]), End: int(r[1])}), nil
	case []any:
		if len(v) == 0 {
			return nil, keyError(key, v, "must name at least one unit (null records every unit)")
		}
		var units []int32
		seen := map[int32]string{}
		add := func(u int32, what string) error {
			if prev, ok := seen[u]; ok {
				return keyError(key, formatValue(v), fmt.Sprintf("unit %d is named twice (%s and %s)", u, prev, what))
			}
			seen[u] = what
			units = append(units, u)
			return nil
		}
		for i, x := range v {
			elem := fmt.Sprintf("%s[%d]", key, i)
			if s, isString := x.(string); isString {
				var found bool
				for _, p := range pops {
					if p.Name == s || p.Cell == s {
						found = true
						for u := p.Range.Start; u < p.Range.End; u++ {
							if err := add(int32(u), elem+" "+s); err != nil {
								return nil, err
							}
						}
					}
				}
				if !found {
					return nil, keyError(elem, s, fmt.Sprintf("must be a population name (E0..E%d, I0..I%d), a cell type (E, I) or a unit id", m.Q-1, m.Q-1))
				}
				continue
			}
			u, err := toInt(elem, x)
			if err != nil {
				return nil, keyError(elem, x, "must be a population name, a cell type (E, I) or a unit id")
			}
			if u < 0 || u >= n {
				return nil, keyError(elem, x, fmt.Sprintf("must be a unit id in [0, %d)", n))
			}
			if err := add(int32(u), elem); err != nil {
				return nil, err
			}
		}
		return units, nil
	}
	return nil, keyError(key, v, "must be a list of population names, cell types and unit ids, a range {start, stop}, or null (every unit)")
}

// count returns the number of recorded units in a network of n units.
func (f *FieldLog) count(n int) int {
	if f.Units == nil {
		return n
	}
	return len(f.Units)
}

// spec returns the library's field log of f for the model's populations:
// the parts grouped by cell type.
func (f *FieldLog) spec(pops []population) binarynet.FieldLogSpec {
	s := binarynet.FieldLogSpec{Units: f.Units, Every: int(f.Interval)}
	if f.Split {
		s.Groups = make([]string, len(pops))
		for i, p := range pops {
			s.Groups[i] = p.Cell
		}
	}
	return s
}

// bytes returns the memory the field log of a run of steps recorded
// steps takes in a network of n units (binarynet.FieldLogBytes, plus the
// index the library keeps for split logs of sparse weights).
func (f *FieldLog) bytes(steps int64, n int, sparse bool) float64 {
	parts := 0
	if f.Split {
		parts = len(fieldLogParts) + 1 // the library's drive part too
	}
	b := binarynet.FieldLogBytes(steps, int(f.Interval), f.count(n), parts)
	if f.Split && sparse {
		b += 4 * float64(n)
	}
	return b
}

// samples returns the number of samples of a run of steps recorded steps.
func (f *FieldLog) samples(steps int64) int64 {
	if steps <= 0 {
		return 0
	}
	return (steps-1)/f.Interval + 1
}

// fieldDrive returns the external drive m_X J_X of the E and the I units,
// which the model folds into their thresholds.
func (j *Job) fieldDrive() ([2]float64, error) {
	p, err := j.ClusteredParams()
	if err != nil {
		return [2]float64{}, err
	}
	m, err := p.Matrices()
	if err != nil {
		return [2]float64{}, err
	}
	return [2]float64{p.MX * m.JEX, p.MX * m.JIX}, nil
}

// writeFieldLog writes the field log into the trace: field_interval,
// field_steps (int64, the update of the recorded run after which each
// sample was taken, as times), field_units (int64), fields and
// field_thresholds (float64, samples x units), field_drive (float64, the
// external drive m_X J_X of each unit, folded into its threshold) and,
// when split, field_part_names (E, I) and field_parts (float64, samples x
// 2 x units).
func writeFieldLog(w *npz.Writer, r *record) error {
	fl := r.fields
	f := r.job.Binary.FieldLog
	m, s := len(fl.Units), fl.Len()
	if fl.Every != int(f.Interval) || int64(s) != f.samples(r.job.Binary.SimulationSteps) {
		return fmt.Errorf("pipeline: the field log has %d samples every %d steps, want %d every %d", s, fl.Every, f.samples(r.job.Binary.SimulationSteps), f.Interval)
	}
	if err := npz.WriteScalar(w, "field_interval", f.Interval); err != nil {
		return err
	}
	if err := streamArray(w, "field_steps", s, func(i int) int64 { return int64(i) * f.Interval }); err != nil {
		return err
	}
	if err := streamArray(w, "field_units", m, func(i int) int64 { return int64(fl.Units[i]) }); err != nil {
		return err
	}
	if err := npz.WriteArray(w, "fields", []int{s, m}, fl.Fields); err != nil {
		return err
	}
	if err := npz.WriteArray(w, "field_thresholds", []int{s, m}, fl.Thresholds); err != nil {
		return err
	}
	drive := make([]float64, m)
	for i, u := range fl.Units {
		drive[i] = r.drive[0]
		if r.cellOf(int(u)) == "I" {
			drive[i] = r.drive[1]
		}
	}
	if err := npz.WriteArray(w, "field_drive", []int{m}, drive); err != nil {
		return err
	}
	if !f.Split {
		return nil
	}
	want := append(slices.Clone(fieldLogParts), binarynet.DrivePart)
	if !slices.Equal(fl.Parts, want) {
		return fmt.Errorf("pipeline: the field log has parts %s, want %s", strings.Join(fl.Parts, ", "), strings.Join(want, ", "))
	}
	if err := w.WriteStrings("field_part_names", fieldLogParts); err != nil {
		return err
	}
	// The library's last part, the input of background populations, is
	// zero in this model (it has none) and is not written.
	p := len(fieldLogParts)
	a, err := npz.BeginArray[float64](w, "field_parts", s, p, m)
	if err != nil {
		return err
	}
	for k := range s {
		for q := range p {
			if err := a.Write(fl.Part(k, q)); err != nil {
				return err
			}
		}
	}
	return a.Close()
}

// cellOf returns the cell type of unit u.
func (r *record) cellOf(u int) string {
	for _, p := range r.pops {
		if u >= p.Range.Start && u < p.Range.End {
			return p.Cell
		}
	}
	return ""
}

// fieldSummary returns the summary's field_log entry.
func fieldSummary(f *FieldLog, r *record) map[string]any {
	keys := []any{"field_interval", "field_steps", "field_units", "fields", "field_thresholds", "field_drive"}
	parts := []any{}
	if f.Split {
		keys = append(keys, "field_part_names", "field_parts")
		for _, p := range fieldLogParts {
			parts = append(parts, p)
		}
	}
	return map[string]any{
		"enabled":  true,
		"units":    int64(len(r.fields.Units)),
		"interval": f.Interval,
		"samples":  int64(r.fields.Len()),
		"split":    f.Split,
		"parts":    parts,
		"drive":    map[string]any{"E": r.drive[0], "I": r.drive[1]},
		"keys":     keys,
		"file":     r.job.Binary.OutputName + ".npz",
	}
}
