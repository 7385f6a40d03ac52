package binarynet

import (
	"errors"
	"math"
	"reflect"
	"testing"
)

func TestLeaders(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		rates  [][]float64
		margin float64
		want   LeaderStats
	}{
		{
			name: "empty", rates: [][]float64{}, margin: 0.2,
			want: LeaderStats{Leader: []int{}},
		},
		{
			name: "switching",
			rates: [][]float64{
				{0.9, 0.1, 0.1},   // 0 leads by 0.8 over the median 0.1
				{0.8, 0.2, 0.1},   // 0 again
				{0.3, 0.2, 0.25},  // 0.3 - 0.25 < 0.2: no leader
				{0.1, 0.7, 0.1},   // 1: a switch
				{0.1, 0.1, 0.1},   // no leader
				{0.1, 0.6, 0.1},   // 1 again: no switch across the gap
				{0.5, 0.1, 0.5},   // two up: the median is 0.5, no leader
				{0.05, 0.05, 0.3}, // 2 by 0.25: a switch
			},
			margin: 0.2,
			want: LeaderStats{
				Leader: []int{0, 0, -1, 1, -1, 1, -1, 2}, Led: []int{2, 2, 1},
				Samples: 8, LedSamples: 5, Distinct: 3, MaxShare: 0.4, Switches: 2, MeanDwell: 5.0 / 3,
			},
		},
		{
			name:   "even count uses the lower middle value",
			rates:  [][]float64{{0.5, 0.3, 0.1, 0.1}, {0.1, 0.45, 0.3, 0.2}},
			margin: 0.2,
			// Row 0: median 0.1, lead 0.4. Row 1: sorted 0.1 0.2 0.3 0.45,
			// median 0.2, lead 0.25.
			want: LeaderStats{
				Leader: []int{0, 1}, Led: []int{1, 1, 0, 0},
				Samples: 2, LedSamples: 2, Distinct: 2, MaxShare: 0.5, Switches: 1, MeanDwell: 1,
			},
		},
		{
			name:   "zero margin: ties go to the first group",
			rates:  [][]float64{{0.2, 0.2}, {0.1, 0.3}},
			margin: 0,
			want: LeaderStats{
				Leader: []int{0, 1}, Led: []int{1, 1},
				Samples: 2, LedSamples: 2, Distinct: 2, MaxShare: 0.5, Switches: 1, MeanDwell: 1,
			},
		},
		{
			name:   "one dominant group",
			rates:  [][]float64{{0.9, 0}, {0.9, 0}, {0.9, 0}},
			margin: 0.5,
			want: LeaderStats{
				Leader: []int{0, 0, 0}, Led: []int{3, 0},
				Samples: 3, LedSamples: 3, Distinct: 1, MaxShare: 1, Switches: 0, MeanDwell: 3,
			},
		},
		{
			name:   "nobody leads",
			rates:  [][]float64{{0.1, 0.1, 0.1}},
			margin: 0.05,
			want:   LeaderStats{Leader: []int{-1}, Led: []int{0, 0, 0}, Samples: 1},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Leaders(tc.rates, tc.margin)
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(got.MeanDwell-tc.want.MeanDwell) < 1e-12 {
				got.MeanDwell = tc.want.MeanDwell
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Leaders:\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestLeaderShares(t *testing.T) {
	t.Parallel()
	s := LeaderStats{Led: []int{6, 3, 1, 0}, LedSamples: 10}
	for _, tc := range []struct {
		k    int
		want float64
	}{{0, 0.6}, {1, 0.3}, {2, 0.1}, {3, 0}, {-1, 0}, {4, 0}} {
		if got := s.Share(tc.k); got != tc.want {
			t.Errorf("Share(%d) = %v, want %v", tc.k, got, tc.want)
		}
	}
	for _, tc := range []struct {
		min  float64
		want int
	}{{0, 3}, {0.1, 3}, {0.2, 2}, {0.5, 1}, {0.7, 0}} {
		if got := s.LeadersWithShare(tc.min); got != tc.want {
			t.Errorf("LeadersWithShare(%v) = %d, want %d", tc.min, got, tc.want)
		}
	}
	if got := (LeaderStats{}).Share(0); got != 0 {
		t.Errorf("Share without led samples = %v, want 0", got)
	}
}

func TestLeadersErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		rates  [][]float64
		margin float64
		want   error
	}{
		{"ragged", [][]float64{{0.1, 0.2}, {0.1}}, 0.1, ErrShape},
		{"no columns", [][]float64{{}}, 0.1, ErrShape},
		{"NaN rate", [][]float64{{0.1, math.NaN()}}, 0.1, ErrInvalidParameter},
		{"NaN margin", [][]float64{{0.1}}, math.NaN(), ErrInvalidParameter},
		{"infinite margin", [][]float64{{0.1}}, math.Inf(1), ErrInvalidParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := Leaders(tc.rates, tc.margin); !errors.Is(err, tc.want) {
				t.Errorf("error = %v, want %v", err, tc.want)
			}
		})
	}
}
