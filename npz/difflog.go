package npz

import (
	"fmt"
	"io"
	"math"
	"os"

	"github.com/binarynet/binarynet"
)

// Array names in a diff-log archive.
const (
	KeyUpdates          = "updates"           // int32, shape (T,): unit updated at step t
	KeyDeltas           = "deltas"            // int8, shape (T,): change of its state, -1, 0 or 1
	KeyInitialState     = "initial_state"     // int8, shape (N,): state before step 0
	KeyPopulationNames  = "population_names"  // unicode strings, shape (P,)
	KeyPopulationRanges = "population_ranges" // int64, shape (P, 2): [start, end) unit ids
	// KeyTimes is the optional time of every step (binarynet.DiffLog.Times),
	// float64 in ms (the units of tau), shape (T,); present only when the
	// log has times.
	KeyTimes = "update_times_ms"
)

// Array names of the same content in the trace files of the clustered
// toolkit's pipeline, which ReadDiffLog also reads.
const (
	keyStateUpdates = "state_updates" // shape (1, T)
	keyStateDeltas  = "state_deltas"  // shape (1, T)
	keyStartIDs     = "population_start_ids"
	keyEndIDs       = "population_end_ids"
	keyStateTimes   = "state_update_times_ms" // shape (1, T), with continuous time
)

// WriteDiffLog writes rec as an .npz archive to w, after checking it,
// with the times of the steps (KeyTimes) when rec.Log has them.
// The archive is a zip file with one deflate-compressed .npy entry per
// array, named "<key>.npy" as numpy.savez_compressed names them.
func WriteDiffLog(w io.Writer, rec *Recording) error {
	if err := rec.Check(); err != nil {
		return err
	}
	zw := NewWriter(w)
	if err := writeDiffLog(zw, rec); err != nil {
		return err
	}
	return zw.Commit()
}

func writeDiffLog(w *Writer, rec *Recording) error {
	ranges := make([]int64, 0, 2*len(rec.Ranges))
	for _, r := range rec.Ranges {
		ranges = append(ranges, int64(r.Start), int64(r.End))
	}
	if err := WriteUnitIDs(w, KeyUpdates, []int{len(rec.Log.Updates)}, rec.Log.Updates); err != nil {
		return err
	}
	if err := WriteArray(w, KeyDeltas, []int{len(rec.Log.Deltas)}, rec.Log.Deltas); err != nil {
		return err
	}
	if rec.Log.Times != nil {
		if err := WriteArray(w, KeyTimes, []int{len(rec.Log.Times)}, rec.Log.Times); err != nil {
			return err
		}
	}
	if err := WriteArray(w, KeyInitialState, []int{len(rec.Initial)}, rec.Initial); err != nil {
		return err
	}
	if err := w.WriteStrings(KeyPopulationNames, rec.Names); err != nil {
		return err
	}
	return WriteArray(w, KeyPopulationRanges, []int{len(rec.Ranges), 2}, ranges)
}

// SaveDiffLog writes rec to the named file atomically, after checking it:
// the file is written under a temporary name in the same directory and
// renamed over name only when complete, so a failure leaves an existing
// file at name untouched.
func SaveDiffLog(name string, rec *Recording) error {
	if err := rec.Check(); err != nil {
		return err
	}
	w, err := Create(name)
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := writeDiffLog(w, rec); err != nil {
		return err
	}
	return w.Commit()
}

// ReadDiffLog reads a diff-log archive of size bytes from r and checks it
// as Recording.Check does. The population arrays are optional: an archive
// without them gives empty Names and Ranges.
//
// The updates, deltas and initial state may have any integer (or bool)
// dtype whose values fit int32 and int8, and the logs may be of shape (T,)
// or (1, T), as the Python module's logs are. Trace files of the
// clustered toolkit's pipeline are read too: their logs are
// "state_updates" and "state_deltas", their ranges "population_start_ids"
// and "population_end_ids". The times of the steps (Log.Times) are read
// when present: KeyTimes, or "state_update_times_ms" in a trace file;
// they may be float64 or float32.
func ReadDiffLog(r io.ReaderAt, size int64) (*Recording, error) {
	a, err := openArchive(r, size)
	if err != nil {
		return nil, err
	}
	updKey, delKey, timeKey := KeyUpdates, KeyDeltas, KeyTimes
	if !a.has(KeyUpdates) && a.has(keyStateUpdates) {
		updKey, delKey, timeKey = keyStateUpdates, keyStateDeltas, keyStateTimes
	}
	rec := &Recording{}
	if rec.Log.Updates, err = readLog[int32](a, updKey, 0, math.MaxInt32); err != nil {
		return nil, err
	}
	if rec.Log.Deltas, err = readLog[int8](a, delKey, math.MinInt8, math.MaxInt8); err != nil {
		return nil, err
	}
	if a.has(timeKey) {
		if rec.Log.Times, err = readTimes(a, timeKey); err != nil {
			return nil, err
		}
	}
	if rec.Initial, err = readVector[int8](a, KeyInitialState, math.MinInt8, math.MaxInt8); err != nil {
		return nil, err
	}
	rec.Names = []string{}
	if a.has(KeyPopulationNames) {
		e, err := a.open(KeyPopulationNames)
		if err != nil {
			return nil, err
		}
		rec.Names, err = readStrings(e)
		e.Close()
		if err != nil {
			return nil, err
		}
	}
	if rec.Ranges, err = readRanges(a); err != nil {
		return nil, err
	}
	if err := rec.Check(); err != nil {
		return nil, err
	}
	return rec, nil
}

// readVector reads the one-dimensional integer array key.
func readVector[T int8 | int32 | int64](a *archive, key string, lo, hi int64) ([]T, error) {
	e, err := a.open(key)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	if len(e.shape) != 1 {
		return nil, fmt.Errorf("npz: %v: want shape (n,): %w", e, binarynet.ErrShape)
	}
	return readInts[T](e, e.shape, lo, hi)
}

// openLog opens a log array, which must have shape (T,) or (1, T).
func openLog(a *archive, key string) (*entry, error) {
	e, err := a.open(key)
	if err != nil {
		return nil, err
	}
	if len(e.shape) != 1 && (len(e.shape) != 2 || e.shape[0] != 1) {
		e.Close()
		return nil, fmt.Errorf("npz: %v: want shape (T,) or (1, T): %w", e, binarynet.ErrShape)
	}
	return e, nil
}

// readLog reads a log array, of shape (T,) or (1, T).
func readLog[T int8 | int32](a *archive, key string, lo, hi int64) ([]T, error) {
	e, err := openLog(a, key)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return readInts[T](e, e.shape, lo, hi)
}

// readTimes reads the times of a log, of shape (T,) or (1, T).
func readTimes(a *archive, key string) ([]float64, error) {
	e, err := openLog(a, key)
	if err != nil {
		return nil, err
	}
	defer e.Close()
	return readFloats(e, e.shape)
}

// readRanges reads the population ranges: population_ranges of shape
// (P, 2), else population_start_ids and population_end_ids of shape (P,),
// else none.
func readRanges(a *archive) ([]binarynet.Range, error) {
	var starts, ends []int64
	switch {
	case a.has(KeyPopulationRanges):
		e, err := a.open(KeyPopulationRanges)
		if err != nil {
			return nil, err
		}
		defer e.Close()
		if len(e.shape) != 2 || e.shape[1] != 2 {
			return nil, fmt.Errorf("npz: %v: want shape (P, 2): %w", e, binarynet.ErrShape)
		}
		flat, err := readInts[int64](e, e.shape, 0, math.MaxInt32)
		if err != nil {
			return nil, err
		}
		for i := 0; i+1 < len(flat); i += 2 {
			starts, ends = append(starts, flat[i]), append(ends, flat[i+1])
		}
	case a.has(keyStartIDs) && a.has(keyEndIDs):
		var err error
		if starts, err = readVector[int64](a, keyStartIDs, 0, math.MaxInt32); err != nil {
			return nil, err
		}
		if ends, err = readVector[int64](a, keyEndIDs, 0, math.MaxInt32); err != nil {
			return nil, err
		}
		if len(starts) != len(ends) {
			return nil, fmt.Errorf("npz: %d %s for %d %s: %w", len(starts), keyStartIDs, len(ends), keyEndIDs, binarynet.ErrShape)
		}
	}
	ranges := make([]binarynet.Range, len(starts))
	for i := range ranges {
		ranges[i] = binarynet.Range{Start: int(starts[i]), End: int(ends[i])}
	}
	return ranges, nil
}

// LoadDiffLog reads the named diff-log archive.
func LoadDiffLog(name string) (*Recording, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return ReadDiffLog(f, st.Size())
}
