package binarynet

import (
	"fmt"
	"math"
	"slices"
)

// Covariances holds the time-lagged covariance functions of channels of
// a recording, as returned by CovarianceFunctions.
//
// Time is in update steps. The state after step t of a diff log of T
// steps holds during [t, t+1), so a log covers [0, T) and n_a[t], the
// summed state of channel a after step t, is piecewise constant. For a
// lag L = j*Dt >= 0,
//
//	c_ab(L) = 1/(T-L) sum_{t=0}^{T-L-1} n_a[t] n_b[t+L] - m_a m_b
//
// where m_a = 1/T sum_t n_a[t] is the mean over the whole log, and
// c_ab(-L) = c_ba(L). This is what NEST's correlospinmatrix_detector
// estimates, computed exactly from the states rather than from sampled
// events.
type Covariances struct {
	// Channels is the number of channels C.
	Channels int
	// Dt is the lag resolution and MaxLag the largest lag index J: lags
	// are j*Dt steps for j in [-J, J].
	Dt, MaxLag int
	// Steps is the length T of the log.
	Steps int
	// Means[a] is the mean summed state m_a of channel a.
	Means []float64
	// Values holds c_ab(j*Dt) at index (a*C+b)*(2J+1) + j+J.
	Values []float64
}

// Lags returns the lags j*Dt in steps, for j from -MaxLag to MaxLag.
func (c *Covariances) Lags() []int {
	lags := make([]int, 2*c.MaxLag+1)
	for i := range lags {
		lags[i] = (i - c.MaxLag) * c.Dt
	}
	return lags
}

// Func returns c_ab at the lags of Lags, a view into Values. It returns
// nil when a or b is not a channel.
func (c *Covariances) Func(a, b int) []float64 {
	if uint(a) >= uint(c.Channels) || uint(b) >= uint(c.Channels) {
		return nil
	}
	w := 2*c.MaxLag + 1
	i := (a*c.Channels + b) * w
	return c.Values[i : i+w : i+w]
}

// covLags evaluates A_a(now - j*dt), the integral sum_{t < now-j*dt} n_a[t]
// (0 for a negative argument), for every channel a and lag j, as now
// moves forward. hist[a] is the recent history of channel a: the times w
// at which it changed, A_a(w) and the value from w on. Between two of
// its changes A_a is linear, so at index i = a*width+j the value is
// alpha[i] + slope[i]*now until now reaches next[i], when the point
// now-j*dt passes the next change and cur[i], the entry in use, moves on.
// Each cursor passes each entry once; entries older than every cursor
// are dropped.
type covLags struct {
	dt           int64
	width        int
	hist         [][]covEntry
	cur          []int
	alpha, slope []float64
	next         []int64
}

type covEntry struct{ w, a, v int64 }

func newCovLags(val []int64, width int, dt int64) *covLags {
	k := len(val) * width
	s := &covLags{dt: dt, width: width, hist: make([][]covEntry, len(val)),
		cur: make([]int, k), alpha: make([]float64, k), slope: make([]float64, k), next: make([]int64, k)}
	for a, v := range val {
		s.hist[a] = []covEntry{{0, 0, v}}
	}
	return s
}

// update brings every value to time now, which must not decrease.
func (s *covLags) update(now int64) {
	for a, e := range s.hist {
		next := s.next[a*s.width : (a+1)*s.width]
		for j, t := range next {
			if now >= t {
				s.refresh(e, a*s.width+j, int64(j)*s.dt, now)
			}
		}
	}
}

// refresh moves cursor i, of a channel with history e and a lag of lag
// steps, to time now.
func (s *covLags) refresh(e []covEntry, i int, lag, now int64) {
	if now < lag {
		s.alpha[i], s.slope[i], s.next[i] = 0, 0, lag
		return
	}
	y, p := now-lag, s.cur[i]
	for p+1 < len(e) && e[p+1].w < y {
		p++
	}
	s.cur[i] = p
	s.alpha[i] = float64(e[p].a - e[p].v*(e[p].w+lag))
	s.slope[i] = float64(e[p].v)
	s.next[i] = math.MaxInt64
	if p+1 < len(e) {
		s.next[i] = e[p+1].w + lag + 1
	}
}

// push records that channel a changed to value v at time w, after update(w).
func (s *covLags) push(a int, w, v int64) {
	e := s.hist[a]
	last := len(e) - 1
	e = append(e, covEntry{w, e[last].a + e[last].v*(w-e[last].w), v})
	cur, next := s.cur[a*s.width:(a+1)*s.width], s.next[a*s.width:(a+1)*s.width]
	for j, p := range cur {
		if p == last {
			next[j] = min(next[j], w+int64(j)*s.dt+1)
		}
	}
	// The oldest cursor is the one of the largest lag.
	if old := cur[len(cur)-1]; old > 64 && 2*old > len(e) {
		e = e[:copy(e, e[old:])]
		for j := range cur {
			cur[j] -= old
		}
	}
	s.hist[a] = e
}

// CovarianceFunctions computes the covariance functions c_ab(tau) of the
// given channels for tau in [-tauMax, tauMax] at a resolution of dt steps
// (see Covariances) from a diff log that starts in state initial. A
// channel is a range of units whose states are summed: a population, or
// one unit i as Range{i, i+1}; channels may overlap. The lags are j*dt
// for |j| <= tauMax/dt, and the largest must be shorter than the log.
//
// The log is read once. Memory is the result, C*C*(2J+1) values, plus the
// changes of each channel within the last tauMax steps (at most twice
// that). The time is proportional to the number of channel changes (a
// state change counts once per channel that holds the unit) times
// C*(J+1): each change of channel b adds to c_ab at every lag for every
// a, one multiply-add each. Overlapping channels, such as all E units
// and each E cluster, are computed from the pieces their boundaries cut
// the units into, when there are no more pieces than channels, so that a
// change reaches one piece only.
func CovarianceFunctions(initial []int8, log DiffLog, channels []Range, tauMax, dt int) (*Covariances, error) {
	if dt < 1 {
		return nil, paramError("covariance dt", dt, "must be >= 1 step")
	}
	if tauMax < 0 {
		return nil, paramError("covariance tauMax", tauMax, "must be >= 0")
	}
	if err := checkBinary("initial state", initial); err != nil {
		return nil, err
	}
	if len(log.Updates) != len(log.Deltas) {
		return nil, shapeError("diff log has %d updates but %d deltas", len(log.Updates), len(log.Deltas))
	}
	steps := log.Len()
	jmax := tauMax / dt
	if jmax*dt >= steps {
		return nil, paramError("covariance tauMax", tauMax, fmt.Sprintf("must be shorter than the log of %d steps (largest lag %d at dt %d)", steps, jmax*dt, dt))
	}
	if _, err := newChannelMap(len(initial), channels, "covariance channels"); err != nil {
		return nil, err
	}
	nc := len(channels)
	width := jmax + 1
	// The channels are computed from atoms, the pieces into which their
	// boundaries cut the units, when there are no more atoms than
	// channels: then every state change reaches one atom only, and c is
	// bilinear in the channels.
	base, parts := covAtoms(channels)
	if len(base) > nc {
		base, parts = channels, nil
	}
	k := len(base)
	// The result and accumulators, the per-lag state, and the histories:
	// at most one change per step in the window, kept until half of a
	// history is stale.
	need := 8*float64(nc)*float64(nc)*float64(2*width) + 16*float64(k)*float64(k)*float64(width) +
		32*float64(k)*float64(width) + 24*float64(k)*float64(2*min(tauMax, steps)+130)
	if err := checkAnalysisMemory("covariance functions", need); err != nil {
		return nil, err
	}
	prod, sum, err := covProducts(initial, log, base, width, dt)
	if err != nil {
		return nil, err
	}
	if parts != nil {
		prod, sum = combineAtoms(prod, sum, parts, k, width)
	}
	total := int64(steps)
	c := &Covariances{Channels: nc, Dt: dt, MaxLag: jmax, Steps: steps, Means: make([]float64, nc)}
	for a := range c.Means {
		c.Means[a] = sum[a] / float64(total)
	}
	w := 2*jmax + 1
	c.Values = make([]float64, nc*nc*w)
	for a := range nc {
		for b := range nc {
			for j := range width {
				lag := total - int64(j)*int64(dt)
				cov := prod[(a*nc+b)*width+j]/float64(lag) - c.Means[a]*c.Means[b]
				c.Values[(a*nc+b)*w+jmax+j] = cov // c_ab(+L)
				c.Values[(b*nc+a)*w+jmax-j] = cov // c_ba(-L) = c_ab(L)
			}
		}
	}
	return c, nil
}

// covProducts returns, for the channels and L = j*dt, j < width, the
// lagged products prod[(a*C+b)*width+j] = sum_{t<T-L} n_a[t] n_b[t+L] and
// the sums sum[a] = sum_t n_a[t], reading the log once.
func covProducts(initial []int8, log DiffLog, channels []Range, width, dt int) (prod, sum []float64, err error) {
	m, err := newChannelMap(len(initial), channels, "covariance channels")
	if err != nil {
		return nil, nil, err
	}
	nc := len(channels)
	// r[(b*C+a)*width+j] accumulates sum_u delta_b(u) A_a(max(u-j*dt, 0))
	// over the changes u of channel b. Then, for L = j*dt,
	// sum_{t<T-L} n_a[t] n_b[t+L] = n_b[T-1] A_a(T-L) - r_ba[j].
	r := make([]float64, nc*nc*width)
	val := m.values(initial)
	lags := newCovLags(val, width, int64(dt))
	state := append([]int8(nil), initial...)
	n := len(initial)
	for t, u := range log.Updates {
		d := log.Deltas[t]
		if uint32(u) >= uint32(n) {
			return nil, nil, paramError(fmt.Sprintf("diff log updates[%d]", t), u, fmt.Sprintf("must be a unit id in [0, %d)", n))
		}
		if d < -1 || d > 1 {
			return nil, nil, paramError(fmt.Sprintf("diff log deltas[%d]", t), d, "must be -1, 0 or 1")
		}
		if d == 0 {
			continue
		}
		next := stepState(state[u], d)
		change := next - state[u]
		if change == 0 {
			continue
		}
		state[u] = next
		bs := m.of(u)
		if len(bs) == 0 {
			continue
		}
		now := int64(t)
		lags.update(now)
		x := float64(now)
		alpha, slope := lags.alpha, lags.slope[:len(lags.alpha)]
		for _, b := range bs {
			row := r[int(b)*nc*width : (int(b)+1)*nc*width]
			row = row[:len(alpha)]
			if change > 0 {
				for i, al := range alpha {
					row[i] += al + slope[i]*x
				}
			} else {
				for i, al := range alpha {
					row[i] -= al + slope[i]*x
				}
			}
		}
		for _, b := range bs {
			val[b] += int64(change)
			lags.push(int(b), now, val[b])
		}
	}
	total := int64(log.Len())
	lags.update(total)
	ends := make([]float64, nc*width) // A_a(T - j*dt)
	for i := range ends {
		ends[i] = lags.alpha[i] + lags.slope[i]*float64(total)
	}
	prod = r // reused: prod[(a*C+b)*width+j] from r[(b*C+a)*width+j]
	for a := range nc {
		for b := a; b < nc; b++ {
			for j := range width {
				ab, ba := (a*nc+b)*width+j, (b*nc+a)*width+j
				pab := float64(val[b])*ends[a*width+j] - r[ba]
				pba := float64(val[a])*ends[b*width+j] - r[ab]
				prod[ab], prod[ba] = pab, pba
			}
		}
	}
	sum = make([]float64, nc)
	for a := range sum {
		sum[a] = ends[a*width]
	}
	return prod, sum, nil
}

// covAtoms cuts the units covered by the channels at every channel
// boundary and returns the pieces, in order, and for each channel the
// indices of its pieces.
func covAtoms(channels []Range) (atoms []Range, parts [][]int) {
	var cuts []int
	for _, c := range channels {
		cuts = append(cuts, c.Start, c.End)
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	for k := 0; k+1 < len(cuts); k++ {
		x, y := cuts[k], cuts[k+1]
		for _, c := range channels {
			if c.Start <= x && y <= c.End {
				atoms = append(atoms, Range{x, y})
				break
			}
		}
	}
	parts = make([][]int, len(channels))
	for a, c := range channels {
		for i, at := range atoms {
			if c.Start <= at.Start && at.End <= c.End {
				parts[a] = append(parts[a], i)
			}
		}
	}
	return atoms, parts
}

// combineAtoms sums the products and sums of k atoms over the parts of
// each channel: the products are bilinear in the channels.
func combineAtoms(prod, sum []float64, parts [][]int, k, width int) ([]float64, []float64) {
	nc := len(parts)
	cp := make([]float64, nc*nc*width)
	cs := make([]float64, nc)
	for a, pa := range parts {
		for _, x := range pa {
			cs[a] += sum[x]
		}
		for b, pb := range parts {
			dst := cp[(a*nc+b)*width : (a*nc+b+1)*width]
			for _, x := range pa {
				for _, y := range pb {
					src := prod[(x*k+y)*width : (x*k+y+1)*width]
					for j, v := range src {
						dst[j] += v
					}
				}
			}
		}
	}
	return cp, cs
}
