package kernel

import (
	"testing"
	"unsafe"
)

// TestAllocHuge checks that AllocHuge gives zeroed, writable slices of the
// asked length, on a huge-page boundary when it maps them (from HugeMin
// bytes on Linux), and that the memory it maps can be freed, by hand and by
// the garbage collector.
func TestAllocHuge(t *testing.T) {
	for _, n := range []int64{0, 1, 1000, HugeMin/2 - 1, HugeMin / 2, HugeMin/2 + hugePage/2 + 1} {
		s, free := AllocHuge[uint16](n)
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
}

// TestMakeHuge checks that MakeHuge returns zeroed, writable slices of
// the asked length, below and above HugeMin and unaligned.
func TestMakeHuge(t *testing.T) {
	for _, n := range []int{0, 1, 1000, HugeMin/4 - 1, HugeMin / 4, 3*HugeMin/4 + 17} {
		s := MakeHuge[int32](n)
		if len(s) != n {
			t.Fatalf("MakeHuge(%d): length %d", n, len(s))
		}
		for i, v := range s {
			if v != 0 {
				t.Fatalf("MakeHuge(%d)[%d] = %d, want 0", n, i, v)
			}
			s[i] = int32(i)
		}
		for i, v := range s {
			if v != int32(i) {
				t.Fatalf("MakeHuge(%d)[%d] = %d after writing %d", n, i, v, i)
			}
		}
	}
}
