//go:build linux

package main

import "syscall"

// peakRSSMB returns the peak resident set size of the process in MiB, as
// the reference computes it: ru_maxrss is in KiB on Linux. It returns -1
// if the value cannot be read.
func peakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return -1
	}
	return float64(ru.Maxrss) / 1024
}
