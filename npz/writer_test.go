package npz

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	snpz "codeberg.org/sbinet/npyio/npz"
)

// writeAll writes one array of every supported kind: each element type in
// 1-D, 2-D and 0-d form, a streamed array and strings.
func writeAll(t *testing.T, w *Writer) {
	t.Helper()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(WriteArray(w, "f4", []int{2, 3}, []float32{0, 1.5, -2, float32(math.Inf(1)), 1e-30, 3}))
	check(w.SetLevel(flate.HuffmanOnly))
	check(WriteArray(w, "f8", []int{3}, []float64{math.Pi, math.Copysign(0, -1), 1e300}))
	check(w.SetLevel(flate.DefaultCompression))
	check(WriteArray(w, "i8", []int{2}, []int64{math.MinInt64, math.MaxInt64}))
	check(w.SetLevel(flate.BestSpeed))
	check(WriteArray(w, "i4", []int{1, 2}, []int32{math.MinInt32, 7}))
	check(WriteArray(w, "i2", []int{2}, []int16{-300, 300}))
	check(WriteArray(w, "i1", []int{3}, []int8{-1, 0, 1}))
	check(WriteArray(w, "u8", []int{1}, []uint64{math.MaxUint64}))
	check(WriteArray(w, "u4", []int{1}, []uint32{math.MaxUint32}))
	check(WriteArray(w, "u2", []int{2}, []uint16{0, 65535}))
	check(WriteArray(w, "u1", []int{2, 2}, []uint8{0, 1, 254, 255}))
	check(WriteArray(w, "b1", []int{3}, []bool{true, false, true}))
	check(WriteArray(w, "empty", []int{0, 4}, []float64{}))
	check(WriteScalar(w, "seed", int64(42)))
	check(WriteScalar(w, "ratio", 0.25))
	check(w.WriteStrings("names", []string{"E0", "I12", "µ-é"}))
	check(w.WriteStrings("none", nil))
	check(w.WriteString("mode", "sparse"))
	// A (5, 7) uint8 array streamed in uneven chunks.
	a, err := BeginArray[uint8](w, "states", 5, 7)
	check(err)
	for i := 0; i < 35; {
		n := min(1+i%4, 35-i)
		chunk := make([]uint8, n)
		for j := range chunk {
			chunk[j] = uint8((i + j) % 2)
		}
		check(a.Write(chunk))
		i += n
	}
	check(a.Close())
}

// TestWriterRoundTrip writes every kind of array and reads it back with
// npyio's reader, an independent decoder.
func TestWriterRoundTrip(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "all.npz")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	writeAll(t, w)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	f, err := snpz.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	wantKeys := []string{"b1.npy", "empty.npy", "f4.npy", "f8.npy", "i1.npy", "i2.npy", "i4.npy", "i8.npy",
		"mode.npy", "names.npy", "none.npy", "ratio.npy", "seed.npy", "states.npy", "u1.npy", "u2.npy", "u4.npy", "u8.npy"}
	keys := f.Keys()
	slices.Sort(keys)
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("keys = %v, want %v", keys, wantKeys)
	}
	states := make([]uint8, 35)
	for i := range states {
		states[i] = uint8(i % 2)
	}
	for _, tc := range []struct {
		key   string
		descr string
		shape []int
		ptr   any // where to read
		want  any
	}{
		{"f4", "<f4", []int{2, 3}, new([]float32), []float32{0, 1.5, -2, float32(math.Inf(1)), 1e-30, 3}},
		{"f8", "<f8", []int{3}, new([]float64), []float64{math.Pi, math.Copysign(0, -1), 1e300}},
		{"i8", "<i8", []int{2}, new([]int64), []int64{math.MinInt64, math.MaxInt64}},
		{"i4", "<i4", []int{1, 2}, new([]int32), []int32{math.MinInt32, 7}},
		{"i2", "<i2", []int{2}, new([]int16), []int16{-300, 300}},
		{"i1", "|i1", []int{3}, new([]int8), []int8{-1, 0, 1}},
		{"u8", "<u8", []int{1}, new([]uint64), []uint64{math.MaxUint64}},
		{"u4", "<u4", []int{1}, new([]uint32), []uint32{math.MaxUint32}},
		{"u2", "<u2", []int{2}, new([]uint16), []uint16{0, 65535}},
		{"u1", "|u1", []int{2, 2}, new([]uint8), []uint8{0, 1, 254, 255}},
		{"b1", "|b1", []int{3}, new([]bool), []bool{true, false, true}},
		{"seed", "<i8", nil, new(int64), int64(42)},
		{"ratio", "<f8", nil, new(float64), 0.25},
		{"names", "<U3", []int{3}, new([]string), []string{"E0", "I12", "µ-é"}},
		{"mode", "<U6", nil, nil, nil},
		{"states", "|u1", []int{5, 7}, new([]uint8), states},
		{"empty", "<f8", []int{0, 4}, nil, nil},
		{"none", "<U1", []int{0}, nil, nil},
	} {
		h := f.Header(tc.key + ".npy")
		if h == nil {
			t.Errorf("%s: no header", tc.key)
			continue
		}
		if d := strings.Trim(h.Descr.Type, `'"`); d != tc.descr || !reflect.DeepEqual(h.Descr.Shape, tc.shape) || h.Descr.Fortran {
			t.Errorf("%s: header %s %v fortran=%v, want %s %v", tc.key, d, h.Descr.Shape, h.Descr.Fortran, tc.descr, tc.shape)
		}
		if tc.ptr == nil {
			continue
		}
		if err := f.Read(tc.key+".npy", tc.ptr); err != nil {
			t.Errorf("%s: %v", tc.key, err)
			continue
		}
		got := reflect.ValueOf(tc.ptr).Elem().Interface()
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s = %v, want %v", tc.key, got, tc.want)
		}
	}
	// -0 survives bit for bit.
	var f8 []float64
	if err := f.Read("f8.npy", &f8); err != nil || !math.Signbit(f8[1]) {
		t.Error("f8[1]: -0 lost its sign")
	}
}

// TestWriterLayout checks the bytes numpy depends on: deflate entries,
// .npy version 1.0 headers whose data starts on a multiple of 64 bytes,
// and identical output for identical input.
func TestWriterLayout(t *testing.T) {
	t.Parallel()
	write := func() []byte {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		writeAll(t, w)
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	b := write()
	if !bytes.Equal(b, write()) {
		t.Error("two writes of the same arrays differ")
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Method != zip.Deflate {
			t.Errorf("%s: method %d, want deflate", f.Name, f.Method)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(data[:8]) != "\x93NUMPY\x01\x00" {
			t.Errorf("%s: magic and version %q", f.Name, data[:8])
			continue
		}
		hlen := int(data[8]) | int(data[9])<<8
		if (10+hlen)%64 != 0 || data[10+hlen-1] != '\n' {
			t.Errorf("%s: header of %d bytes: data at %d, want a multiple of 64 after a newline", f.Name, hlen, 10+hlen)
		}
	}
}

// TestWriterErrors checks that every misuse is an error naming the array,
// that the error is sticky and that Commit then fails without leaving a
// file.
func TestWriterErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		do   func(w *Writer) error
		want string
	}{
		{"short data", func(w *Writer) error { return WriteArray(w, "x", []int{2, 2}, []int32{1, 2, 3}) }, `"x": 3 values for shape [2 2]`},
		{"negative dimension", func(w *Writer) error { return WriteArray(w, "x", []int{-1}, []int32{}) }, `"x": negative dimension`},
		{"overflowing shape", func(w *Writer) error { _, err := BeginArray[int8](w, "x", math.MaxInt, math.MaxInt, 3); return err }, `"x": shape`}, // beyond int64 on 32-bit platforms too
		{"duplicate", func(w *Writer) error {
			WriteScalar(w, "x", 1.0)
			return WriteScalar(w, "x", 2.0)
		}, `"x" written twice`},
		{"empty name", func(w *Writer) error { return WriteScalar(w, "", 1.0) }, "empty array name"},
		{"bad level", func(w *Writer) error { return w.SetLevel(10) }, "compression level 10"},
		{"bad UTF-8", func(w *Writer) error { return w.WriteStrings("s", []string{"a", "\xff"}) }, `"s": element 1`},
		{"too many", func(w *Writer) error {
			a, _ := BeginArray[uint8](w, "x", 2)
			a.Write([]uint8{1})
			return a.Write([]uint8{1, 1})
		}, `"x": more than the 2 values`},
		{"too few", func(w *Writer) error {
			a, _ := BeginArray[uint8](w, "x", 2)
			a.Write([]uint8{1})
			return a.Close()
		}, `"x": 1 values written, shape [2] holds 2`},
		{"overlapping", func(w *Writer) error {
			BeginArray[uint8](w, "x", 2)
			return WriteScalar(w, "y", 1.0)
		}, `"y" started before array "x" was closed`},
		{"not closed", func(w *Writer) error {
			BeginArray[uint8](w, "x", 2)
			return nil
		}, `"x" not closed before Commit`},
		{"deferred not closed", func(w *Writer) error {
			BeginDeferred[int64](w, "x", 2)
			return nil
		}, `"x" not closed before Commit`},
		{"deferred closed while streaming", func(w *Writer) error {
			d, _ := BeginDeferred[int64](w, "x", 1)
			BeginArray[uint8](w, "y", 2)
			d.Write([]int64{1})
			return d.Close()
		}, `"x" closed while array "y" is open`},
		{"deferred too few", func(w *Writer) error {
			d, _ := BeginDeferred[int64](w, "x", 2)
			d.Write([]int64{1})
			return d.Close()
		}, `"x": 1 values written, shape [2] holds 2`},
		{"deferred duplicate", func(w *Writer) error {
			_, err := BeginDeferred[int64](w, "ok", 2)
			return err
		}, `"ok" written twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			w, err := Create(filepath.Join(dir, "bad.npz"))
			if err != nil {
				t.Fatal(err)
			}
			if err := WriteScalar(w, "ok", int64(1)); err != nil {
				t.Fatal(err)
			}
			first := tc.do(w)
			if first != nil && !strings.Contains(first.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", first, tc.want)
			}
			err = w.Commit()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Commit: %v, want the error %q", err, tc.want)
			}
			if err := WriteScalar(w, "z", 1.0); !errors.Is(err, ErrWriterDone) {
				t.Errorf("write after Commit: %v, want ErrWriterDone", err)
			}
			if es, _ := os.ReadDir(dir); len(es) != 0 {
				t.Errorf("failed archive left %d files", len(es))
			}
		})
	}
}

// TestWriterStreamsWithoutCopy writes arrays of 32 and 128 MiB in 1 MiB
// chunks and checks that the writer's allocations do not grow with the
// array: it holds no copy of it, only a few compression blocks. (Not
// parallel: it reads the process's allocation counter.)
func TestWriterStreamsWithoutCopy(t *testing.T) {
	const chunk = 1 << 20
	data := make([]uint8, chunk)
	for i := range data {
		data[i] = uint8(i * 7 % 2)
	}
	alloc := func(chunks int) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		w := NewWriter(io.Discard)
		a, err := BeginArray[uint8](w, "states", chunks, chunk)
		if err != nil {
			t.Fatal(err)
		}
		for range chunks {
			if err := a.Write(data); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	small, large := alloc(32), alloc(128)
	// At most 5 blocks of 1 MiB in flight, each with its compressor and
	// output buffer (about 3 MiB together); a copy of the array would be
	// 128 MiB.
	if large > 24<<20 {
		t.Errorf("writing 128 MiB allocated %d bytes, want < 24 MiB", large)
	}
	if large > small+4<<20 {
		t.Errorf("allocations grow with the array: %d bytes for 32 MiB, %d for 128 MiB", small, large)
	}
}

// pythonNumPy returns the first python3 on the PATH that imports numpy,
// or skips the test.
func pythonNumPy(t *testing.T) string {
	t.Helper()
	for _, dir := range filepath.SplitList(os.Getenv("PATH")) {
		py := filepath.Join(dir, "python3")
		if fi, err := os.Stat(py); err != nil || fi.IsDir() {
			continue
		}
		if exec.Command(py, "-c", "import numpy").Run() == nil {
			return py
		}
	}
	t.Skip("no python3 with numpy on the PATH: skipping the check against numpy")
	return ""
}

// loadScript prints, for every array of the archive, its dtype string,
// shape and values as JSON.
const loadScript = `
import json, sys, numpy as np
out = {}
with np.load(sys.argv[1]) as d:
    for k in d.files:
        a = d[k]
        v = a.tolist()
        if a.dtype.kind == "f":
            v = np.asarray(a, dtype=np.float64).ravel().tolist()
            v = [x if np.isfinite(x) else repr(x) for x in v]
        out[k] = {"dtype": a.dtype.str, "shape": list(a.shape), "value": v}
json.dump(out, sys.stdout)
`

// TestWriterNumPy loads the archive with numpy itself.
func TestWriterNumPy(t *testing.T) {
	t.Parallel()
	py := pythonNumPy(t)
	path := filepath.Join(t.TempDir(), "all.npz")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	writeAll(t, w)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", loadScript, path).Output()
	if err != nil {
		t.Fatalf("numpy.load: %v", err)
	}
	type array struct {
		Dtype string
		Shape []int
		Value any
	}
	var got map[string]array
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	statesRows := make([]any, 5)
	for i := range statesRows {
		row := make([]any, 7)
		for j := range row {
			row[j] = float64((7*i + j) % 2)
		}
		statesRows[i] = row
	}
	for key, want := range map[string]array{
		"f4":     {"<f4", []int{2, 3}, []any{0.0, 1.5, -2.0, "inf", float64(float32(1e-30)), 3.0}},
		"f8":     {"<f8", []int{3}, []any{math.Pi, 0.0, 1e300}},
		"i8":     {"<i8", []int{2}, []any{float64(math.MinInt64), float64(math.MaxInt64)}},
		"i4":     {"<i4", []int{1, 2}, []any{[]any{float64(math.MinInt32), 7.0}}},
		"i2":     {"<i2", []int{2}, []any{-300.0, 300.0}},
		"i1":     {"|i1", []int{3}, []any{-1.0, 0.0, 1.0}},
		"u8":     {"<u8", []int{1}, []any{float64(math.MaxUint64)}},
		"u4":     {"<u4", []int{1}, []any{float64(math.MaxUint32)}},
		"u2":     {"<u2", []int{2}, []any{0.0, 65535.0}},
		"u1":     {"|u1", []int{2, 2}, []any{[]any{0.0, 1.0}, []any{254.0, 255.0}}},
		"b1":     {"|b1", []int{3}, []any{true, false, true}},
		"seed":   {"<i8", []int{}, 42.0},
		"ratio":  {"<f8", []int{}, []any{0.25}},
		"names":  {"<U3", []int{3}, []any{"E0", "I12", "µ-é"}},
		"none":   {"<U1", []int{0}, []any{}},
		"mode":   {"<U6", []int{}, "sparse"},
		"empty":  {"<f8", []int{0, 4}, []any{}},
		"states": {"|u1", []int{5, 7}, statesRows},
	} {
		g, ok := got[key]
		if !ok {
			t.Errorf("numpy finds no array %q", key)
			continue
		}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("numpy reads %s as %+v, want %+v", key, g, want)
		}
	}
	if len(got) != 18 {
		t.Errorf("numpy finds %d arrays, want 18", len(got))
	}
}

// TestWriterZip64 writes an array of more than 4 GiB, which needs the
// zip64 format, and checks the archive with Go's zip reader and, where it
// exists, Python's. It takes tens of seconds and 4 GiB of reading, so it
// runs only with BINARYNET_TEST_ZIP64=1.
func TestWriterZip64(t *testing.T) {
	if os.Getenv("BINARYNET_TEST_ZIP64") != "1" {
		t.Skip("set BINARYNET_TEST_ZIP64=1 to write and check a 4 GiB entry")
	}
	const rows, cols = 1 << 16, 1<<16 + 16 // 4 GiB + 1 MiB
	path := filepath.Join(t.TempDir(), "big.npz")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	a, err := BeginArray[uint8](w, "neuron_states", rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	row := make([]uint8, cols)
	for i := range rows {
		row[i%cols] = 1
		if err := a.Write(row); err != nil {
			t.Fatal(err)
		}
		row[i%cols] = 0
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := WriteScalar(w, "after", int64(7)); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	f := zr.File[0]
	if f.UncompressedSize64 <= math.MaxUint32 {
		t.Fatalf("entry size %d, want more than 4 GiB", f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, rc) // checks the CRC at the end
	rc.Close()
	if err != nil || uint64(n) != f.UncompressedSize64 {
		t.Fatalf("read %d of %d bytes: %v", n, f.UncompressedSize64, err)
	}
	py := pythonNumPy(t)
	script := `
import sys, zipfile, numpy as np
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    with z.open("neuron_states.npy") as f:
        np.lib.format.read_magic(f)
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        print(shape, dtype.str, np.load(z.open("after.npy")).item())
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	if want := "(65536, 65552) |u1 7"; strings.TrimSpace(string(out)) != want {
		t.Errorf("python reads %q, want %q", out, want)
	}
}

// TestWriterBlocks writes an array of several compression blocks, at
// every level, and reads it back with Go's zip reader (which checks the
// CRC) and, where it exists, numpy; the output must not depend on the
// number of processors nor on SetConcurrency.
func TestWriterBlocks(t *testing.T) {
	const n = 900_000 // 3.4 MiB of int32: four blocks, the last one partial
	data := make([]int32, n)
	x := uint32(1)
	for i := range data {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		data[i] = int32(x % 10_000)
	}
	write := func(level, busy int) []byte {
		var buf bytes.Buffer
		w := NewWriter(&buf)
		w.SetConcurrency(busy)
		if err := w.SetLevel(level); err != nil {
			t.Fatal(err)
		}
		// Chunks that do not divide the block size.
		a, err := BeginArray[int32](w, "ids", n)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < n; i += 77_777 {
			if err := a.Write(data[i:min(i+77_777, n)]); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Close(); err != nil {
			t.Fatal(err)
		}
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, level := range []int{flate.NoCompression, flate.HuffmanOnly, flate.BestSpeed, flate.DefaultCompression} {
		b := write(level, 0)
		prev := runtime.GOMAXPROCS(1)
		one := write(level, 0)
		runtime.GOMAXPROCS(prev)
		if !bytes.Equal(b, one) {
			t.Errorf("level %d: output differs with GOMAXPROCS=1", level)
		}
		for _, busy := range []int{1, 3} {
			if !bytes.Equal(b, write(level, busy)) {
				t.Errorf("level %d: output differs with SetConcurrency(%d)", level, busy)
			}
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(rc) // fails on a bad checksum
		rc.Close()
		if err != nil {
			t.Fatalf("level %d: %v", level, err)
		}
		if uint64(len(raw)) != zr.File[0].UncompressedSize64 || len(raw) != 128+4*n {
			t.Fatalf("level %d: %d bytes, directory says %d, want %d", level, len(raw), zr.File[0].UncompressedSize64, 128+4*n)
		}
		for i, v := range data {
			if got := int32(uint32(raw[128+4*i]) | uint32(raw[129+4*i])<<8 | uint32(raw[130+4*i])<<16 | uint32(raw[131+4*i])<<24); got != v {
				t.Fatalf("level %d: value %d = %d, want %d", level, i, got, v)
			}
		}
	}
	py := pythonNumPy(t)
	path := filepath.Join(t.TempDir(), "ids.npz")
	if err := os.WriteFile(path, write(flate.BestSpeed, 0), 0o600); err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, v := range data {
		sum += int64(v)
	}
	out, err := exec.Command(py, "-c", `import sys, numpy as np; a = np.load(sys.argv[1])["ids"]; print(a.dtype.str, a.shape[0], int(a.sum(dtype=np.int64)))`, path).CombinedOutput()
	if err != nil {
		t.Fatalf("numpy: %v\n%s", err, out)
	}
	if want := fmt.Sprintf("<i4 %d %d", n, sum); strings.TrimSpace(string(out)) != want {
		t.Errorf("numpy reads %q, want %q", out, want)
	}
}

// TestWriteUnitIDs writes random unit ids with WriteUnitIDs and then an
// array of zeros, and checks the ids read back, and that the zeros were
// compressed at the default level again (Huffman codes alone cannot make
// a byte smaller than one bit: 1/8 of its size).
func TestWriteUnitIDs(t *testing.T) {
	ids := make([]int32, 100_000)
	for i := range ids {
		ids[i] = int32((i * 7919) % 10_000)
	}
	var buf bytes.Buffer
	w := NewWriter(&buf)
	if err := WriteUnitIDs(w, "ids", []int{1, len(ids)}, ids); err != nil {
		t.Fatal(err)
	}
	if err := WriteArray(w, "zeros", []int{1 << 16}, make([]uint8, 1<<16)); err != nil {
		t.Fatal(err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	want := npyHeader("<i4", []int{1, len(ids)})
	for _, id := range ids {
		want = append(want, byte(id), byte(id>>8), byte(id>>16), byte(id>>24))
	}
	if !bytes.Equal(got, want) {
		t.Error("ids read back differ")
	}
	if c := zr.File[1].CompressedSize64; c >= 1<<16/8 {
		t.Errorf("zeros compressed to %d bytes: not at flate.BestSpeed", c)
	}
}
