package binarynet

// VisitWeightColumns calls fn for every unit pre, in increasing order,
// with the units it projects to (post, increasing, without duplicates)
// and the weights W[post, pre] of those connections, the non-zero entries
// of column pre of the matrix that Weights returns. Unlike Weights it
// copies nothing: only one column's weights are converted to float64 at a
// time, into a buffer reused between calls, so post and w are valid only
// during the call and must not be modified. An error returned by fn stops
// the visit and is returned.
func (nw *Network) VisitWeightColumns(fn func(pre int, post []int32, w []float64) error) error {
	if !nw.Initialized() {
		return orderError("VisitWeightColumns before Initialize")
	}
	return nw.num.visitColumns(fn)
}

func (e *engine[T]) visitColumns(fn func(pre int, post []int32, w []float64) error) error {
	n := len(e.state)
	var rows []int32
	var vals []float64
	if e.dense != nil {
		rows, vals = make([]int32, 0, n), make([]float64, 0, n)
		for pre := range n {
			rows, vals = rows[:0], vals[:0]
			for post, v := range e.dense[pre*n : (pre+1)*n] {
				if v != 0 {
					rows, vals = append(rows, int32(post)), append(vals, float64(v))
				}
			}
			if err := fn(pre, rows, vals); err != nil {
				return err
			}
		}
		return nil
	}
	m := e.sparse
	r := m.columns()
	for pre := range n {
		vals = vals[:0]
		for _, v := range r.vals(pre) {
			vals = append(vals, float64(v))
		}
		rows := r.rows(pre)
		if err := fn(pre, rows[:len(rows):len(rows)], vals); err != nil {
			return err
		}
	}
	return nil
}
