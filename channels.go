package binarynet

import (
	"fmt"
	"math"
)

// channelMap lists, for every unit, the channels it belongs to: the
// channels of unit u are chans[start[u]:start[u+1]]. A channel is a range
// of units whose states are summed; channels may overlap.
type channelMap struct {
	start []int32
	chans []int32
	size  []int // units per channel
}

// newChannelMap validates channels against a network of n units and
// indexes them by unit. param names the argument in errors.
func newChannelMap(n int, channels []Range, param string) (channelMap, error) {
	if len(channels) == 0 {
		return channelMap{}, paramError(param, "[]", "must hold at least one range")
	}
	total := 0
	for k, r := range channels {
		if r.Start < 0 || r.End <= r.Start || r.End > n {
			return channelMap{}, paramError(fmt.Sprintf("%s[%d]", param, k), r, fmt.Sprintf("must satisfy 0 <= Start < End <= %d", n))
		}
		total += r.End - r.Start
		if total > math.MaxInt32 {
			return channelMap{}, paramError(param, fmt.Sprintf("%d ranges", len(channels)), "hold more than 2^31 unit memberships")
		}
	}
	m := channelMap{start: make([]int32, n+1), chans: make([]int32, total), size: make([]int, len(channels))}
	for k, r := range channels {
		m.size[k] = r.End - r.Start
		for u := r.Start; u < r.End; u++ {
			m.start[u+1]++
		}
	}
	for u := range n {
		m.start[u+1] += m.start[u]
	}
	fill := append([]int32(nil), m.start[:n]...)
	for k, r := range channels {
		for u := r.Start; u < r.End; u++ {
			m.chans[fill[u]] = int32(k)
			fill[u]++
		}
	}
	return m, nil
}

// of returns the channels of unit u.
func (m channelMap) of(u int32) []int32 { return m.chans[m.start[u]:m.start[u+1]] }

// values returns the summed initial state of every channel.
func (m channelMap) values(initial []int8) []int64 {
	v := make([]int64, len(m.size))
	for u, s := range initial {
		if s != 0 {
			for _, k := range m.of(int32(u)) {
				v[k]++
			}
		}
	}
	return v
}

// checkAnalysisMemory refuses results larger than the default RAM budget
// before they are allocated. what names the result, bytes is its size.
func checkAnalysisMemory(what string, bytes float64) error {
	return checkBudget(bytes, 0, what, "")
}
