package binarynet

import "fmt"

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

// covTrack is the recent history of one channel: the times w at which it
// changed in the lag window, the integral A(w) = sum_{t<w} n[t] and the
// value n from w on. Entry head is the newest change at or before the
// window's start, so A can be evaluated anywhere in the window.
type covTrack struct {
	w    []int64
	a    []int64
	v    []int64
	head int
}

func (h *covTrack) push(w, v int64) {
	last := len(h.w) - 1
	h.w = append(h.w, w)
	h.a = append(h.a, h.a[last]+h.v[last]*(w-h.w[last]))
	h.v = append(h.v, v)
}

// prune drops entries no evaluation at x >= from needs.
func (h *covTrack) prune(from int64) {
	for h.head+1 < len(h.w) && h.w[h.head+1] < from {
		h.head++
	}
	if h.head > 64 && 2*h.head > len(h.w) {
		n := copy(h.w, h.w[h.head:])
		copy(h.a, h.a[h.head:])
		copy(h.v, h.v[h.head:])
		h.w, h.a, h.v = h.w[:n], h.a[:n], h.v[:n]
		h.head = 0
	}
}

// integrals writes A(x - j*dt) for j = 0..len(dst)-1 into dst, with
// arguments below 0 taken as 0. Every change before x must be pushed,
// none at x or later.
func (h *covTrack) integrals(dst []int64, x, dt int64) {
	p := len(h.w) - 1
	for j := range dst {
		y := max(x-int64(j)*dt, 0)
		for p > h.head && h.w[p] >= y {
			p--
		}
		dst[j] = h.a[p] + h.v[p]*(y-h.w[p])
	}
}

// CovarianceFunctions computes the covariance functions c_ab(tau) of the
// given channels for tau in [-tauMax, tauMax] at a resolution of dt steps
// (see Covariances) from a diff log that starts in state initial. A
// channel is a range of units whose states are summed: a population, or
// one unit i as Range{i, i+1}; channels may overlap. The lags are j*dt
// for |j| <= tauMax/dt, and the largest must be shorter than the log.
//
// The log is read once. Memory is the result, C*C*(2J+1) values, plus the
// changes of each channel within the last tauMax steps; the time is
// proportional to the number of state changes times C*(J+1).
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
	m, err := newChannelMap(len(initial), channels, "covariance channels")
	if err != nil {
		return nil, err
	}
	nc := len(channels)
	width := jmax + 1
	if err := checkAnalysisMemory("covariance functions", 8*float64(nc)*float64(nc)*float64(3*width)); err != nil {
		return nil, err
	}
	// r[(b*C+a)*width+j] accumulates sum_u delta_b(u) A_a(max(u-j*dt, 0))
	// over the changes u of channel b. Then, for L = j*dt,
	// sum_{t<T-L} n_a[t] n_b[t+L] = n_b[T-1] A_a(T-L) - r_ba[j].
	r := make([]float64, nc*nc*width)
	val := m.values(initial)
	tracks := make([]covTrack, nc)
	for k := range tracks {
		tracks[k] = covTrack{w: []int64{0}, a: []int64{0}, v: []int64{val[k]}}
	}
	state := append([]int8(nil), initial...)
	buf := make([]int64, nc*width)
	window := int64(jmax) * int64(dt)
	n := len(initial)
	for t, u := range log.Updates {
		d := log.Deltas[t]
		if uint32(u) >= uint32(n) {
			return nil, paramError(fmt.Sprintf("diff log updates[%d]", t), u, fmt.Sprintf("must be a unit id in [0, %d)", n))
		}
		if d < -1 || d > 1 {
			return nil, paramError(fmt.Sprintf("diff log deltas[%d]", t), d, "must be -1, 0 or 1")
		}
		if d == 0 {
			continue
		}
		next := stepState(state[u], d)
		change := int64(next - state[u])
		if change == 0 {
			continue
		}
		state[u] = next
		now := int64(t)
		for a := range tracks {
			tracks[a].integrals(buf[a*width:(a+1)*width], now, int64(dt))
		}
		bs := m.of(u)
		for _, b := range bs {
			row := r[int(b)*nc*width : (int(b)+1)*nc*width]
			row = row[:len(buf)]
			if change > 0 {
				for i, x := range buf {
					row[i] += float64(x)
				}
			} else {
				for i, x := range buf {
					row[i] -= float64(x)
				}
			}
		}
		for _, b := range bs {
			val[b] += change
			tracks[b].push(now, val[b])
			tracks[b].prune(now + 1 - window)
		}
	}
	total := int64(steps)
	ends := make([]int64, nc*width) // A_a(T - j*dt)
	for a := range tracks {
		tracks[a].integrals(ends[a*width:(a+1)*width], total, int64(dt))
	}
	c := &Covariances{Channels: nc, Dt: dt, MaxLag: jmax, Steps: steps, Means: make([]float64, nc)}
	for a := range c.Means {
		c.Means[a] = float64(ends[a*width]) / float64(total)
	}
	w := 2*jmax + 1
	c.Values = make([]float64, nc*nc*w)
	for a := range nc {
		for b := range nc {
			for j := range width {
				lag := total - int64(j)*int64(dt)
				prod := (float64(val[b]*ends[a*width+j]) - r[(b*nc+a)*width+j]) / float64(lag)
				cov := prod - c.Means[a]*c.Means[b]
				c.Values[(a*nc+b)*w+jmax+j] = cov // c_ab(+L)
				c.Values[(b*nc+a)*w+jmax-j] = cov // c_ba(-L) = c_ab(L)
			}
		}
	}
	return c, nil
}
