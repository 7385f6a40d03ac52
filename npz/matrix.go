package npz

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"github.com/binarynet/binarynet"
)

// WriteStates writes state samples, one row per sample and one int8 column
// per unit (the output of ReconstructStatesFromDiffLogs), as a .npy array
// of shape (samples, N). All rows must have the same length.
func WriteStates(w io.Writer, states [][]int8) error {
	return writeMatrix(w, states)
}

// ReadStates reads a two-dimensional .npy array of states, as WriteStates
// writes it. Any integer or bool dtype is accepted (numpy's uint8 states
// included); every value must be 0 or 1.
func ReadStates(r io.Reader) ([][]int8, error) {
	e, err := openNpy(r, "states")
	if err != nil {
		return nil, err
	}
	if len(e.shape) != 2 {
		return nil, fmt.Errorf("npz: %v: want shape (samples, N): %w", e, binarynet.ErrShape)
	}
	rows, cols := e.shape[0], e.shape[1]
	if cols == 0 && rows > 1<<20 {
		return nil, fmt.Errorf("npz: %v: too many empty rows: %w", e, binarynet.ErrInvalidParameter)
	}
	out := [][]int8{} // grown row by row: the header alone cannot make us allocate
	if _, ok := parseIntType(e.descr); !ok {
		return nil, fmt.Errorf("npz: %v: want an integer dtype: %w", e, binarynet.ErrInvalidParameter)
	}
	for range rows {
		row, err := readInts[int8](e, []int{cols}, 0, 1)
		if err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, nil
}

// WriteRates writes population rates, one row per sample and one float64
// column per population (the output of PopulationRatesFromDiffLogs), as a
// .npy array of shape (samples, populations).
func WriteRates(w io.Writer, rates [][]float64) error {
	return writeMatrix(w, rates)
}

// ReadRates reads a two-dimensional float64 .npy array written by
// WriteRates.
func ReadRates(r io.Reader) ([][]float64, error) {
	e, err := openNpy(r, "rates")
	if err != nil {
		return nil, err
	}
	if e.descr != "<f8" {
		return nil, fmt.Errorf("npz: %v: want dtype float64 ('<f8'): %w", e, binarynet.ErrInvalidParameter)
	}
	if len(e.shape) != 2 {
		return nil, fmt.Errorf("npz: %v: want shape (samples, populations): %w", e, binarynet.ErrShape)
	}
	rows, cols := e.shape[0], e.shape[1]
	out := [][]float64{}
	if cols > 1<<24 || (cols == 0 && rows > 1<<20) {
		return nil, fmt.Errorf("npz: %v: too large: %w", e, binarynet.ErrInvalidParameter)
	}
	b := make([]byte, 8*cols)
	for range rows {
		if _, err := io.ReadFull(e.data, b); err != nil {
			return nil, fmt.Errorf("npz: %v: %v: %w", e, err, binarynet.ErrInvalidParameter)
		}
		row := make([]float64, cols)
		for j := range row {
			row[j] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*j:]))
		}
		out = append(out, row)
	}
	return out, nil
}

// openNpy reads the header of a single .npy array.
func openNpy(r io.Reader, what string) (*entry, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	rd, err := npy.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("npz: %s: not a .npy array: %v: %w", what, err, binarynet.ErrInvalidParameter)
	}
	h := rd.Header
	e := &entry{key: what, descr: strings.Trim(h.Descr.Type, `'"`), shape: h.Descr.Shape, data: br, size: sizeUnknown, rc: io.NopCloser(nil)}
	if h.Descr.Fortran && len(e.shape) > 1 {
		return nil, fmt.Errorf("npz: %v: Fortran order; want C order: %w", e, binarynet.ErrInvalidParameter)
	}
	for _, d := range e.shape {
		if d < 0 {
			return nil, fmt.Errorf("npz: %v: invalid shape: %w", e, binarynet.ErrInvalidParameter)
		}
	}
	return e, nil
}

// writeMatrix writes rows as a C-order two-dimensional array.
func writeMatrix[T int8 | float64](w io.Writer, rows [][]T) error {
	cols := 0
	if len(rows) > 0 {
		cols = len(rows[0])
	}
	for i, row := range rows {
		if len(row) != cols {
			return fmt.Errorf("npz: row %d has %d values, row 0 has %d: %w", i, len(row), cols, binarynet.ErrShape)
		}
	}
	descr, _ := descrOf[T]()
	bw := bufio.NewWriterSize(w, 1<<16)
	if _, err := bw.Write(npyHeader(descr, []int{len(rows), cols})); err != nil {
		return err
	}
	var scratch []byte
	for _, row := range rows {
		if err := writeValues(bw, row, &scratch); err != nil {
			return err
		}
	}
	return bw.Flush()
}
