//go:build !(linux && (amd64 || arm64))

package kernel

// AllocHuge returns make([]E, n) and no function to free it: huge pages
// are asked for on Linux only (see the Linux version).
func AllocHuge[E ~uint16 | ~int32 | ~float32 | ~float64](n int64) ([]E, func()) {
	return make([]E, n), nil
}

// MakeHuge returns make([]E, n): huge pages are asked for on Linux only
// (see the Linux version).
func MakeHuge[E ~uint16 | ~uint32 | ~int32 | ~int64 | ~float32 | ~float64](n int) []E {
	return make([]E, n)
}
