package binarynet

import (
	"fmt"
	"math"
)

// Correlations holds the pairwise Pearson correlation coefficients of a
// subset of units, as returned by StateCorrelations and
// CountCorrelations, and their means over the pairs of each block of
// groups (for example, within and between clusters).
//
// A unit whose signal has zero variance has no defined correlation: its
// coefficients are 0, on the diagonal too, and its pairs are left out of
// the block means.
type Correlations struct {
	// Units is the subset, in the order of the matrix.
	Units []int32
	// R is the M x M correlation matrix, row-major: R[i*M+j] is the
	// coefficient of Units[i] and Units[j]; R[i*M+i] is 1 for a unit with
	// nonzero variance.
	R []float64
	// Variance[i] is the variance of the signal of Units[i] (states over
	// time, or counts over windows).
	Variance []float64
	// Groups is the number of groups G.
	Groups int
	// BlockMean[g*G+h] is the mean of R over the pairs of distinct units
	// with groups g and h, both of nonzero variance (each unordered pair
	// once); NaN when there is no such pair. BlockPairs counts them.
	BlockMean  []float64
	BlockPairs []int
}

// At returns the coefficient of the i-th and j-th units of the subset.
func (c *Correlations) At(i, j int) float64 { return c.R[i*len(c.Units)+j] }

// corrSubset validates a subset of units and its group labels and maps
// unit ids to positions in the subset (-1 outside it).
func corrSubset(n int, units []int32, groups []int) (index []int32, ng int, err error) {
	if len(units) == 0 {
		return nil, 0, paramError("correlation units", "[]", "must hold at least one unit")
	}
	if groups != nil && len(groups) != len(units) {
		return nil, 0, shapeError("%d correlation groups for %d units", len(groups), len(units))
	}
	if err := checkAnalysisMemory("correlation matrix", 24*float64(len(units))*float64(len(units))); err != nil {
		return nil, 0, err
	}
	index = make([]int32, n)
	for i := range index {
		index[i] = -1
	}
	ng = 1
	for k, u := range units {
		if uint32(u) >= uint32(n) {
			return nil, 0, paramError(fmt.Sprintf("correlation units[%d]", k), u, fmt.Sprintf("must be a unit id in [0, %d)", n))
		}
		if index[u] >= 0 {
			return nil, 0, paramError(fmt.Sprintf("correlation units[%d]", k), u, fmt.Sprintf("repeats units[%d]", index[u]))
		}
		index[u] = int32(k)
		if groups != nil {
			if g := groups[k]; g < 0 || g >= len(units) {
				return nil, 0, paramError(fmt.Sprintf("correlation groups[%d]", k), g, fmt.Sprintf("must be in [0, %d)", len(units)))
			}
			ng = max(ng, groups[k]+1)
		}
	}
	return index, ng, nil
}

// checkStep validates step t of a diff log of a network of n units.
func checkStep(n, t int, u int32, d int8) error {
	if uint32(u) >= uint32(n) {
		return paramError(fmt.Sprintf("diff log updates[%d]", t), u, fmt.Sprintf("must be a unit id in [0, %d)", n))
	}
	if d < -1 || d > 1 {
		return paramError(fmt.Sprintf("diff log deltas[%d]", t), d, "must be -1, 0 or 1")
	}
	return nil
}

func checkLogShape(initial []int8, log DiffLog) error {
	if err := checkBinary("initial state", initial); err != nil {
		return err
	}
	if len(log.Updates) != len(log.Deltas) {
		return shapeError("diff log has %d updates but %d deltas", len(log.Updates), len(log.Deltas))
	}
	return nil
}

// StateCorrelations returns the Pearson correlations of the states of the
// given units over the recording: for units i and j with time means m_i,
// m_j, (<s_i s_j> - m_i m_j) / sqrt(m_i (1 - m_i) m_j (1 - m_j)), time
// averages taken over the piecewise-constant states as in Covariances.
// groups gives each unit's group in [0, G) for the block means, or nil
// for one group; G is at most the number of units. The log is read once; memory is O(M*M) for M units.
func StateCorrelations(initial []int8, log DiffLog, units []int32, groups []int) (*Correlations, error) {
	if err := checkLogShape(initial, log); err != nil {
		return nil, err
	}
	n, mu := len(initial), len(units)
	index, ng, err := corrSubset(n, units, groups)
	if err != nil {
		return nil, err
	}
	if log.Len() == 0 {
		return nil, paramError("diff log length", 0, "must be >= 1 step for correlations")
	}
	// co[i*M+j], i < j, is the time both were on; since[i] the time unit i
	// last switched on, or -1 while it is off.
	co := make([]int64, mu*mu)
	onTime := make([]int64, mu)
	since := make([]int64, mu)
	on := make([]int32, 0, mu) // subset positions now on
	pos := make([]int32, mu)   // position in on, -1 when off
	state := append([]int8(nil), initial...)
	for i, u := range units {
		since[i], pos[i] = -1, -1
		if initial[u] == 1 {
			since[i], pos[i] = 0, int32(len(on))
			on = append(on, int32(i))
		}
	}
	closeUnit := func(i int32, now int64) {
		for _, j := range on {
			if j != i {
				a, b := min(i, j), max(i, j)
				co[int(a)*mu+int(b)] += now - max(since[i], since[j])
			}
		}
		onTime[i] += now - since[i]
	}
	for t, u := range log.Updates {
		d := log.Deltas[t]
		if err := checkStep(n, t, u, d); err != nil {
			return nil, err
		}
		next := stepState(state[u], d)
		if next == state[u] {
			continue
		}
		state[u] = next
		i := index[u]
		if i < 0 {
			continue
		}
		if next == 1 {
			since[i], pos[i] = int64(t), int32(len(on))
			on = append(on, i)
			continue
		}
		// Close the pairs of i with every unit on, then drop i from on.
		closeUnit(i, int64(t))
		last := on[len(on)-1]
		on[pos[i]], pos[last] = last, pos[i]
		on = on[:len(on)-1]
		since[i], pos[i] = -1, -1
	}
	total := int64(log.Len())
	for x, i := range on {
		for _, j := range on[x+1:] {
			a, b := min(i, j), max(i, j)
			co[int(a)*mu+int(b)] += total - max(since[i], since[j])
		}
		onTime[i] += total - since[i]
	}
	c := &Correlations{Units: append([]int32(nil), units...), R: make([]float64, mu*mu), Variance: make([]float64, mu)}
	mean := make([]float64, mu)
	T := float64(total)
	for i := range mu {
		mean[i] = float64(onTime[i]) / T
		c.Variance[i] = mean[i] * (1 - mean[i])
	}
	for i := range mu {
		for j := i; j < mu; j++ {
			var m2 float64
			if i == j {
				m2 = mean[i]
			} else {
				m2 = float64(co[i*mu+j]) / T
			}
			c.setPair(i, j, m2-mean[i]*mean[j])
		}
	}
	c.blocks(groups, ng)
	return c, nil
}

// setPair sets R for units i <= j from their covariance.
func (c *Correlations) setPair(i, j int, cov float64) {
	mu := len(c.Units)
	r := 0.0
	if vi, vj := c.Variance[i], c.Variance[j]; vi > 0 && vj > 0 {
		r = cov / math.Sqrt(vi*vj)
		if i == j {
			r = 1
		}
	}
	c.R[i*mu+j], c.R[j*mu+i] = r, r
}

// blocks fills the block means.
func (c *Correlations) blocks(groups []int, ng int) {
	mu := len(c.Units)
	c.Groups = ng
	c.BlockMean = make([]float64, ng*ng)
	c.BlockPairs = make([]int, ng*ng)
	group := func(i int) int {
		if groups == nil {
			return 0
		}
		return groups[i]
	}
	for i := range mu {
		for j := i + 1; j < mu; j++ {
			if c.Variance[i] > 0 && c.Variance[j] > 0 {
				g, h := group(i), group(j)
				c.BlockMean[g*ng+h] += c.R[i*mu+j]
				c.BlockPairs[g*ng+h]++
				if g != h {
					c.BlockMean[h*ng+g] += c.R[i*mu+j]
					c.BlockPairs[h*ng+g]++
				}
			}
		}
	}
	for k, p := range c.BlockPairs {
		if p == 0 {
			c.BlockMean[k] = math.NaN()
		} else {
			c.BlockMean[k] /= float64(p)
		}
	}
}

// CountCorrelations returns the Pearson correlations of the onset counts
// (switches from 0 to 1) of the given units in consecutive windows of
// window steps: window k covers steps [k*window, (k+1)*window), and the
// steps after the last complete window are not counted. Means and
// variances are over the windows. groups is as for StateCorrelations.
// The log is read once; memory is O(M*M) for M units.
func CountCorrelations(initial []int8, log DiffLog, units []int32, groups []int, window int) (*Correlations, error) {
	if err := checkLogShape(initial, log); err != nil {
		return nil, err
	}
	if window < 1 || window > log.Len() {
		return nil, paramError("correlation window", window, fmt.Sprintf("must be in [1, %d], the log's length", log.Len()))
	}
	n, mu := len(initial), len(units)
	index, ng, err := corrSubset(n, units, groups)
	if err != nil {
		return nil, err
	}
	windows := log.Len() / window
	prod := make([]int64, mu*mu) // i <= j
	sum := make([]int64, mu)
	count := make([]int64, mu)
	var active []int32 // units with onsets in the current window
	flush := func() {
		for x, i := range active {
			for _, j := range active[x:] {
				a, b := min(i, j), max(i, j)
				prod[int(a)*mu+int(b)] += count[i] * count[j]
			}
		}
		for _, i := range active {
			sum[i] += count[i]
			count[i] = 0
		}
		active = active[:0]
	}
	state := append([]int8(nil), initial...)
	for t, u := range log.Updates {
		d := log.Deltas[t]
		if err := checkStep(n, t, u, d); err != nil {
			return nil, err
		}
		if t%window == 0 {
			flush()
		}
		next := stepState(state[u], d)
		if next == 1 && state[u] == 0 && t < windows*window {
			if i := index[u]; i >= 0 {
				if count[i] == 0 {
					active = append(active, i)
				}
				count[i]++
			}
		}
		state[u] = next
	}
	flush()
	c := &Correlations{Units: append([]int32(nil), units...), R: make([]float64, mu*mu), Variance: make([]float64, mu)}
	W := float64(windows)
	mean := make([]float64, mu)
	for i := range mu {
		mean[i] = float64(sum[i]) / W
		c.Variance[i] = max(0, float64(prod[i*mu+i])/W-mean[i]*mean[i])
		if prod[i*mu+i]*int64(windows) == sum[i]*sum[i] {
			c.Variance[i] = 0 // exactly constant counts
		}
	}
	for i := range mu {
		for j := i; j < mu; j++ {
			c.setPair(i, j, float64(prod[i*mu+j])/W-mean[i]*mean[j])
		}
	}
	c.blocks(groups, ng)
	return c, nil
}
