package npz

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"codeberg.org/sbinet/npyio/npy"
	"github.com/binarynet/binarynet"
)

// archive is an .npz file opened for reading.
type archive struct {
	files map[string]*zip.File // by key, without ".npy"
	keys  []string
}

func openArchive(r io.ReaderAt, size int64) (*archive, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("npz: not an .npz archive: %v: %w", err, binarynet.ErrInvalidParameter)
	}
	a := &archive{files: map[string]*zip.File{}}
	for _, f := range zr.File {
		key := strings.TrimSuffix(f.Name, ".npy") // numpy.savez names entries "<key>.npy"
		if _, dup := a.files[key]; dup {
			return nil, fmt.Errorf("npz: archive holds array %q twice: %w", key, binarynet.ErrInvalidParameter)
		}
		a.files[key] = f
		a.keys = append(a.keys, key)
	}
	slices.Sort(a.keys)
	return a, nil
}

func (a *archive) has(key string) bool { _, ok := a.files[key]; return ok }

// entry is one array of an archive, positioned at its data.
type entry struct {
	key   string
	descr string // the dtype as in the header, e.g. "<i8"
	shape []int
	data  *bufio.Reader
	size  uint64 // bytes of data after the header, or sizeUnknown
	next  int64  // flat index of the next value to read
	rc    io.Closer
}

// sizeUnknown is the size of an entry read from a plain stream.
const sizeUnknown = math.MaxUint64

func (e *entry) Close() error { return e.rc.Close() }

// String describes the entry for error messages: key, dtype and shape.
func (e *entry) String() string {
	return fmt.Sprintf("array %q (dtype %s, shape %v)", e.key, e.descr, e.shape)
}

// open opens the array key and reads its header.
func (a *archive) open(key string) (*entry, error) {
	f, ok := a.files[key]
	if !ok {
		return nil, fmt.Errorf("npz: archive has no array %q (has %v): %w", key, a.keys, binarynet.ErrInvalidParameter)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("npz: array %q: %v: %w", key, err, binarynet.ErrInvalidParameter)
	}
	cr := &countingReader{r: rc}
	br := bufio.NewReaderSize(cr, 1<<16)
	rd, err := npy.NewReader(br)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("npz: array %q: not a .npy array: %v: %w", key, err, binarynet.ErrInvalidParameter)
	}
	h := rd.Header
	if h.Descr.Fortran && len(h.Descr.Shape) > 1 {
		rc.Close()
		return nil, fmt.Errorf("npz: array %q is in Fortran order; want C order: %w", key, binarynet.ErrInvalidParameter)
	}
	header := uint64(cr.n - int64(br.Buffered()))
	var size uint64
	if f.UncompressedSize64 >= header {
		size = f.UncompressedSize64 - header
	}
	return &entry{
		key:   key,
		descr: strings.Trim(h.Descr.Type, `'"`),
		shape: h.Descr.Shape,
		data:  br,
		size:  size,
		rc:    rc,
	}, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// intType describes an integer (or bool) NumPy dtype.
type intType struct {
	size   int
	signed bool
	order  binary.ByteOrder
}

// parseIntType parses an integer or bool dtype such as "<i8", "|u1", ">u2"
// or "|b1".
func parseIntType(descr string) (intType, bool) {
	if len(descr) < 3 {
		return intType{}, false
	}
	t := intType{order: binary.LittleEndian}
	switch descr[0] {
	case '<', '|', '=':
	case '>':
		t.order = binary.BigEndian
	default:
		return intType{}, false
	}
	switch descr[1] {
	case 'i':
		t.signed = true
	case 'u', 'b':
	default:
		return intType{}, false
	}
	size, err := strconv.Atoi(descr[2:])
	if err != nil || (size != 1 && size != 2 && size != 4 && size != 8) || (descr[1] == 'b' && size != 1) {
		return intType{}, false
	}
	t.size = size
	return t, true
}

// readInts reads the next values of the integer array e, as many as shape
// holds (e.shape for the whole array), into a slice of T, checking that
// every value lies in [lo, hi]. Any integer or bool dtype is
// accepted; the error for another dtype or a value out of range names the
// array and its dtype.
func readInts[T int8 | int32 | int64](e *entry, shape []int, lo, hi int64) ([]T, error) {
	t, ok := parseIntType(e.descr)
	if !ok {
		return nil, fmt.Errorf("npz: %v: want an integer dtype: %w", e, binarynet.ErrInvalidParameter)
	}
	n := int64(1)
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt64/int64(d)) {
			return nil, fmt.Errorf("npz: %v: invalid shape: %w", e, binarynet.ErrInvalidParameter)
		}
		n *= int64(d)
	}
	// A header cannot make us allocate more than the file holds: the
	// entry's size from the zip directory is checked when known, and the
	// slice grows with the data read.
	if e.size != sizeUnknown && uint64(n) > e.size/uint64(t.size) {
		return nil, fmt.Errorf("npz: %v: holds %d bytes of data, too few for %d values: %w", e, e.size, n, binarynet.ErrShape)
	}
	out := make([]T, 0, min(n, encodeBlock))
	buf := make([]byte, t.size*encodeBlock)
	for i := int64(0); i < n; {
		m := min(int64(encodeBlock), n-i)
		b := buf[:m*int64(t.size)]
		if _, err := io.ReadFull(e.data, b); err != nil {
			return nil, fmt.Errorf("npz: %v: %v: %w", e, err, binarynet.ErrInvalidParameter)
		}
		for j := range m {
			v, ok := t.value(b[j*int64(t.size):])
			if !ok || v < lo || v > hi {
				return nil, fmt.Errorf("npz: %v: value %s at flat index %d is outside [%d, %d]: %w",
					e, t.format(b[j*int64(t.size):]), e.next+i+j, lo, hi, binarynet.ErrInvalidParameter)
			}
			out = append(out, T(v))
		}
		i += m
	}
	e.next += n
	return out, nil
}

// readFloats reads the values of the floating-point array e, of dtype
// float64 or float32 in either byte order, as float64, as many as shape
// holds. The error for another dtype names the array and its dtype.
func readFloats(e *entry, shape []int) ([]float64, error) {
	if len(e.descr) != 3 || e.descr[1] != 'f' || (e.descr[2] != '8' && e.descr[2] != '4') || !strings.ContainsRune("<=>", rune(e.descr[0])) {
		return nil, fmt.Errorf("npz: %v: want a float64 or float32 dtype: %w", e, binarynet.ErrInvalidParameter)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if e.descr[0] == '>' {
		order = binary.BigEndian
	}
	size := int64(e.descr[2] - '0')
	n := int64(1)
	for _, d := range shape {
		if d < 0 || (d > 0 && n > math.MaxInt64/int64(d)) {
			return nil, fmt.Errorf("npz: %v: invalid shape: %w", e, binarynet.ErrInvalidParameter)
		}
		n *= int64(d)
	}
	if e.size != sizeUnknown && uint64(n) > e.size/uint64(size) {
		return nil, fmt.Errorf("npz: %v: holds %d bytes of data, too few for %d values: %w", e, e.size, n, binarynet.ErrShape)
	}
	out := make([]float64, 0, min(n, encodeBlock))
	buf := make([]byte, size*encodeBlock)
	for i := int64(0); i < n; {
		m := min(int64(encodeBlock), n-i)
		b := buf[:m*size]
		if _, err := io.ReadFull(e.data, b); err != nil {
			return nil, fmt.Errorf("npz: %v: %v: %w", e, err, binarynet.ErrInvalidParameter)
		}
		for j := range m {
			if size == 8 {
				out = append(out, math.Float64frombits(order.Uint64(b[j*8:])))
			} else {
				out = append(out, float64(math.Float32frombits(order.Uint32(b[j*4:]))))
			}
		}
		i += m
	}
	e.next += n
	return out, nil
}

// value decodes one element; ok is false for a uint64 above MaxInt64.
func (t intType) value(b []byte) (v int64, ok bool) {
	switch t.size {
	case 1:
		if t.signed {
			return int64(int8(b[0])), true
		}
		return int64(b[0]), true
	case 2:
		u := t.order.Uint16(b)
		if t.signed {
			return int64(int16(u)), true
		}
		return int64(u), true
	case 4:
		u := t.order.Uint32(b)
		if t.signed {
			return int64(int32(u)), true
		}
		return int64(u), true
	}
	u := t.order.Uint64(b)
	if t.signed {
		return int64(u), true
	}
	return int64(u), u <= math.MaxInt64
}

// format writes one element for an error message.
func (t intType) format(b []byte) string {
	if v, ok := t.value(b); ok {
		return strconv.FormatInt(v, 10)
	}
	return strconv.FormatUint(t.order.Uint64(b), 10)
}

// readStrings reads a one-dimensional unicode ('<U') or byte-string ('|S')
// array.
func readStrings(e *entry) ([]string, error) {
	if len(e.shape) != 1 {
		return nil, fmt.Errorf("npz: %v: want one dimension: %w", e, binarynet.ErrShape)
	}
	n := e.shape[0]
	if len(e.descr) < 3 {
		return nil, fmt.Errorf("npz: %v: want a string dtype: %w", e, binarynet.ErrInvalidParameter)
	}
	width, err := strconv.Atoi(e.descr[2:])
	unit := 4
	var order binary.ByteOrder = binary.LittleEndian
	switch {
	case err != nil || width < 0:
		return nil, fmt.Errorf("npz: %v: want a string dtype: %w", e, binarynet.ErrInvalidParameter)
	case e.descr[1] == 'S' && e.descr[0] == '|':
		unit = 1
	case e.descr[1] == 'U' && e.descr[0] == '>':
		order = binary.BigEndian
	case e.descr[1] == 'U' && (e.descr[0] == '<' || e.descr[0] == '='):
	default:
		return nil, fmt.Errorf("npz: %v: want a string dtype ('<U' or '|S'): %w", e, binarynet.ErrInvalidParameter)
	}
	item := uint64(width) * uint64(unit)
	if item > 0 && e.size != sizeUnknown && uint64(n) > e.size/item {
		return nil, fmt.Errorf("npz: %v: holds %d bytes of data, too few: %w", e, e.size, binarynet.ErrShape)
	}
	if item > 1<<20 {
		return nil, fmt.Errorf("npz: %v: strings of %d bytes each are too long: %w", e, item, binarynet.ErrInvalidParameter)
	}
	out := make([]string, n)
	b := make([]byte, item)
	for i := range out {
		if _, err := io.ReadFull(e.data, b); err != nil {
			return nil, fmt.Errorf("npz: %v: %v: %w", e, err, binarynet.ErrInvalidParameter)
		}
		if unit == 1 {
			out[i] = strings.TrimRight(string(b), "\x00")
			continue
		}
		var sb strings.Builder
		for j := 0; j < len(b); j += 4 {
			r := order.Uint32(b[j:])
			if r == 0 {
				break
			}
			sb.WriteRune(rune(r))
		}
		out[i] = sb.String()
	}
	return out, nil
}
