package binarynet

import (
	"runtime"
	"testing"
)

// TestGapColumnsFreed checks that gap-coded copies whose codes were
// mapped (36 MB here) are freed by cleanups once unreachable, and that
// this does not disturb a network that is still running.
func TestGapColumnsFreed(t *testing.T) {
	for range 2 {
		nw, e := benchEngine(t, WeightSparse, 600_000, 30)
		if e.kern == nil {
			t.Fatal("no gap-coded copy")
		}
		for range 3 {
			runtime.GC()
			if err := nw.Run(20_000, 1000); err != nil {
				t.Fatal(err)
			}
		}
	}
	runtime.GC()
}
