//go:build !race

package binarynet_test

// raceEnabled reports whether the race detector is on; long single-threaded
// tests skip themselves then.
const raceEnabled = false
