package binarynet

import (
	"runtime"
	"testing"
	"unsafe"
)

// TestAllocHuge checks that allocHuge gives zeroed, writable slices of the
// asked length, on a huge-page boundary when it maps them (from hugeMin
// bytes on Linux), and that the memory it maps can be freed, by hand and by
// the garbage collector.
func TestAllocHuge(t *testing.T) {
	for _, n := range []int64{0, 1, 1000, hugeMin/2 - 1, hugeMin / 2, hugeMin/2 + hugePage/2 + 1} {
		s, free := allocHuge[uint16](n)
		if int64(len(s)) != n {
			t.Fatalf("n=%d: length %d", n, len(s))
		}
		for i := range s {
			if s[i] != 0 {
				t.Fatalf("n=%d: s[%d] = %d, want 0", n, i, s[i])
			}
			s[i] = uint16(i)
		}
		for i := range s {
			if s[i] != uint16(i) {
				t.Fatalf("n=%d: s[%d] = %d after writing %d", n, i, s[i], uint16(i))
			}
		}
		if free != nil {
			if addr := uintptr(unsafe.Pointer(unsafe.SliceData(s))); addr%hugePage != 0 {
				t.Errorf("n=%d: mapped at %#x, not on a huge-page boundary", n, addr)
			}
			free()
		}
	}
	// Gap-coded copies whose codes were mapped (36 MB here) are freed by
	// cleanups once unreachable; that must not disturb a network that is
	// still running.
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
