// Package npz reads and writes binarynet recordings in NumPy's .npy and
// .npz formats, with codeberg.org/sbinet/npyio, so that runs can be
// analysed in Python:
//
//	d = numpy.load("difflog.npz")
//	d["updates"], d["deltas"], d["initial_state"]
//	d["population_names"], d["population_ranges"]
//
// A diff log goes into an .npz archive (WriteDiffLog, ReadDiffLog); state
// samples and population rates, which are single two-dimensional arrays,
// go into .npy files (WriteStates, ReadStates, WriteRates, ReadRates).
// Everything read is checked: arrays of the wrong type, shape or content
// return an error wrapping binarynet.ErrShape or
// binarynet.ErrInvalidParameter.
package npz

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	snpz "codeberg.org/sbinet/npyio/npz"
	"github.com/binarynet/binarynet"
)

// Array names in a diff-log archive.
const (
	KeyUpdates          = "updates"           // int32, shape (T,): unit updated at step t
	KeyDeltas           = "deltas"            // int8, shape (T,): change of its state, -1, 0 or 1
	KeyInitialState     = "initial_state"     // int8, shape (N,): state before step 0
	KeyPopulationNames  = "population_names"  // unicode strings, shape (P,)
	KeyPopulationRanges = "population_ranges" // int64, shape (P, 2): [start, end) unit ids
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
// nw.
func NewRecording(nw *binarynet.Network, initial []int8, log binarynet.DiffLog) (*Recording, error) {
	rec := &Recording{Initial: initial, Log: log}
	for _, p := range nw.Populations() {
		start, end, err := nw.PopulationRange(p)
		if err != nil {
			return nil, err
		}
		rec.Names = append(rec.Names, populationName(p))
		rec.Ranges = append(rec.Ranges, binarynet.Range{Start: start, End: end})
	}
	return rec, rec.Check()
}

func populationName(p binarynet.Population) string {
	switch p := p.(type) {
	case *binarynet.BinaryNeuronPopulation:
		return p.Name
	case *binarynet.BackgroundActivity:
		return p.Name
	}
	return ""
}

// Check validates the recording: a binary initial state, a diff log that
// matches it (as ReconstructStatesFromDiffLogs requires), as many names as
// ranges, and ranges inside the network.
func (r *Recording) Check() error {
	if r == nil {
		return fmt.Errorf("npz: nil recording: %w", binarynet.ErrInvalidParameter)
	}
	if _, err := binarynet.PopulationRatesFromDiffLogs(r.Initial, r.Log, max(1, r.Log.Len()), r.Ranges); err != nil {
		return fmt.Errorf("npz: %w", err)
	}
	if len(r.Names) != len(r.Ranges) {
		return fmt.Errorf("npz: %d population names for %d ranges: %w", len(r.Names), len(r.Ranges), binarynet.ErrShape)
	}
	return nil
}

// WriteDiffLog writes rec as an .npz archive to w, after checking it.
// The archive is a zip file with one deflate-compressed .npy entry per
// array, named "<key>.npy" as numpy.savez_compressed names them.
func WriteDiffLog(w io.Writer, rec *Recording) error {
	if err := rec.Check(); err != nil {
		return err
	}
	ranges := make([][2]int64, len(rec.Ranges))
	for k, r := range rec.Ranges {
		ranges[k] = [2]int64{int64(r.Start), int64(r.End)}
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	for _, a := range []struct {
		key   string
		descr string
		shape []int
		v     any
	}{
		{KeyUpdates, "<i4", []int{len(rec.Log.Updates)}, rec.Log.Updates},
		{KeyDeltas, "|i1", []int{len(rec.Log.Deltas)}, rec.Log.Deltas},
		{KeyInitialState, "|i1", []int{len(rec.Initial)}, rec.Initial},
		{KeyPopulationNames, "<U1", []int{len(rec.Names)}, rec.Names},
		{KeyPopulationRanges, "<i8", []int{len(ranges), 2}, ranges},
	} {
		f, err := zw.Create(a.key + ".npy")
		if err != nil {
			return err
		}
		if err := writeArray(f, a.descr, a.shape, a.v); err != nil {
			return fmt.Errorf("npz: writing %s: %w", a.key, err)
		}
	}
	return zw.Close()
}

// writeArray writes v as one .npy array of the given type and shape.
// Numeric arrays are written here, header and little-endian data, because
// npyio's writer inspects every element by reflection, which takes seconds
// for a long diff log; strings, whose NumPy type depends on their length,
// go through npyio.
func writeArray(w io.Writer, descr string, shape []int, v any) error {
	if names, ok := v.([]string); ok && len(names) > 0 {
		bw := bufio.NewWriterSize(w, 1<<16)
		if err := npy.Write(bw, names); err != nil {
			return err
		}
		return bw.Flush()
	}
	if err := writeHeader(w, descr, shape); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	var err error
	switch v := v.(type) {
	case []string:
		// empty: the header is all there is
	case []int32:
		err = writeChunked(bw, v)
	case []int8:
		err = writeChunked(bw, v)
	case [][2]int64:
		err = binary.Write(bw, binary.LittleEndian, v)
	case [][]int8:
		for _, row := range v {
			if err = writeChunked(bw, row); err != nil {
				break
			}
		}
	case [][]float64:
		for _, row := range v {
			if err = writeChunked(bw, row); err != nil {
				break
			}
		}
	default:
		panic(fmt.Sprintf("npz: writeArray of unsupported type %T", v))
	}
	if err != nil {
		return err
	}
	return bw.Flush()
}

// writeChunked writes a slice in little-endian order a block at a time,
// without a copy of the whole slice.
func writeChunked[T int8 | int32 | float64](w io.Writer, v []T) error {
	const block = 1 << 14
	for len(v) > 0 {
		n := min(block, len(v))
		if err := binary.Write(w, binary.LittleEndian, v[:n]); err != nil {
			return err
		}
		v = v[n:]
	}
	return nil
}

// writeHeader writes a version 1.0 .npy header for a C-order array, padded
// with spaces so that the data starts on a multiple of 64 bytes, as numpy
// writes it.
func writeHeader(w io.Writer, descr string, shape []int) error {
	dims := make([]string, len(shape))
	for i, n := range shape {
		dims[i] = strconv.Itoa(n)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	const prefix = 10 // magic string, version and 2-byte header length
	pad := (64 - (prefix+len(hdr)+1)%64) % 64
	hdr += strings.Repeat(" ", pad) + "\n"
	if len(hdr) > math.MaxUint16 {
		return fmt.Errorf("npz: header of %d bytes is too long", len(hdr))
	}
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	b.WriteByte(byte(len(hdr)))
	b.WriteByte(byte(len(hdr) >> 8))
	b.WriteString(hdr)
	_, err := w.Write(b.Bytes())
	return err
}

// SaveDiffLog writes rec to the named file, creating or truncating it.
func SaveDiffLog(name string, rec *Recording) (err error) {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer func() {
		if e := f.Close(); err == nil {
			err = e
		}
	}()
	return WriteDiffLog(f, rec)
}

// ReadDiffLog reads a diff-log archive of size bytes from r and checks it
// as Recording.Check does. The population arrays are optional: an archive
// without them gives empty Names and Ranges.
func ReadDiffLog(r io.ReaderAt, size int64) (*Recording, error) {
	zr, err := snpz.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("npz: %v: %w", err, binarynet.ErrInvalidParameter)
	}
	keys := zr.Keys()
	has := func(k string) bool { return slices.Contains(keys, k) || slices.Contains(keys, k+".npy") }
	key := func(k string) string {
		if slices.Contains(keys, k) {
			return k
		}
		return k + ".npy" // numpy.savez names entries "<key>.npy"
	}
	rec := &Recording{}
	for _, k := range []string{KeyUpdates, KeyDeltas, KeyInitialState} {
		if !has(k) {
			return nil, fmt.Errorf("npz: archive has no %q array (has %v): %w", k, keys, binarynet.ErrInvalidParameter)
		}
	}
	if err := readVector(zr, key(KeyUpdates), "<i4", &rec.Log.Updates); err != nil {
		return nil, err
	}
	if err := readVector(zr, key(KeyDeltas), "|i1", &rec.Log.Deltas); err != nil {
		return nil, err
	}
	if err := readVector(zr, key(KeyInitialState), "|i1", &rec.Initial); err != nil {
		return nil, err
	}
	if has(KeyPopulationNames) {
		err := readEntry(zr, key(KeyPopulationNames), func(rd *npy.Reader) error {
			if len(rd.Header.Descr.Shape) != 1 {
				return fmt.Errorf("npz: %s must be one-dimensional, got %v: %w", KeyPopulationNames, headerString(&rd.Header), binarynet.ErrShape)
			}
			if rd.Header.Descr.Shape[0] == 0 {
				return nil
			}
			return rd.Read(&rec.Names)
		})
		if err != nil {
			return nil, err
		}
	}
	if has(KeyPopulationRanges) {
		var flat []int64
		err := readEntry(zr, key(KeyPopulationRanges), func(rd *npy.Reader) error {
			h := &rd.Header
			if !isType(h, "<i8") || len(h.Descr.Shape) != 2 || h.Descr.Shape[1] != 2 {
				return fmt.Errorf("npz: %s must be an int64 array of shape (P, 2), got %v: %w", KeyPopulationRanges, headerString(h), binarynet.ErrShape)
			}
			if h.Descr.Shape[0] == 0 {
				return nil
			}
			return rd.Read(&flat)
		})
		if err != nil {
			return nil, err
		}
		for i := 0; i+1 < len(flat); i += 2 {
			rec.Ranges = append(rec.Ranges, binarynet.Range{Start: int(flat[i]), End: int(flat[i+1])})
		}
	}
	if rec.Names == nil {
		rec.Names = []string{}
	}
	if rec.Ranges == nil {
		rec.Ranges = []binarynet.Range{}
	}
	if err := rec.Check(); err != nil {
		return nil, err
	}
	return rec, nil
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

// readEntry opens the named .npy entry of an archive, buffered, and
// hands its reader to fn. Errors that do not already wrap a binarynet
// sentinel are wrapped in ErrInvalidParameter.
func readEntry(zr *snpz.Reader, key string, fn func(*npy.Reader) error) error {
	rc, err := zr.Open(key)
	if err != nil {
		return fmt.Errorf("npz: %v: %w", err, binarynet.ErrInvalidParameter)
	}
	defer rc.Close()
	rd, err := npy.NewReader(bufio.NewReaderSize(rc, 1<<16))
	if err != nil {
		return fmt.Errorf("npz: %s: %v: %w", key, err, binarynet.ErrInvalidParameter)
	}
	if err := fn(rd); err != nil {
		if errors.Is(err, binarynet.ErrShape) || errors.Is(err, binarynet.ErrInvalidParameter) {
			return err
		}
		return fmt.Errorf("npz: %s: %v: %w", key, err, binarynet.ErrInvalidParameter)
	}
	return nil
}

// readVector reads a one-dimensional array of the given NumPy type.
func readVector[T any](zr *snpz.Reader, key, descr string, dst *[]T) error {
	return readEntry(zr, key, func(rd *npy.Reader) error {
		h := &rd.Header
		if !isType(h, descr) || len(h.Descr.Shape) != 1 {
			return fmt.Errorf("npz: %s must be a one-dimensional %s array, got %v: %w", key, descr, headerString(h), binarynet.ErrShape)
		}
		*dst = []T{}
		if h.Descr.Shape[0] == 0 {
			return nil
		}
		return rd.Read(dst)
	})
}

// isType reports whether the array's type is descr. The header stores the
// type quoted; one-byte types may carry either byte-order mark.
func isType(h *npy.Header, descr string) bool {
	t := strings.Trim(h.Descr.Type, `'"`)
	if len(t) == 3 && len(descr) == 3 && t[2] == '1' && (t[0] == '|' || t[0] == '<') {
		t = "|" + t[1:]
	}
	return t == descr
}

func headerString(h *npy.Header) string {
	if h == nil {
		return "an unreadable array"
	}
	return fmt.Sprintf("%s %v", strings.Trim(h.Descr.Type, `'"`), h.Descr.Shape)
}

// WriteStates writes state samples, one row per sample and one int8 column
// per unit (the output of ReconstructStatesFromDiffLogs), as a .npy array
// of shape (samples, N). All rows must have the same length.
func WriteStates(w io.Writer, states [][]int8) error {
	return writeMatrix(w, states, "|i1")
}

// ReadStates reads a two-dimensional int8 .npy array written by
// WriteStates. Every value must be 0 or 1.
func ReadStates(r io.Reader) ([][]int8, error) {
	rows, err := readMatrix[int8](r, "|i1")
	if err != nil {
		return nil, err
	}
	for i, row := range rows {
		for j, v := range row {
			if v != 0 && v != 1 {
				return nil, fmt.Errorf("npz: states[%d][%d] = %d, must be 0 or 1: %w", i, j, v, binarynet.ErrInvalidParameter)
			}
		}
	}
	return rows, nil
}

// WriteRates writes population rates, one row per sample and one float64
// column per population (the output of PopulationRatesFromDiffLogs), as a
// .npy array of shape (samples, populations).
func WriteRates(w io.Writer, rates [][]float64) error {
	return writeMatrix(w, rates, "<f8")
}

// ReadRates reads a two-dimensional float64 .npy array written by
// WriteRates.
func ReadRates(r io.Reader) ([][]float64, error) {
	return readMatrix[float64](r, "<f8")
}

// writeMatrix writes rows as a C-order two-dimensional array.
func writeMatrix[T int8 | float64](w io.Writer, rows [][]T, descr string) error {
	cols := 0
	if len(rows) > 0 {
		cols = len(rows[0])
	}
	for i, row := range rows {
		if len(row) != cols {
			return fmt.Errorf("npz: row %d has %d values, row 0 has %d: %w", i, len(row), cols, binarynet.ErrShape)
		}
	}
	return writeArray(w, descr, []int{len(rows), cols}, rows)
}

// readMatrix reads a two-dimensional array of the given type.
func readMatrix[T int8 | float64](r io.Reader, descr string) ([][]T, error) {
	rd, err := npy.NewReader(bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("npz: %v: %w", err, binarynet.ErrInvalidParameter)
	}
	h := rd.Header
	if !isType(&h, descr) || len(h.Descr.Shape) != 2 || h.Descr.Fortran {
		return nil, fmt.Errorf("npz: want a C-order two-dimensional %s array, got %v: %w", descr, headerString(&h), binarynet.ErrShape)
	}
	rows, cols := h.Descr.Shape[0], h.Descr.Shape[1]
	var flat []T
	if rows*cols > 0 {
		if err := rd.Read(&flat); err != nil {
			return nil, fmt.Errorf("npz: %v: %w", err, binarynet.ErrInvalidParameter)
		}
	}
	if len(flat) != rows*cols {
		return nil, fmt.Errorf("npz: read %d values for shape (%d, %d): %w", len(flat), rows, cols, binarynet.ErrShape)
	}
	out := make([][]T, rows)
	for i := range out {
		out[i] = flat[i*cols : (i+1)*cols : (i+1)*cols]
	}
	return out, nil
}
