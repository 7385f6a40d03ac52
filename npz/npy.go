package npz

import (
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// Elem is the set of element types an array written by this package can
// have. Each maps to one NumPy dtype: float32 '<f4', float64 '<f8', int64
// '<i8', int32 '<i4', int16 '<i2', int8 '|i1', uint64 '<u8', uint32 '<u4',
// uint16 '<u2', uint8 '|u1' and bool '|b1'.
type Elem interface {
	float32 | float64 | int64 | int32 | int16 | int8 |
		uint64 | uint32 | uint16 | uint8 | bool
}

// descrOf returns the NumPy type string and the size in bytes of T.
func descrOf[T Elem]() (string, int) {
	var z T
	switch any(z).(type) {
	case float32:
		return "<f4", 4
	case float64:
		return "<f8", 8
	case int64:
		return "<i8", 8
	case int32:
		return "<i4", 4
	case int16:
		return "<i2", 2
	case int8:
		return "|i1", 1
	case uint64:
		return "<u8", 8
	case uint32:
		return "<u4", 4
	case uint16:
		return "<u2", 2
	case uint8:
		return "|u1", 1
	case bool:
		return "|b1", 1
	}
	panic(fmt.Sprintf("npz: element type %T missing from descrOf", z))
}

// count returns the number of elements of an array of the given shape, or
// an error naming key if a dimension is negative or the product overflows.
func count(key string, shape []int) (int64, error) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("npz: array %q: negative dimension in shape %v", key, shape)
		}
		if d != 0 && n > math.MaxInt64/int64(d) {
			return 0, fmt.Errorf("npz: array %q: shape %v has too many elements", key, shape)
		}
		n *= int64(d)
	}
	return n, nil
}

// npyHeader returns the .npy header of a C-order array: the magic string,
// the version, the header length and the header dictionary, padded with
// spaces so that the data starts on a multiple of 64 bytes, as numpy
// writes it. Version 1.0 is used unless the dictionary is too long for it.
func npyHeader(descr string, shape []int) []byte {
	dims := make([]string, len(shape))
	for i, n := range shape {
		dims[i] = strconv.Itoa(n)
	}
	tuple := strings.Join(dims, ", ")
	if len(shape) == 1 {
		tuple += ","
	}
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, tuple)
	prefix := 10 // magic string, version and 2-byte header length
	if len(dict)+1+64 > math.MaxUint16 {
		prefix = 12 // version 2.0: 4-byte header length
	}
	pad := (64 - (prefix+len(dict)+1)%64) % 64
	dict += strings.Repeat(" ", pad) + "\n"
	b := make([]byte, 0, prefix+len(dict))
	b = append(b, "\x93NUMPY"...)
	if prefix == 10 {
		b = append(b, 1, 0)
		b = binary.LittleEndian.AppendUint16(b, uint16(len(dict)))
	} else {
		b = append(b, 2, 0)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(dict)))
	}
	return append(b, dict...)
}

// encodeBlock is the number of elements encoded at a time.
const encodeBlock = 1 << 13

// writeValues writes v in little-endian order. On a little-endian
// machine that is the values' own bytes, written as they are (w must not
// keep them, as io.Writer promises); elsewhere they are encoded
// encodeBlock elements at a time into buf.
func writeValues[T Elem](w io.Writer, v []T, buf *[]byte) error {
	if nativeLittleEndian && len(v) > 0 {
		_, err := w.Write(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(v))), len(v)*int(unsafe.Sizeof(v[0]))))
		return err
	}
	for len(v) > 0 {
		n := min(encodeBlock, len(v))
		b, err := binary.Append((*buf)[:0], binary.LittleEndian, v[:n])
		if err != nil {
			return err
		}
		*buf = b
		if _, err := w.Write(b); err != nil {
			return err
		}
		v = v[n:]
	}
	return nil
}

// nativeLittleEndian reports whether the machine stores numbers in
// little-endian order, NumPy's '<' (a bool is one byte, 0 or 1, as
// NumPy's '|b1').
var nativeLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// unicodeArray returns the NumPy type ('<U' and the longest length in
// code points, at least 1) and the UTF-32LE encoding of a string array,
// each element padded with zeros to that length, as numpy stores it. key
// names the array in the error for a string that is not valid UTF-8.
func unicodeArray(key string, s []string) (string, []byte, error) {
	width := 1
	for i, v := range s {
		if !utf8.ValidString(v) {
			return "", nil, fmt.Errorf("npz: array %q: element %d (%q) is not valid UTF-8", key, i, v)
		}
		width = max(width, utf8.RuneCountInString(v))
	}
	b := make([]byte, 0, 4*width*len(s))
	for _, v := range s {
		n := 0
		for _, r := range v {
			b = binary.LittleEndian.AppendUint32(b, uint32(r))
			n++
		}
		b = append(b, make([]byte, 4*(width-n))...)
	}
	return "<U" + strconv.Itoa(width), b, nil
}
