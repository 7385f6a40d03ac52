//go:build linux && (amd64 || arm64)

package kernel

import (
	"syscall"
	"unsafe"
)

// madvHugePage is MADV_HUGEPAGE, from the kernel's generic
// mman-common.h, which amd64 and arm64 use: back the range with
// transparent huge pages.
const madvHugePage = 14

// AllocHuge returns a zeroed slice of n elements for the weights that
// the run loop reads, one column at a random place per state change, and
// a function that frees it, or nil when the garbage collector does. With
// 4 KiB pages nearly every column costs a walk of the page tables; with
// 2 MiB pages the translations of a large network fit in the processor's
// translation cache. Memory from Go's heap has often been touched before,
// and touched pages stay small; so an array of HugeMin bytes or more gets
// an anonymous mapping of its own, aligned and marked for transparent
// huge pages before it is touched. It takes at most HugeSlack bytes more
// than the array. Where the kernel refuses, the slice comes from the heap.
func AllocHuge[E ~uint16 | ~int32 | ~float32 | ~float64](n int64) ([]E, func()) {
	var e E
	size := uintptr(n) * unsafe.Sizeof(e)
	if size < HugeMin || uintptr(n) != uintptr(int(n)) {
		return make([]E, n), nil
	}
	length := (size+hugePage-1)&^(hugePage-1) + hugePage // room to align
	b, err := syscall.Mmap(-1, 0, int(length), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		return make([]E, n), nil
	}
	p := unsafe.Pointer(unsafe.SliceData(b))
	off := (uintptr(p)+hugePage-1)&^(hugePage-1) - uintptr(p)
	_ = syscall.Madvise(b[off:], madvHugePage) // advice only: small pages otherwise
	return unsafe.Slice((*E)(unsafe.Add(p, off)), n), func() { _ = syscall.Munmap(b) }
}

// MakeHuge returns make([]E, n), with the huge pages it spans asked for
// before they are touched: an array of HugeMin bytes or more that the
// garbage collector manages, which a fresh process would otherwise fault
// in 4 KiB at a time, about 250,000 faults per GiB. Only the part of the
// array aligned to huge pages is advised, so no other object shares a
// huge page with it by this advice. Memory that was touched before stays
// as it is.
func MakeHuge[E ~uint16 | ~uint32 | ~int32 | ~int64 | ~float32 | ~float64](n int) []E {
	s := make([]E, n)
	var e E
	size := uintptr(n) * unsafe.Sizeof(e)
	if size < HugeMin {
		return s
	}
	base := unsafe.Pointer(unsafe.SliceData(s))
	p := uintptr(base)
	lo := (p + hugePage - 1) &^ (hugePage - 1)
	hi := (p + size) &^ (hugePage - 1)
	if hi > lo {
		// Advice only: the array works the same with small pages.
		_ = syscall.Madvise(unsafe.Slice((*byte)(unsafe.Add(base, lo-p)), hi-lo), madvHugePage)
	}
	return s
}
