package npz

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/binarynet/binarynet/internal/atomicfile"
	"github.com/klauspost/compress/flate"
)

// Writer writes an .npz archive as numpy.savez_compressed does: a zip file
// with one deflate-compressed .npy entry per array, named "<key>.npy".
// Entries are written one after the other and each is streamed, so an
// array can be written in chunks from a producer (BeginArray) without a
// second copy of it in memory. Entries larger than 4 GiB are stored in the
// zip64 format, which numpy reads.
//
// The first error is sticky: every later call returns it and Commit fails.
// A Writer is not safe for concurrent use.
type Writer struct {
	file    *atomicfile.File // set by Create
	zw      *zip.Writer
	keys    map[string]bool
	open    string // key of the array being streamed, or ""
	err     error
	done    bool
	scratch []byte
	level   int             // flate level of the next entry
	busy    int             // blocks compressed at once; 0: the default
	fh      *zip.FileHeader // header of the open entry
	blocks  []*block        // compression blocks to reuse
	// deferred holds the keys of the arrays begun by BeginDeferred and
	// not yet closed.
	deferred []string
}

// ErrWriterDone is returned by a Writer used after Commit or Abort.
var ErrWriterDone = errors.New("npz: writer already committed or aborted")

// Create starts an .npz archive at path, written atomically with mode
// 0644 through a temporary file in the same directory: the file appears
// at path only when Commit succeeds, and Abort leaves path untouched.
func Create(path string) (*Writer, error) {
	f, err := atomicfile.Create(path, 0o644)
	if err != nil {
		return nil, fmt.Errorf("npz: %w", err)
	}
	w := NewWriter(f)
	w.file = f
	return w, nil
}

// NewWriter starts an .npz archive written to out. Commit writes the zip
// directory but does not close out.
func NewWriter(out io.Writer) *Writer {
	return &Writer{zw: zip.NewWriter(out), keys: map[string]bool{}, level: flate.BestSpeed}
}

// SetLevel sets the compression level of the arrays started after it, a
// level of compress/flate (the same numbers as zlib's) from
// flate.HuffmanOnly (-2) to flate.BestCompression (9). The arrays are
// compressed with github.com/klauspost/compress/flate, which writes
// standard deflate streams about twice as fast as the standard library's
// at the same level. The default, flate.BestSpeed, is several times
// faster than numpy's zlib level 6 (flate.DefaultCompression) for files a
// few per cent larger. flate.HuffmanOnly is four times faster again and as small for
// arrays of random values such as the unit ids of a diff log, but much
// larger for arrays with long runs, such as state samples.
//
// Arrays of 8-byte integers (int64, uint64) are compressed at every level
// but flate.NoCompression by a coder made for them, which writes each
// value as the low bytes in which it differs from the value before and a
// copy of the rest: a standard deflate stream, for the column indices of
// a CSR matrix three times as fast as flate.BestSpeed and 15 % smaller
// (BenchmarkIntCoder).
// A block of 1 MiB on which that does not pay (most values unlike the one
// before, such as random 64-bit numbers) is compressed at the level.
func (w *Writer) SetLevel(level int) error {
	if level < flate.HuffmanOnly || level > flate.BestCompression {
		return w.fail(fmt.Errorf("npz: compression level %d outside [%d, %d]", level, flate.HuffmanOnly, flate.BestCompression))
	}
	w.level = level
	return nil
}

// SetConcurrency sets the number of goroutines that compress the blocks
// of the arrays started after it: at most n blocks of 1 MiB are
// compressed at once, each on a goroutine of its own, beside the caller's;
// with n = 1 the blocks are compressed on the caller's goroutine, so that
// writing uses one thread. n <= 0 restores the default, min(GOMAXPROCS,
// 4). The bytes written do not depend on it.
func (w *Writer) SetConcurrency(n int) {
	w.busy = max(n, 0)
}

// entry starts the zip entry of the array key. The entry is stored raw:
// the Writer compresses it itself, in blocks on several goroutines
// (blockDeflater), and sets its checksum and sizes when it ends.
func (w *Writer) entry(key string) (*blockDeflater, error) {
	if err := w.claim(key); err != nil {
		return nil, err
	}
	if w.open != "" {
		return nil, w.fail(fmt.Errorf("npz: array %q started before array %q was closed", key, w.open))
	}
	raw, err := w.createEntry(key)
	if err != nil {
		return nil, err
	}
	return newBlockDeflater(raw, w.level, w.busy, &w.blocks), nil
}

// claim checks that the writer takes arrays and that key names a new
// one, and records the name.
func (w *Writer) claim(key string) error {
	if w.done {
		return ErrWriterDone
	}
	if w.err != nil {
		return w.err
	}
	switch {
	case key == "":
		return w.fail(errors.New("npz: empty array name"))
	case w.keys[key]:
		return w.fail(fmt.Errorf("npz: array %q written twice", key))
	}
	w.keys[key] = true
	return nil
}

// createEntry writes the local header of the zip entry of key and makes
// it the open entry, whose data the returned writer takes.
func (w *Writer) createEntry(key string) (io.Writer, error) {
	fh := &zip.FileHeader{
		Name:           key + ".npy",
		Method:         zip.Deflate,
		Flags:          0x8, // sizes and checksum in a data descriptor after the data
		CreatorVersion: 20,
		ReaderVersion:  20,
	}
	// 1980-01-01, the earliest date a zip file stores, so that the same
	// arrays give the same bytes. CreateRaw writes the MS-DOS fields as
	// they are (only CreateHeader converts Modified).
	//lint:ignore SA1019 CreateRaw needs the MS-DOS date field.
	fh.ModifiedDate = 1<<5 | 1
	if !isASCII(fh.Name) {
		fh.Flags |= 0x800 // UTF-8 name
	}
	raw, err := w.zw.CreateRaw(fh)
	if err != nil {
		return nil, w.fail(fmt.Errorf("npz: array %q: %w", key, err))
	}
	w.fh = fh
	w.open = key
	return raw, nil
}

// endEntry ends the entry written through d: it ends the deflate stream
// and records the checksum and sizes in the entry's header, which the zip
// writer writes in the data descriptor and the directory.
func (w *Writer) endEntry(key string, d *blockDeflater) error {
	w.open = ""
	if err := d.Close(); err != nil {
		return w.fail(fmt.Errorf("npz: array %q: %w", key, err))
	}
	w.sizes(d)
	return nil
}

// sizes records the checksum and sizes of the stream d has written in
// the header of the open entry.
func (w *Writer) sizes(d *blockDeflater) {
	fh := w.fh
	fh.CRC32 = d.crc
	fh.CompressedSize64, fh.UncompressedSize64 = uint64(d.compN), uint64(d.rawN)
	// The data descriptor of a raw entry is written from the 32-bit
	// fields, as archive/zip's own entries set them.
	c32, u32 := uint32(math.MaxUint32), uint32(math.MaxUint32)
	if fh.CompressedSize64 >= math.MaxUint32 || fh.UncompressedSize64 >= math.MaxUint32 {
		fh.ReaderVersion = 45 // zip64
	} else {
		c32, u32 = uint32(fh.CompressedSize64), uint32(fh.UncompressedSize64)
	}
	//lint:ignore SA1019 the data descriptor of CreateRaw uses the 32-bit sizes.
	fh.CompressedSize, fh.UncompressedSize = c32, u32
}

// isInts reports whether the NumPy type descr of size bytes is an 8-byte
// integer, whose arrays an intCoder compresses.
func isInts(descr string, size int) bool {
	return size == period && (descr[1] == 'i' || descr[1] == 'u')
}

func isASCII(s string) bool {
	for i := range len(s) {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// fail records err as the writer's sticky error and returns it.
func (w *Writer) fail(err error) error {
	if w.err == nil {
		w.err = err
	}
	return err
}

// WriteUnitIDs writes ids, the units of a diff log, as WriteArray does,
// with Huffman codes alone (flate.HuffmanOnly), and then restores the
// default level, flate.BestSpeed. The units an asynchronous network
// updates are drawn at random, which leaves flate's matcher nothing to
// find: for 3 M updates of 10,000 units, Huffman codes alone are 2 % smaller
// and five times as fast.
func WriteUnitIDs(w *Writer, key string, shape []int, ids []int32) error {
	if err := w.SetLevel(flate.HuffmanOnly); err != nil {
		return err
	}
	if err := WriteArray(w, key, shape, ids); err != nil {
		return err
	}
	return w.SetLevel(flate.BestSpeed)
}

// WriteArray writes data as the array key of the given shape in C order
// (row-major); len(data) must be the product of the dimensions. An empty
// shape writes a 0-d array (a NumPy scalar) from one value.
func WriteArray[T Elem](w *Writer, key string, shape []int, data []T) error {
	a, err := BeginArray[T](w, key, shape...)
	if err != nil {
		return err
	}
	if int64(len(data)) != a.want {
		return w.fail(fmt.Errorf("npz: array %q: %d values for shape %v (%d elements)", key, len(data), shape, a.want))
	}
	if err := a.Write(data); err != nil {
		return err
	}
	return a.Close()
}

// WriteScalar writes v as the 0-d array key, which numpy loads as an
// array of shape () (v.item() or int(v) gives the value).
func WriteScalar[T Elem](w *Writer, key string, v T) error {
	return WriteArray(w, key, nil, []T{v})
}

// WriteStrings writes s as the one-dimensional unicode array key, of
// NumPy type '<U' followed by the length in code points of the longest
// string (at least 1), as numpy.array(list_of_str) makes it.
func (w *Writer) WriteStrings(key string, s []string) error {
	return w.writeStrings(key, []int{len(s)}, s)
}

// WriteString writes s as the 0-d unicode array key, of NumPy type '<U'
// followed by the length of s in code points (at least 1), as
// numpy.savez(key="text") stores it; str(d[key]) gives s back.
func (w *Writer) WriteString(key, s string) error {
	return w.writeStrings(key, nil, []string{s})
}

func (w *Writer) writeStrings(key string, shape []int, s []string) error {
	descr, data, err := unicodeArray(key, s)
	if err != nil {
		if w.done {
			return ErrWriterDone
		}
		return w.fail(err)
	}
	d, err := w.entry(key)
	if err != nil {
		return err
	}
	if _, err := d.Write(npyHeader(descr, shape)); err != nil {
		return w.fail(fmt.Errorf("npz: array %q: %w", key, err))
	}
	if _, err := d.Write(data); err != nil {
		return w.fail(fmt.Errorf("npz: array %q: %w", key, err))
	}
	return w.endEntry(key, d)
}

// ArrayWriter streams the values of one array into an .npz archive, in C
// order. It is made by BeginArray.
type ArrayWriter[T Elem] struct {
	w       *Writer
	d       *blockDeflater
	key     string
	shape   []int
	want, n int64
	closed  bool
	held    *bytes.Buffer // the compressed array of BeginDeferred
}

// BeginArray starts the array key of the given shape (no dimensions: a
// 0-d array of one value) with elements of type T. Its values are then
// given to the ArrayWriter's Write in any number of chunks, and Close ends
// it. No other array can be written until Close.
func BeginArray[T Elem](w *Writer, key string, shape ...int) (*ArrayWriter[T], error) {
	return begin[T](w, key, shape, w.entry)
}

// begin starts the array key of the given shape, whose compressed stream
// open makes.
func begin[T Elem](w *Writer, key string, shape []int, open func(key string) (*blockDeflater, error)) (*ArrayWriter[T], error) {
	want, err := count(key, shape)
	if err != nil {
		if w.done {
			return nil, ErrWriterDone
		}
		return nil, w.fail(err)
	}
	d, err := open(key)
	if err != nil {
		return nil, err
	}
	descr, size := descrOf[T]()
	d.ints = isInts(descr, size)
	if _, err := d.Write(npyHeader(descr, shape)); err != nil {
		return nil, w.fail(fmt.Errorf("npz: array %q: %w", key, err))
	}
	return &ArrayWriter[T]{w: w, d: d, key: key, shape: append([]int(nil), shape...), want: want}, nil
}

// Write appends chunk to the array. Writing more values than the shape
// holds is an error.
func (a *ArrayWriter[T]) Write(chunk []T) error {
	w := a.w
	switch {
	case w.done:
		return ErrWriterDone
	case w.err != nil:
		return w.err
	case a.closed:
		return w.fail(fmt.Errorf("npz: array %q written after Close", a.key))
	case int64(len(chunk)) > a.want-a.n:
		return w.fail(fmt.Errorf("npz: array %q: more than the %d values of shape %v", a.key, a.want, a.shape))
	}
	if err := writeValues(a.d, chunk, &w.scratch); err != nil {
		return w.fail(fmt.Errorf("npz: array %q: %w", a.key, err))
	}
	a.n += int64(len(chunk))
	return nil
}

// Close ends the array. It is an error if fewer values were written than
// the shape holds.
func (a *ArrayWriter[T]) Close() error {
	w := a.w
	switch {
	case w.done:
		return ErrWriterDone
	case w.err != nil:
		return w.err
	case a.closed:
		return nil
	}
	a.closed = true
	if a.held != nil {
		return a.closeDeferred()
	}
	if a.n != a.want {
		w.open = ""
		return w.fail(fmt.Errorf("npz: array %q: %d values written, shape %v holds %d", a.key, a.n, a.shape, a.want))
	}
	return w.endEntry(a.key, a.d)
}

// Commit ends the archive: it writes the zip directory and, for a Writer
// made by Create, syncs the file and renames it into place. On error
// nothing is left at the path of Create (an older file there is kept).
// After Commit the Writer is done; Abort then does nothing.
func (w *Writer) Commit() error {
	if w.done {
		return ErrWriterDone
	}
	if w.err == nil && w.open != "" {
		w.fail(fmt.Errorf("npz: array %q not closed before Commit", w.open))
	}
	for _, key := range w.deferred {
		w.fail(fmt.Errorf("npz: array %q not closed before Commit", key))
	}
	if w.err != nil {
		w.Abort()
		return w.err
	}
	w.done = true
	if err := w.zw.Close(); err != nil {
		w.err = fmt.Errorf("npz: %w", err)
		if w.file != nil {
			w.file.Abort()
		}
		return w.err
	}
	if w.file != nil {
		if err := w.file.Commit(); err != nil {
			w.err = fmt.Errorf("npz: %w", err)
			return w.err
		}
	}
	return nil
}

// Abort abandons the archive; for a Writer made by Create it removes the
// temporary file and leaves the path untouched. After Commit it does
// nothing, so "defer w.Abort()" is the usual pattern.
func (w *Writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	if w.file != nil {
		return w.file.Abort()
	}
	return nil
}
