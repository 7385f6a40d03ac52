package binarynet

import "testing"

// TestBlockWeights checks the weight that packedStage finds for an entry
// from its row and column, the range bounds it looks up, and that more
// ranges than maxWeightRanges give no table (the build then stages
// entries with their weights).
func TestBlockWeights(t *testing.T) {
	rule := func(j float64) synapseRule { return bernoulliRule{p: 0.5, layers: 1, j: j} }
	// E = [0, 3), I = [3, 5), an empty population at 5.
	blocks := []block{
		{rule: rule(0.5), preStart: 0, preEnd: 3, postStart: 0, postEnd: 3},
		{rule: rule(-1), preStart: 3, preEnd: 5, postStart: 0, postEnd: 3},
		{rule: rule(0.25), preStart: 0, preEnd: 3, postStart: 3, postEnd: 5},
		{rule: rule(7), preStart: 5, preEnd: 5, postStart: 0, postEnd: 3},
	}
	bw := newBlockWeights[float32](blocks, 5)
	if bw == nil {
		t.Fatal("no table for 2 ranges")
	}
	for _, c := range []struct {
		col, row int
		want     float32
	}{
		{0, 0, 0.5}, {2, 1, 0.5}, {4, 2, -1}, {3, 0, -1}, {1, 4, 0.25},
		{3, 3, 0}, // I onto I: no block
	} {
		if got := bw.w[bw.of[c.col]*bw.ranges+bw.of[c.row]]; got != c.want {
			t.Errorf("weight of (row %d, column %d) = %v, want %v", c.row, c.col, got, c.want)
		}
	}
	for u, r := range bw.of {
		if lo, hi := bw.cuts[r], bw.cuts[r+1]; int32(u) < lo || int32(u) >= hi {
			t.Errorf("unit %d in range %d, which runs from %d to %d", u, r, lo, hi-1)
		}
	}
	var many []block
	for i := range maxWeightRanges {
		many = append(many, block{rule: rule(1), preStart: i, preEnd: i + 1, postStart: i, postEnd: i + 1})
	}
	if newBlockWeights[float64](many, maxWeightRanges+1) != nil {
		t.Errorf("a table for %d ranges", maxWeightRanges+1)
	}
}
