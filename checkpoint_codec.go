package binarynet

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// remainingSize returns the number of bytes left in r when r can tell, and
// -1 otherwise.
func remainingSize(r io.Reader) int64 {
	switch v := r.(type) {
	case interface{ Len() int }: // *bytes.Reader, *bytes.Buffer, *strings.Reader
		return int64(v.Len())
	case *os.File:
		fi, err := v.Stat()
		if err != nil || !fi.Mode().IsRegular() {
			return -1
		}
		off, err := v.Seek(0, io.SeekCurrent)
		if err != nil || off > fi.Size() {
			return -1
		}
		return fi.Size() - off
	}
	return -1
}

// ckptWriter writes to w, keeping a running CRC-32C and the first error.
type ckptWriter struct {
	w       io.Writer
	crc     uint32
	written int64
	err     error
	buf     []byte
}

func (c *ckptWriter) write(p []byte) {
	if c.err != nil {
		return
	}
	c.crc = crc32.Update(c.crc, castagnoli, p)
	k, err := c.w.Write(p)
	c.written += int64(k)
	if err == nil && k != len(p) {
		err = io.ErrShortWrite
	}
	c.err = err
}

// writeHeader writes the format prefix, the encoded header hdr and the
// header's checksum.
func (c *ckptWriter) writeHeader(hdr []byte) {
	prefix := make([]byte, 0, checkpointPrefix)
	prefix = append(prefix, checkpointMagic...)
	prefix = binary.LittleEndian.AppendUint32(prefix, checkpointVersion)
	prefix = binary.LittleEndian.AppendUint32(prefix, uint32(len(hdr)))
	hcrc := crc32.Update(crc32.Checksum(prefix, castagnoli), castagnoli, hdr)
	c.write(prefix)
	c.write(hdr)
	c.write(binary.LittleEndian.AppendUint32(nil, hcrc))
}

// writeTrailer writes the checksum of everything written before it.
func (c *ckptWriter) writeTrailer() {
	c.write(binary.LittleEndian.AppendUint32(nil, c.crc))
}

// ckptReader reads from r, keeping a running CRC-32C. known is the number
// of bytes left in r, or -1 when r cannot tell.
type ckptReader struct {
	r     io.Reader
	crc   uint32
	known int64
	buf   []byte
}

// need reports truncation early when r's length is known.
func (c *ckptReader) need(k int64, what string) error {
	if c.known >= 0 && c.known < k {
		return checkpointError("truncated: %s needs %d more bytes, %d are left", what, k, c.known)
	}
	return nil
}

func (c *ckptReader) read(p []byte, what string) error {
	k, err := io.ReadFull(c.r, p)
	c.crc = crc32.Update(c.crc, castagnoli, p[:k])
	if c.known >= 0 {
		c.known -= int64(k)
	}
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("%w: truncated or unreadable %s: %w", ErrCheckpoint, what, err)
	}
	return nil
}

// readHeader reads the format prefix and the header, checks the magic,
// the version and the header length, verifies the header's checksum and
// returns the encoded header.
func (c *ckptReader) readHeader() ([]byte, error) {
	prefix := make([]byte, checkpointPrefix)
	if err := c.read(prefix, "format prefix"); err != nil {
		return nil, err
	}
	if string(prefix[:8]) != checkpointMagic {
		return nil, checkpointError("not a binarynet checkpoint (magic %q, want %q)", prefix[:8], checkpointMagic)
	}
	if v := binary.LittleEndian.Uint32(prefix[8:]); v != checkpointVersion {
		return nil, checkpointError("unsupported format version %d (this library reads version %d)", v, checkpointVersion)
	}
	hdrLen := int64(binary.LittleEndian.Uint32(prefix[12:]))
	if hdrLen > maxCheckpointHeader {
		return nil, checkpointError("header length %d exceeds %d", hdrLen, maxCheckpointHeader)
	}
	if err := c.need(hdrLen+4, "header"); err != nil {
		return nil, err
	}
	hdr := make([]byte, hdrLen+4)
	if err := c.read(hdr, "header"); err != nil {
		return nil, err
	}
	want := binary.LittleEndian.Uint32(hdr[hdrLen:])
	if got := crc32.Update(crc32.Checksum(prefix, castagnoli), castagnoli, hdr[:hdrLen]); got != want {
		return nil, checkpointError("header checksum mismatch (got %#08x, stored %#08x): the file is corrupted", got, want)
	}
	return hdr[:hdrLen], nil
}

// readTrailer reads the trailing checksum and compares it with the
// checksum of everything read before it.
func (c *ckptReader) readTrailer() error {
	sum := c.crc
	trailer := make([]byte, 4)
	if err := c.read(trailer, "checksum"); err != nil {
		return err
	}
	if want := binary.LittleEndian.Uint32(trailer); sum != want {
		return checkpointError("checksum mismatch (got %#08x, stored %#08x): the file is corrupted", sum, want)
	}
	return nil
}

// ckptElem are the element types of the stored arrays.
type ckptElem interface {
	int8 | uint8 | int32 | int64 | float32 | float64
}

func elemBytes[T ckptElem]() int {
	var z T
	switch any(z).(type) {
	case int8, uint8:
		return 1
	case int32, float32:
		return 4
	}
	return 8
}

// writeElems writes s in little-endian order, a chunk at a time.
func writeElems[T ckptElem](c *ckptWriter, s []T) {
	size := elemBytes[T]()
	per := checkpointChunk / size
	for len(s) > 0 && c.err == nil {
		k := min(len(s), per)
		c.buf = appendElems(c.buf[:0], s[:k])
		c.write(c.buf)
		s = s[k:]
	}
}

func appendElems[T ckptElem](b []byte, s []T) []byte {
	le := binary.LittleEndian
	switch s := any(s).(type) {
	case []int8:
		for _, v := range s {
			b = append(b, byte(v))
		}
	case []uint8:
		b = append(b, s...)
	case []int32:
		for _, v := range s {
			b = le.AppendUint32(b, uint32(v))
		}
	case []int64:
		for _, v := range s {
			b = le.AppendUint64(b, uint64(v))
		}
	case []float32:
		for _, v := range s {
			b = le.AppendUint32(b, math.Float32bits(v))
		}
	case []float64:
		for _, v := range s {
			b = le.AppendUint64(b, math.Float64bits(v))
		}
	}
	return b
}

func decodeElems[T ckptElem](dst []T, b []byte) {
	le := binary.LittleEndian
	switch dst := any(dst).(type) {
	case []int8:
		for i := range dst {
			dst[i] = int8(b[i])
		}
	case []uint8:
		copy(dst, b)
	case []int32:
		for i := range dst {
			dst[i] = int32(le.Uint32(b[4*i:]))
		}
	case []int64:
		for i := range dst {
			dst[i] = int64(le.Uint64(b[8*i:]))
		}
	case []float32:
		for i := range dst {
			dst[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
	case []float64:
		for i := range dst {
			dst[i] = math.Float64frombits(le.Uint64(b[8*i:]))
		}
	}
}

// readElems reads count elements. When the reader's length is known it has
// been checked against count, and the slice is allocated at once;
// otherwise it grows by doubling as data arrives, so that a stream that
// ends early never causes an allocation much larger than its contents.
func readElems[T ckptElem](c *ckptReader, count int64, what string) ([]T, error) {
	size := elemBytes[T]()
	per := checkpointChunk / size
	var out []T
	if c.known >= 0 {
		out = make([]T, 0, count)
	} else {
		out = make([]T, 0, min(count, int64(per)))
	}
	if cap(c.buf) < checkpointChunk {
		c.buf = make([]byte, checkpointChunk)
	}
	for left := count; left > 0; {
		k := min(left, int64(per))
		if int64(len(out))+k > int64(cap(out)) {
			next := make([]T, len(out), min(count, 2*int64(cap(out))))
			copy(next, out)
			out = next
		}
		b := c.buf[:k*int64(size)]
		if err := c.read(b, what); err != nil {
			return nil, err
		}
		at := len(out)
		out = out[:at+int(k)]
		decodeElems(out[at:], b)
		left -= k
	}
	return out, nil
}

// ckptEnc appends header fields.
type ckptEnc struct{ b []byte }

func (e *ckptEnc) u8(v uint8)    { e.b = append(e.b, v) }
func (e *ckptEnc) u32(v uint32)  { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *ckptEnc) u64(v uint64)  { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *ckptEnc) f64(v float64) { e.u64(math.Float64bits(v)) }
func (e *ckptEnc) str(s string)  { e.u32(uint32(len(s))); e.b = append(e.b, s...) }

// ckptDec reads header fields; the first short read sets err and makes
// every later read return zero.
type ckptDec struct {
	b   []byte
	err error
}

func (d *ckptDec) take(k int) []byte {
	if d.err != nil {
		return nil
	}
	if k > len(d.b) {
		d.err = checkpointError("header ends early (needs %d more bytes, %d left)", k, len(d.b))
		d.b = nil
		return nil
	}
	v := d.b[:k]
	d.b = d.b[k:]
	return v
}

func (d *ckptDec) u8() uint8 {
	if b := d.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (d *ckptDec) u32() uint32 {
	if b := d.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (d *ckptDec) u64() uint64 {
	if b := d.take(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

func (d *ckptDec) i64() int64 {
	v := d.u64()
	if v > math.MaxInt64 && d.err == nil {
		d.err = checkpointError("header value %d out of range", v)
	}
	return int64(v)
}

func (d *ckptDec) f64() float64 { return math.Float64frombits(d.u64()) }

func (d *ckptDec) str(limit int) string {
	k := d.u32()
	if d.err == nil && int64(k) > int64(limit) {
		d.err = checkpointError("header string of %d bytes exceeds %d", k, limit)
	}
	return string(d.take(int(k)))
}
