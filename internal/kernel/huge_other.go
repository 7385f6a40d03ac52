//go:build !(linux && (amd64 || arm64))

package kernel

// AllocHuge returns make([]E, n) and no function to free it: huge pages
// are asked for on Linux only (see the Linux version).
func AllocHuge[E ~uint16 | ~int32 | ~float32 | ~float64](n int64) ([]E, func()) {
	return make([]E, n), nil
}
