package npz

import (
	"bytes"
	"compress/flate"
	"io"
	"math/rand/v2"
	"testing"

	kflate "github.com/klauspost/compress/flate"
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

// BenchmarkIntCoder compresses 1 MiB of the column indices of a CSR
// matrix (10,000 columns, 2,400 entries a row, int64, as in the toolkit's
// weights file) with the integer coder and with flate's fastest level,
// and reports the compressed size in per cent.
func BenchmarkIntCoder(b *testing.B) {
	raw := int64Bytes(csrIndices(rand.New(rand.NewPCG(3, 4)), 60, 10_000, 2400))[:1<<20]
	b.Run("intCoder", func(b *testing.B) {
		var ic intCoder
		var out bytes.Buffer
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			if !ic.deflate(&out, raw) {
				b.Fatal("declined")
			}
		}
		b.ReportMetric(100*float64(out.Len())/float64(len(raw)), "%size")
	})
	b.Run("flate1", func(b *testing.B) {
		var out bytes.Buffer
		fw, err := kflate.NewWriter(&out, kflate.BestSpeed)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(raw)))
		b.ReportAllocs()
		for b.Loop() {
			out.Reset()
			fw.Reset(&out)
			fw.Write(raw)
			fw.Flush()
		}
		b.ReportMetric(100*float64(out.Len())/float64(len(raw)), "%size")
	})
}
