package sweep

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// IncompleteError lists the tasks of a sweep that are missing or corrupt.
// It wraps ErrIncomplete.
type IncompleteError struct {
	Total   int
	Missing []int         // tasks without a completion marker
	Corrupt map[int]error // tasks whose marker or outputs are damaged
}

// Error lists the missing and corrupt tasks.
func (e *IncompleteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d tasks not finished", len(e.Missing)+len(e.Corrupt), e.Total)
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, "; missing: %s", formatIndices(e.Missing))
	}
	if len(e.Corrupt) > 0 {
		idx := make([]int, 0, len(e.Corrupt))
		for i := range e.Corrupt {
			idx = append(idx, i)
		}
		slices.Sort(idx)
		fmt.Fprintf(&b, "; corrupt: %s (first: %v)", formatIndices(idx), e.Corrupt[idx[0]])
	}
	return b.String()
}

// Unwrap returns ErrIncomplete.
func (e *IncompleteError) Unwrap() error { return ErrIncomplete }

// Collect returns the CSV table of a sweep: a header, then one row per
// finished task, in index order, with the columns index, tag, the swept
// keys (their values as in the task file), the task's metrics (as its
// runner named them; the same for every task) and wall_s (the task's wall
// time in seconds). Every task's marker and outputs are checked (see
// File.Check). If a task is missing or corrupt, Collect returns an
// *IncompleteError, and with partial also the table of the others.
func Collect(f *File, partial bool) ([]byte, error) {
	inc := &IncompleteError{Total: len(f.Tasks), Corrupt: map[int]error{}}
	var rows [][]string
	var metricNames []string
	for _, t := range f.Tasks {
		state, err := f.Check(t)
		switch state {
		case Missing:
			inc.Missing = append(inc.Missing, t.Index)
			continue
		case Corrupt:
			inc.Corrupt[t.Index] = err
			continue
		}
		s, err := f.ReadSummary(t)
		if err != nil {
			inc.Corrupt[t.Index] = err
			continue
		}
		names := make([]string, len(s.Metrics))
		for i, m := range s.Metrics {
			names[i] = m.Name
		}
		if metricNames == nil {
			metricNames = names
		} else if !slices.Equal(names, metricNames) {
			return nil, fmt.Errorf("task %d has the metrics %v, task %s has %v: the tasks were run by different programs",
				t.Index, names, rows[0][0], metricNames)
		}
		values := map[string]string{}
		for _, o := range t.Overrides {
			values[o.Key] = o.Value
		}
		row := []string{strconv.Itoa(t.Index), t.Tag}
		for _, k := range f.Swept {
			row = append(row, values[k])
		}
		for _, m := range s.Metrics {
			row = append(row, m.Value)
		}
		rows = append(rows, append(row, formatFloat(s.WallS)))
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	header := append(append([]string{"index", "tag"}, f.Swept...), metricNames...)
	_ = w.Write(append(header, "wall_s")) // writes to a bytes.Buffer cannot fail
	_ = w.WriteAll(rows)
	if len(inc.Missing) > 0 || len(inc.Corrupt) > 0 {
		if partial {
			return b.Bytes(), inc
		}
		return nil, inc
	}
	return b.Bytes(), nil
}
