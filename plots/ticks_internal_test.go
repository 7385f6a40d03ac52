package plots

import (
	"slices"
	"testing"
)

func TestNiceTicks(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		min, max float64
		want     []string
	}{
		{0, 1999, []string{"0", "500", "1000", "1500"}},
		{0, 2000, []string{"0", "500", "1000", "1500", "2000"}},
		{0, 1, []string{"0", "0.2", "0.4", "0.6", "0.8", "1"}},
		{0, 8334.2, []string{"0", "2000", "4000", "6000", "8000"}},
		{0, 10, []string{"0", "2", "4", "6", "8", "10"}},
		{0, 0.03, []string{"0", "0.005", "0.01", "0.015", "0.02", "0.025", "0.03"}},
		{3, 3, []string{"3"}},
	} {
		var got []string
		for _, tk := range niceTicks(tc.min, tc.max) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("niceTicks(%v, %v) labels %q, want %q", tc.min, tc.max, got, tc.want)
		}
	}
}

// TestFullScale checks the full-scale fraction of ActivityImage: the first
// candidate at or above the 99.5th percentile of the pixel fractions.
func TestFullScale(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		fractions map[float64]int // fraction -> number of pixels
		want      float64
	}{
		{"silent", map[float64]int{0: 1000}, 0.1},
		{"all on", map[float64]int{1: 10}, 1},
		{"clusters at a third", map[float64]int{0.02: 900, 0.33: 100}, 0.5},
		{"clusters at 0.6", map[float64]int{0.02: 900, 0.6: 100}, 0.7},
		{"rare outliers ignored", map[float64]int{0.05: 1000, 0.9: 4}, 0.1},
		{"outliers above the percentile", map[float64]int{0.05: 1000, 0.9: 6}, 1},
	} {
		var hist [histBins + 1]int
		for f, k := range tc.fractions {
			hist[int(f*histBins)] += k
		}
		if got := fullScale(&hist); got != tc.want {
			t.Errorf("%s: full scale %v, want %v", tc.name, got, tc.want)
		}
	}
}
