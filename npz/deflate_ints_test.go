package npz

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	kflate "github.com/klauspost/compress/flate"
)

// int64Bytes returns the little-endian bytes of v.
func int64Bytes(v []int64) []byte {
	b := make([]byte, 0, 8*len(v))
	for _, x := range v {
		b = binary.LittleEndian.AppendUint64(b, uint64(x))
	}
	return b
}

// csrIndices returns the column indices of rows of a random CSR matrix of
// n columns, about k entries a row, sorted within each row: the array of
// the weights file.
func csrIndices(rng *rand.Rand, rows, n, k int) []int64 {
	var v []int64
	for range rows {
		for c := range n {
			if rng.IntN(n) < k {
				v = append(v, int64(c))
			}
		}
	}
	return v
}

// inflate decodes the blocks of an intCoder (or a blockDeflater), ended
// by finalBlock, with the standard library's inflater, an independent
// decoder.
func inflate(t *testing.T, blocks []byte) []byte {
	t.Helper()
	r := flate.NewReader(bytes.NewReader(append(slices.Clip(blocks), finalBlock...)))
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("inflate: %v", err)
	}
	return out
}

// TestIntCoderRoundTrip codes blocks of every kind and checks that the
// standard inflater restores them, and that the coder declines the
// blocks it should.
func TestIntCoderRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 1<<16)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	wide := make([]int64, 4096) // up to 2^40: matches of length 3
	for i := range wide {
		wide[i] = rng.Int64N(1 << 40)
	}
	negative := make([]int64, 4096)
	for i := range negative {
		negative[i] = -rng.Int64N(300)
	}
	arange := make([]int64, 100_000)
	for i := range arange {
		arange[i] = int64(i) * 1000
	}
	// Random values, except that those the sample of count reads (one in
	// countStep) differ from the value before in their low byte alone: the
	// sample promises matches that the block does not have.
	unlike := make([]int64, 8192)
	for i := range unlike {
		unlike[i] = int64(rng.Uint64())
		if i%countStep == 0 && i > 0 {
			unlike[i] = unlike[i-1] ^ 0x5a
		}
	}
	// An npy header before the values, and a tail shorter than a value.
	header := append(npyHeader("<i8", []int{len(arange)}), int64Bytes(arange[:5000])...)
	tail := append(int64Bytes(arange[:1000]), 1, 2, 3)
	for _, c := range []struct {
		name string
		raw  []byte
		want bool // coded, not declined
	}{
		{"csr indices", int64Bytes(csrIndices(rng, 40, 10_000, 2400)), true},
		{"arange", int64Bytes(arange), true},
		{"zeros", make([]byte, 1<<20), true},
		{"one block", int64Bytes(arange[:minIntsBlock/8]), true},
		{"negative", int64Bytes(negative), true},
		{"below 2^40", int64Bytes(wide), true},
		{"header first", header, true},
		{"tail", tail, true},
		{"random bytes", random, false},
		{"unlike its sample", int64Bytes(unlike), false},
		{"too short", int64Bytes(arange[:minIntsBlock/8-1]), false},
		{"extremes", int64Bytes([]int64{math.MinInt64, math.MaxInt64, 0, -1}), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			var ic intCoder
			if got := ic.deflate(&out, c.raw); got != c.want {
				t.Fatalf("coded = %v, want %v", got, c.want)
			}
			if !c.want {
				if out.Len() != 0 {
					t.Fatalf("declined, but wrote %d bytes", out.Len())
				}
				return
			}
			if got := inflate(t, out.Bytes()); !bytes.Equal(got, c.raw) {
				t.Fatalf("inflated %d bytes differ from the %d coded", len(got), len(c.raw))
			}
			// The coder is reused: a second block gives the same bytes.
			var again bytes.Buffer
			ic.deflate(&again, c.raw)
			if !bytes.Equal(again.Bytes(), out.Bytes()) {
				t.Fatal("a reused coder wrote different bytes")
			}
		})
	}
}

// TestIntCoderSmallerThanFlate checks that on the column indices of a
// CSR matrix (the weights file) the coder writes fewer bytes than flate's
// fastest level, the writer's default.
func TestIntCoderSmallerThanFlate(t *testing.T) {
	raw := int64Bytes(csrIndices(rand.New(rand.NewPCG(3, 4)), 60, 10_000, 2400))[:1<<20]
	var ints bytes.Buffer
	if !new(intCoder).deflate(&ints, raw) {
		t.Fatal("declined the indices")
	}
	var fl bytes.Buffer
	fw, err := kflate.NewWriter(&fl, kflate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(raw)
	fw.Flush()
	if ints.Len() >= fl.Len() {
		t.Fatalf("intCoder wrote %d bytes, flate level 1 %d", ints.Len(), fl.Len())
	}
	t.Logf("%d bytes: intCoder %d (%.1f%%), flate level 1 %d (%.1f%%)", len(raw), ints.Len(),
		100*float64(ints.Len())/float64(len(raw)), fl.Len(), 100*float64(fl.Len())/float64(len(raw)))
}

// TestHuffmanLengthsLimit gives frequencies (Fibonacci numbers) whose
// Huffman code is deeper than the limit, and checks that the lengths
// fit it and form a complete code (Kraft sum 1), as inflaters require.
func TestHuffmanLengthsLimit(t *testing.T) {
	for _, c := range []struct {
		name    string
		freq    []int
		maxBits int
	}{
		{"fibonacci", fibonacci(30), maxCodeBits},
		{"fibonacci code lengths", fibonacci(19), maxCLenBits},
		{"one symbol", []int{0, 0, 5, 0}, maxCodeBits},
		{"no symbol", []int{0, 0, 0}, maxCodeBits},
		{"uniform", slices.Repeat([]int{7}, litLenCodes), maxCodeBits},
	} {
		t.Run(c.name, func(t *testing.T) {
			lengths := huffmanLengths(c.freq, c.maxBits)
			var kraft float64
			used := 0
			for s, l := range lengths {
				if c.freq[s] > 0 && l == 0 {
					t.Fatalf("symbol %d of frequency %d has no code", s, c.freq[s])
				}
				if int(l) > c.maxBits {
					t.Fatalf("symbol %d: length %d > %d", s, l, c.maxBits)
				}
				if l > 0 {
					kraft += math.Ldexp(1, -int(l))
					used++
				}
			}
			if kraft != 1 || used < 2 {
				t.Fatalf("Kraft sum %v over %d codes, want 1 over at least 2", kraft, used)
			}
		})
	}
}

func fibonacci(n int) []int {
	f := []int{1, 1}
	for len(f) < n {
		f = append(f, f[len(f)-1]+f[len(f)-2])
	}
	return f
}

// FuzzIntCoder checks that whatever the bytes, a block the coder accepts
// inflates to them.
func FuzzIntCoder(f *testing.F) {
	f.Add(int64Bytes(csrIndices(rand.New(rand.NewPCG(5, 6)), 2, 5000, 1500)), uint8(0))
	f.Add(make([]byte, minIntsBlock), uint8(3))
	f.Fuzz(func(t *testing.T, raw []byte, shift uint8) {
		// Repeat short inputs, shifted, so that they reach a block.
		for len(raw) > 0 && len(raw) < minIntsBlock {
			raw = append(raw, raw[int(shift)%len(raw):]...)
		}
		var out bytes.Buffer
		if !new(intCoder).deflate(&out, raw) {
			return
		}
		if got := inflate(t, out.Bytes()); !bytes.Equal(got, raw) {
			t.Fatalf("inflated bytes differ from the %d coded", len(raw))
		}
	})
}
