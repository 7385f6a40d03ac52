// Package bench holds the benchmark scenarios shared by the Python
// reference module and the Go library, so that "binarynet bench" finds them
// from any directory.
package bench

import _ "embed"

// scenarios is scenarios.json, the file that the reference's
// bench_reference.py reads.
//
//go:embed scenarios.json
var scenarios string

// Scenarios returns the content of the scenarios file, a JSON document in
// the format of binarynet.ReadScenarioFile.
func Scenarios() string { return scenarios }
