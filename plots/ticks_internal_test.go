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
