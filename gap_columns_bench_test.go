package binarynet

import (
	"fmt"
	"runtime"
	"testing"
)

// BenchmarkGapColumns times the gap-coded copy of a built network's
// weights alone, the last step of a sparse build. At 10^6 units and 100
// inputs per unit, some gaps between rows take two codes. Each copy is dropped
// and collected before the next, so that every one maps its arrays
// afresh, as a build does.
func BenchmarkGapColumns(b *testing.B) {
	for _, size := range []struct{ n, k int }{{50000, 1250}, {200000, 1000}, {1_000_000, 100}} {
		b.Run(fmt.Sprintf("N=%d/K=%d", size.n, size.k), func(b *testing.B) {
			_, e := benchEngine(b, WeightSparse, size.n, size.k)
			m := e.sparse
			e.kern = nil
			b.ReportAllocs()
			b.SetBytes(m.nnz() * 8)
			for b.Loop() {
				if newGapColumns(m, 2, 1<<40) == nil {
					b.Fatal("no gap-coded copy")
				}
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
			}
		})
	}
}
