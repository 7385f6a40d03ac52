package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
)

// ErrClosed is returned by Write and Commit on a File that has already
// been committed or aborted.
var ErrClosed = errors.New("atomicfile: file already committed or aborted")

// bufferSize is the size of a File's write buffer.
const bufferSize = 64 << 10

// ops are the file-system operations a File performs, so that tests can
// make each of them fail.
type ops struct {
	createTemp func(dir, pattern string) (tempFile, error)
	rename     func(from, to string) error
	remove     func(name string) error
	syncDir    func(dir string) error
}

// tempFile is the part of *os.File a File uses.
type tempFile interface {
	io.Writer
	Name() string
	Chmod(mode os.FileMode) error
	Sync() error
	Close() error
}

var osOps = ops{
	createTemp: func(dir, pattern string) (tempFile, error) { return os.CreateTemp(dir, pattern) },
	rename:     os.Rename,
	remove:     os.Remove,
	syncDir:    syncDir,
}

// File is a file being written atomically. Its content becomes visible at
// the target path only when Commit succeeds; Abort (or Close before
// Commit) discards it. A File is not safe for concurrent use.
type File struct {
	path string
	dir  string
	perm os.FileMode
	ops  ops
	tmp  tempFile
	buf  *bufio.Writer
	err  error // first write error, sticky
	done bool  // committed or aborted
}

// Create starts an atomic write of the file at path, which will have
// permission bits perm (exactly, not masked by the umask). The caller
// writes the content with Write and must end with Commit or Abort;
// "defer f.Abort()" right after Create is the usual pattern, as Abort
// after Commit does nothing. Writes are buffered.
func Create(path string, perm os.FileMode) (*File, error) {
	return create(path, perm, osOps)
}

func create(path string, perm os.FileMode, o ops) (*File, error) {
	dir, base := filepath.Split(path)
	if base == "" || base == "." || base == ".." {
		return nil, fmt.Errorf("atomicfile: path %q does not name a file", path)
	}
	if dir == "" {
		dir = "."
	}
	tmp, err := o.createTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("atomicfile: create %s: %w", path, err)
	}
	f := &File{path: path, dir: dir, perm: perm, ops: o, tmp: tmp}
	f.buf = bufio.NewWriterSize(writerFunc(f.writeTemp), bufferSize)
	return f, nil
}

// writerFunc adapts a function to io.Writer.
type writerFunc func(p []byte) (int, error)

func (w writerFunc) Write(p []byte) (int, error) { return w(p) }

func (f *File) writeTemp(p []byte) (int, error) { return f.tmp.Write(p) }

// Name returns the target path given to Create.
func (f *File) Name() string { return f.path }

// Write writes p to the temporary file. After an error every later Write
// and the Commit return that error.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, ErrClosed
	}
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.buf.Write(p)
	if err != nil {
		f.err = fmt.Errorf("atomicfile: write %s: %w", f.path, err)
		return n, f.err
	}
	return n, nil
}

// Commit flushes the content, sets the permission bits, syncs the
// temporary file, renames it over the target and syncs the directory. On
// an error before the rename the target is untouched and the temporary
// file is removed. An error from the final directory sync means the new
// file is in place but its name may not survive a crash. After Commit,
// whatever its result, the File is done: Abort and Close do nothing.
func (f *File) Commit() error {
	if f.done {
		return ErrClosed
	}
	f.done = true
	if err := f.finish(); err != nil {
		f.tmp.Close()
		f.ops.remove(f.tmp.Name())
		return err
	}
	if err := f.ops.syncDir(f.dir); err != nil {
		return fmt.Errorf("atomicfile: sync directory of %s: %w", f.path, err)
	}
	return nil
}

// finish does every step of Commit up to and including the rename.
func (f *File) finish() error {
	if f.err != nil {
		return f.err
	}
	step := func(what string, err error) error {
		if err != nil {
			return fmt.Errorf("atomicfile: %s %s: %w", what, f.path, err)
		}
		return nil
	}
	if err := step("write", f.buf.Flush()); err != nil {
		return err
	}
	if err := step("chmod", f.tmp.Chmod(f.perm)); err != nil {
		return err
	}
	if err := step("sync", f.tmp.Sync()); err != nil {
		return err
	}
	if err := step("close", f.tmp.Close()); err != nil {
		return err
	}
	return step("rename to", f.ops.rename(f.tmp.Name(), f.path))
}

// Abort discards the content: it closes and removes the temporary file
// and leaves the target untouched. After Commit it does nothing and
// returns nil, so it can be deferred.
func (f *File) Abort() error {
	if f.done {
		return nil
	}
	f.done = true
	cerr := f.tmp.Close()
	rerr := f.ops.remove(f.tmp.Name())
	if rerr != nil {
		return fmt.Errorf("atomicfile: remove temporary file of %s: %w", f.path, rerr)
	}
	if cerr != nil {
		return fmt.Errorf("atomicfile: close temporary file of %s: %w", f.path, cerr)
	}
	return nil
}

// Close is Abort: it discards the content unless Commit was called. It
// makes File an io.Closer that never publishes half-written content.
func (f *File) Close() error { return f.Abort() }

// WriteFile writes the file at path atomically with permission bits perm.
// fill writes the content to w (buffered); if fill returns an error, the
// target is untouched, no temporary file is left and that error is
// returned as is.
func WriteFile(path string, perm os.FileMode, fill func(w io.Writer) error) error {
	return writeFile(path, perm, fill, osOps)
}

func writeFile(path string, perm os.FileMode, fill func(w io.Writer) error, o ops) error {
	f, err := create(path, perm, o)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := fill(f); err != nil {
		return err
	}
	return f.Commit()
}

// syncDir syncs the directory dir so that a rename in it is durable.
// Systems that cannot sync a directory (Windows, some file systems) are
// not an error: the file itself is complete either way.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	cerr := d.Close()
	if err != nil {
		if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) {
			return nil
		}
		return err
	}
	return cerr
}
