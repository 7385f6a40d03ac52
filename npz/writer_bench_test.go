package npz

import (
	"compress/flate"
	"io"
	"math/rand/v2"
	"testing"
)

// BenchmarkWriterDiffLog writes the diff log of 3.2 M updates of a
// 10,000-unit network (the toolkit's default run), ids int32 and deltas
// int8, to io.Discard.
func BenchmarkWriterDiffLog(b *testing.B) {
	for _, l := range []struct {
		name  string
		level int
	}{{"BestSpeed", flate.BestSpeed}, {"HuffmanOnly", flate.HuffmanOnly}} {
		b.Run(l.name, func(b *testing.B) { benchmarkWriterDiffLog(b, l.level) })
	}
}

func benchmarkWriterDiffLog(b *testing.B, level int) {
	const steps, n = 3_200_000, 10_000
	rng := rand.New(rand.NewPCG(1, 2))
	updates := make([]int32, steps)
	deltas := make([]int8, steps)
	for i := range updates {
		updates[i] = int32(rng.IntN(n))
		if rng.IntN(10) == 0 {
			deltas[i] = int8(2*rng.IntN(2) - 1)
		}
	}
	b.SetBytes(5 * steps)
	b.ReportAllocs()
	for b.Loop() {
		w := NewWriter(io.Discard)
		if err := w.SetLevel(level); err != nil {
			b.Fatal(err)
		}
		if err := WriteArray(w, "state_updates", []int{1, steps}, updates); err != nil {
			b.Fatal(err)
		}
		if err := WriteArray(w, "state_deltas", []int{1, steps}, deltas); err != nil {
			b.Fatal(err)
		}
		if err := w.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}
