//go:build linux && (amd64 || arm64)

package kernel

import (
	"syscall"
	"testing"
)

// BenchmarkFirstTouch measures what a fresh process pays before any work:
// the first write to each page of 256 MiB of fresh anonymous memory, with
// small pages and with the mapping advised for huge pages, against a
// second write to the same pages. Each op maps, touches and unmaps, so
// every op sees fresh memory. On a virtual machine the first touch
// includes the host backing the page, and varies with the host's state.
//
//	go test -run XXX -bench FirstTouch ./internal/kernel
func BenchmarkFirstTouch(b *testing.B) {
	const size = 256 << 20
	for _, c := range []struct {
		name  string
		huge  bool
		again bool
	}{{"small", false, false}, {"huge", true, false}, {"huge-again", true, true}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				b.StopTimer()
				m, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
				if err != nil {
					b.Fatal(err)
				}
				if c.huge {
					_ = syscall.Madvise(m, madvHugePage)
				}
				if c.again {
					touch(m, 1)
				}
				b.StartTimer()
				touch(m, 2)
				b.StopTimer()
				if err := syscall.Munmap(m); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}

// touch writes v to one byte of every 4 KiB page of m.
func touch(m []byte, v byte) {
	for i := 0; i < len(m); i += 4096 {
		m[i] = v
	}
}
