package binarynet

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// clusterScript is synthetic activity with a known sequence of active
// cluster sets: q clusters of size units, then bg background units.
type clusterScript struct {
	q, size, bg, interval int
	sets                  [][]int // the active set of each segment
	starts                []int   // the first sample of each segment
	samples               int
}

// build writes the diff log. In a segment an active cluster has exactly
// 80% of its units on and an inactive one 10%, up to noise of one unit
// (pairs of updates that switch one unit off and another on); the step
// updates that move the clusters to the next segment's pattern all fall
// within the sample interval before its first sample, at a random offset.
func (c clusterScript) build(seed uint64) ([]int8, DiffLog) {
	rng := rand.New(rand.NewPCG(seed, 23))
	n := c.q*c.size + c.bg
	hi, lo := c.size*8/10, c.size/10
	state := make([]int8, n)
	for u := c.q * c.size; u < n; u++ {
		state[u] = int8(rng.IntN(2))
	}
	var log DiffLog
	put := func(u int, next int8) {
		log.Updates = append(log.Updates, int32(u))
		log.Deltas = append(log.Deltas, next-state[u])
		state[u] = next
	}
	// setCluster lists the updates that bring cluster k to m units on.
	setCluster := func(k, m int, out *[][2]int) {
		units := rng.Perm(c.size)
		on := 0
		for _, i := range units {
			if state[k*c.size+i] == 1 {
				on++
			}
		}
		for _, i := range units {
			u := k*c.size + i
			switch {
			case on < m && state[u] == 0:
				*out = append(*out, [2]int{u, 1})
				on++
			case on > m && state[u] == 1:
				*out = append(*out, [2]int{u, 0})
				on--
			}
		}
	}
	target := func(seg int) []int {
		m := make([]int, c.q)
		for k := range m {
			m[k] = lo
			if slices.Contains(c.sets[seg], k) {
				m[k] = hi
			}
		}
		return m
	}
	var moves [][2]int
	for k, m := range target(0) {
		setCluster(k, m, &moves)
	}
	for _, mv := range moves {
		state[mv[0]] = int8(mv[1])
	}
	initial := append([]int8(nil), state...)
	put(0, state[0]) // step 0: sample 0 is the initial pattern
	seg := 0
	for j := 1; j < c.samples; j++ {
		// Steps (j-1)*interval+1 .. j*interval end with sample j.
		moves = moves[:0]
		if seg+1 < len(c.starts) && c.starts[seg+1] == j {
			seg++
			for k, m := range target(seg) {
				setCluster(k, m, &moves)
			}
		}
		free := c.interval - len(moves)
		if free < 0 {
			panic("clusterScript: transition longer than the sample interval")
		}
		at := rng.IntN(free + 1)
		for s := 0; s < c.interval; {
			if s == at && len(moves) > 0 {
				for _, mv := range moves {
					put(mv[0], int8(mv[1]))
				}
				s += len(moves)
				moves = moves[:0]
				continue
			}
			room := c.interval - s // noise steps left before the end
			if len(moves) > 0 {
				room = at - s // or before the transition
			}
			switch x := rng.IntN(3); {
			case x == 0 && room >= 2:
				// Swap within a cluster: one unit off, another on.
				k := rng.IntN(c.q)
				var onU, offU []int
				for u := k * c.size; u < (k+1)*c.size; u++ {
					if state[u] == 1 {
						onU = append(onU, u)
					} else {
						offU = append(offU, u)
					}
				}
				put(onU[rng.IntN(len(onU))], 0)
				put(offU[rng.IntN(len(offU))], 1)
				s += 2
			case x == 1 && c.bg > 0:
				u := c.q*c.size + rng.IntN(c.bg)
				put(u, 1-state[u])
				s++
			default:
				u := rng.IntN(n)
				put(u, state[u]) // delta 0
				s++
			}
		}
	}
	return initial, log
}

func TestClusterStatesSyntheticSequence(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(5, 29))
	c := clusterScript{q: 5, size: 40, bg: 10, interval: 200}
	// A random sequence of sets, consecutive ones distinct, of 0 to 4
	// clusters, lasting 1 to 8 samples.
	for len(c.sets) < 60 {
		var set []int
		for k := range c.q {
			if rng.IntN(3) == 0 {
				set = append(set, k)
			}
		}
		if len(set) == 5 || len(c.sets) > 0 && slices.Equal(set, c.sets[len(c.sets)-1]) {
			continue
		}
		c.sets = append(c.sets, set)
		c.starts = append(c.starts, c.samples)
		c.samples += 1 + rng.IntN(8)
	}
	initial, log := c.build(1)
	clusters := make([]Range, c.q)
	for k := range clusters {
		clusters[k] = Range{k * c.size, (k + 1) * c.size}
	}
	got, err := ClusterStatesFromDiffLog(initial, log, c.interval, clusters, 0.5, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	if got.Samples != c.samples || len(got.Runs) != len(c.sets) {
		for i := range min(len(c.sets), 12) {
			t.Logf("set %v at %d; run %v", c.sets[i], c.starts[i], got.Runs[i])
		}
		t.Fatalf("%d samples in %d runs, want %d in %d", got.Samples, len(got.Runs), c.samples, len(c.sets))
	}
	// Every set and boundary within one sample; as the transitions lie
	// between two samples, the comparison with want below asks for the
	// exact sample.
	want := &ClusterStates{Clusters: c.q, Samples: c.samples, On: 0.5, Off: 0.3, Switches: len(c.sets) - 1,
		Activations: make([]int, c.q), Occupancy: make([]int, c.q+1), Dwell: make([][]int, c.q+1), Transitions: make([]int, (c.q+1)*(c.q+1))}
	for i, set := range c.sets {
		end := c.samples
		if i+1 < len(c.starts) {
			end = c.starts[i+1]
		}
		run := got.Runs[i]
		if !slices.Equal(run.Active, set) && !(len(set) == 0 && len(run.Active) == 0) {
			t.Errorf("run %d: active %v, want %v", i, run.Active, set)
		}
		if d := run.Start - c.starts[i]; d < -1 || d > 1 {
			t.Errorf("run %d: samples [%d, %d), want [%d, %d)", i, run.Start, run.Start+run.Samples, c.starts[i], end)
		}
		want.Runs = append(want.Runs, ClusterRun{Start: c.starts[i], Samples: end - c.starts[i], Active: slices.Clone(got.Runs[i].Active)})
		want.Occupancy[len(set)] += end - c.starts[i]
		if i > 0 && i+1 < len(c.sets) {
			want.Dwell[len(set)] = append(want.Dwell[len(set)], end-c.starts[i])
		}
		if i > 0 {
			want.Transitions[len(c.sets[i-1])*(c.q+1)+len(set)]++
		}
		for _, k := range set {
			if i == 0 || !slices.Contains(c.sets[i-1], k) {
				want.Activations[k]++
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	for _, r := range got.Runs {
		if a := got.ActiveAt(r.Start + r.Samples - 1); !slices.Equal(a, r.Active) {
			t.Errorf("ActiveAt(%d) = %v, want %v", r.Start+r.Samples-1, a, r.Active)
		}
	}
	// The same from the stored rates.
	rates, err := PopulationRatesFromDiffLogs(initial, log, c.interval, clusters, 0)
	if err != nil {
		t.Fatal(err)
	}
	fromRates, err := ClusterStatesFromRates(rates, 0.5, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromRates, got) {
		t.Errorf("from rates %+v, from the log %+v", fromRates, got)
	}
}

func TestClusterStatesHysteresis(t *testing.T) {
	t.Parallel()
	rates := [][]float64{
		{0.1, 0.6}, // 1 switches on
		{0.4, 0.4}, // between thresholds: 0 stays off, 1 stays on
		{0.5, 0.3}, // 0 on at exactly On; 1 stays on at exactly Off
		{0.5, 0.2}, // 1 off below Off
		{0.2, 0.2}, // all off
		{0.2, 0.2},
		{0.9, 0.9}, // both on
	}
	s, err := ClusterStatesFromRates(rates, 0.5, 0.3)
	if err != nil {
		t.Fatal(err)
	}
	want := []ClusterRun{{0, 2, []int{1}}, {2, 1, []int{0, 1}}, {3, 1, []int{0}}, {4, 2, []int{}}, {6, 1, []int{0, 1}}}
	if !reflect.DeepEqual(s.Runs, want) {
		t.Fatalf("runs %v, want %v", s.Runs, want)
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"switches", s.Switches, 4},
		{"activations", s.Activations, []int{2, 2}},
		{"occupancy", s.Occupancy, []int{2, 3, 2}},
		{"dwell", s.Dwell, [][]int{{2}, {1}, {1}}},                       // runs 1..3; the first and last are cut
		{"transitions", s.Transitions, []int{0, 0, 1, 1, 0, 1, 0, 1, 0}}, // 1->2, 2->1, 1->0, 0->2
		{"ActiveAt(5)", s.ActiveAt(5), []int{}},
		{"ActiveAt(7)", s.ActiveAt(7), []int(nil)},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestClusterStatesErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		rates   [][]float64
		on, off float64
		want    error
		param   string
	}{
		{"off above on", [][]float64{{0}}, 0.3, 0.5, ErrInvalidParameter, "cluster threshold off"},
		{"on NaN", [][]float64{{0}}, math.NaN(), 0.5, ErrInvalidParameter, "cluster threshold on"},
		{"off NaN", [][]float64{{0}}, 0.5, math.NaN(), ErrInvalidParameter, "cluster threshold off"},
		{"rate NaN", [][]float64{{0, math.NaN()}}, 0.5, 0.3, ErrInvalidParameter, "rates[0][1]"},
		{"ragged", [][]float64{{0, 0}, {0}}, 0.5, 0.3, ErrShape, ""},
		{"no columns", [][]float64{{}}, 0.5, 0.3, ErrShape, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ClusterStatesFromRates(tc.rates, tc.on, tc.off)
			checkParamError(t, err, tc.want, tc.param)
		})
	}
	log := DiffLog{Updates: []int32{0, 1}, Deltas: []int8{1, 1}}
	for _, tc := range []struct {
		name     string
		interval int
		clusters []Range
		param    string
	}{
		{"interval", 0, []Range{{0, 1}}, "sample interval"},
		{"no clusters", 1, nil, "clusters"},
		{"overlap", 1, []Range{{0, 2}, {1, 2}}, "clusters[1]"},
		{"range", 1, []Range{{0, 3}}, "clusters[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ClusterStatesFromDiffLog([]int8{0, 0}, log, tc.interval, tc.clusters, 0.5, 0.3)
			checkParamError(t, err, ErrInvalidParameter, tc.param)
		})
	}
}
