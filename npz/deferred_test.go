package npz

import (
	"archive/zip"
	"bytes"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestBeginDeferred writes the two arrays of a CSR matrix in one pass,
// the indices deferred beside the streamed values, with every
// concurrency, and checks the archive with the standard zip reader: the
// entries in the order closed, their bytes, and the same archive for
// every concurrency.
func TestBeginDeferred(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	indices := csrIndices(rng, 300, 10_000, 2400) // about 5.8 MB as int64
	values := make([]float32, len(indices))
	for i := range values {
		values[i] = float32(rng.IntN(3)) * 0.25
	}
	var archives [][]byte
	for _, busy := range []int{1, 2, 0} {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		w.SetConcurrency(busy)
		data, err := BeginArray[float32](w, "data", len(values))
		if err != nil {
			t.Fatal(err)
		}
		cols, err := BeginDeferred[int64](w, "indices", len(indices))
		if err != nil {
			t.Fatal(err)
		}
		for lo := 0; lo < len(values); lo += 100_000 {
			hi := min(lo+100_000, len(values))
			if err := data.Write(values[lo:hi]); err != nil {
				t.Fatal(err)
			}
			if err := cols.Write(indices[lo:hi]); err != nil {
				t.Fatal(err)
			}
		}
		if err := data.Close(); err != nil {
			t.Fatal(err)
		}
		if err := cols.Close(); err != nil {
			t.Fatal(err)
		}
		if err := WriteScalar(w, "after", int64(3)); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		archives = append(archives, buf.Bytes())

		zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, f := range zr.File {
			names = append(names, f.Name)
		}
		if want := []string{"data.npy", "indices.npy", "after.npy"}; !slices.Equal(names, want) {
			t.Fatalf("busy %d: entries %v, want %v", busy, names, want)
		}
		want := append(npyHeader("<i8", []int{len(indices)}), int64Bytes(indices)...)
		rc, err := zr.File[1].Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc) // checks the CRC-32 too
		if err != nil {
			t.Fatalf("busy %d: %v", busy, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("busy %d: indices differ", busy)
		}
		if c := zr.File[1].CompressedSize64; c*4 > uint64(len(want)) {
			t.Errorf("busy %d: indices compressed to %d of %d bytes, want under a quarter", busy, c, len(want))
		}
	}
	for i, a := range archives[1:] {
		if !bytes.Equal(a, archives[0]) {
			t.Errorf("archive %d differs from the one written on one goroutine", i+1)
		}
	}
}
