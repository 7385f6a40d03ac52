package npz

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// Recording is a diff log with what is needed to interpret it: the state
// before its first step and the populations of the network.
type Recording struct {
	// Initial is the state (0 or 1 per unit) before the first step of Log.
	Initial []int8
	// Log holds the steps.
	Log binarynet.DiffLog
	// Names and Ranges describe the populations, in network order; they
	// have the same length.
	Names  []string
	Ranges []binarynet.Range
}

// NewRecording returns the recording of a diff log of nw, which started
// from the state initial, with the names and ranges of all populations of
// nw as the network recorded them when they were added (changing a
// population struct afterwards changes neither).
func NewRecording(nw *binarynet.Network, initial []int8, log binarynet.DiffLog) (*Recording, error) {
	rec := &Recording{Initial: initial, Log: log, Ranges: nw.PopulationRanges()}
	for _, s := range nw.PopulationSpecs() {
		rec.Names = append(rec.Names, s.Name)
	}
	return rec, rec.Check()
}

// Check validates the recording: a binary initial state, a diff log that
// matches it (as ReconstructStatesFromDiffLogs requires), as many names as
// ranges, and ranges inside the network.
func (r *Recording) Check() error {
	if r == nil {
		return fmt.Errorf("npz: nil recording: %w", binarynet.ErrInvalidParameter)
	}
	if _, err := binarynet.PopulationRatesFromDiffLogs(r.Initial, r.Log, max(1, r.Log.Len()), r.Ranges, 0); err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	if len(r.Names) != len(r.Ranges) {
		return fmt.Errorf("npz: %d population names for %d ranges: %w", len(r.Names), len(r.Ranges), binarynet.ErrShape)
	}
	return nil
}
