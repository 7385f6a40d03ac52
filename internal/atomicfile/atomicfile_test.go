package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var errInjected = errors.New("injected failure")

// faultyTemp is a real temporary file whose operations fail on request.
type faultyTemp struct {
	*os.File
	fail string
}

func (t *faultyTemp) Write(p []byte) (int, error) {
	if t.fail == "write" {
		// A short write, as a full disk gives.
		n, _ := t.File.Write(p[:len(p)/2])
		return n, errInjected
	}
	return t.File.Write(p)
}

func (t *faultyTemp) Chmod(m os.FileMode) error {
	if t.fail == "chmod" {
		return errInjected
	}
	return t.File.Chmod(m)
}

func (t *faultyTemp) Sync() error {
	if t.fail == "sync" {
		return errInjected
	}
	return t.File.Sync()
}

func (t *faultyTemp) Close() error {
	err := t.File.Close()
	if t.fail == "close" {
		t.fail = ""
		return errInjected
	}
	return err
}

// faultyOps returns the real operations with the one named step failing.
func faultyOps(fail string) ops {
	o := osOps
	o.createTemp = func(dir, pattern string) (tempFile, error) {
		if fail == "create" {
			return nil, errInjected
		}
		f, err := os.CreateTemp(dir, pattern)
		if err != nil {
			return nil, err
		}
		return &faultyTemp{File: f, fail: fail}, nil
	}
	o.rename = func(from, to string) error {
		if fail == "rename" {
			return errInjected
		}
		return os.Rename(from, to)
	}
	o.syncDir = func(dir string) error {
		if fail == "syncdir" {
			return errInjected
		}
		return syncDir(dir)
	}
	return o
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// TestWriteFileFailures makes each step of an atomic write fail in turn
// and checks that the old file survives intact and no temporary file is
// left, except for a failed directory sync, after which the new file is
// in place and the error is still reported.
func TestWriteFileFailures(t *testing.T) {
	old := []byte("old content\n")
	// Larger than the buffer, so that writes reach the file before Commit.
	content := bytes.Repeat([]byte("new content "), 2*bufferSize/12)
	for _, tc := range []struct {
		fail    string
		fillErr bool
		wantNew bool // target holds the new content afterwards
	}{
		{fail: "create"},
		{fail: "write"},
		{fail: "fill", fillErr: true},
		{fail: "chmod"},
		{fail: "sync"},
		{fail: "close"},
		{fail: "rename"},
		{fail: "syncdir", wantNew: true},
		{fail: "", wantNew: true},
	} {
		t.Run("fail="+tc.fail, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "out.bin")
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			err := writeFile(path, 0o644, func(w io.Writer) error {
				if _, err := w.Write(content); err != nil {
					return err
				}
				if tc.fillErr {
					return errInjected
				}
				return nil
			}, faultyOps(tc.fail))
			switch {
			case tc.fail == "" && err != nil:
				t.Fatalf("WriteFile: %v", err)
			case tc.fail != "" && !errors.Is(err, errInjected):
				t.Fatalf("WriteFile error = %v, want the injected failure", err)
			}
			if tc.fail != "" && tc.fail != "fill" && !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the path", err)
			}
			got, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatal(rerr)
			}
			want := old
			if tc.wantNew {
				want = content
			}
			if !bytes.Equal(got, want) {
				t.Errorf("target holds %d bytes, want %d (new=%v)", len(got), len(want), tc.wantNew)
			}
			if names := dirEntries(t, dir); len(names) != 1 || names[0] != "out.bin" {
				t.Errorf("directory holds %q, want only out.bin", names)
			}
			if tc.wantNew {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o644 {
					t.Errorf("mode = %v, want 0644", fi.Mode().Perm())
				}
			}
		})
	}
}

// TestCreateAbort checks that an aborted or merely closed File leaves no
// trace and that a committed one is not undone by a deferred Abort.
func TestCreateAbort(t *testing.T) {
	for _, end := range []string{"abort", "close", "commit"} {
		t.Run(end, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "x.npz")
			f, err := Create(path, 0o600)
			if err != nil {
				t.Fatal(err)
			}
			if f.Name() != path {
				t.Errorf("Name() = %q, want %q", f.Name(), path)
			}
			if _, err := f.Write([]byte("abc")); err != nil {
				t.Fatal(err)
			}
			if names := dirEntries(t, dir); len(names) != 1 || !strings.HasPrefix(names[0], ".x.npz.tmp-") {
				t.Errorf("while writing, directory holds %q, want one temporary file", names)
			}
			switch end {
			case "abort":
				err = f.Abort()
			case "close":
				err = f.Close()
			case "commit":
				err = f.Commit()
			}
			if err != nil {
				t.Fatalf("%s: %v", end, err)
			}
			if err := f.Abort(); err != nil {
				t.Errorf("second Abort: %v", err)
			}
			if _, err := f.Write([]byte("d")); !errors.Is(err, ErrClosed) {
				t.Errorf("Write after %s: %v, want ErrClosed", end, err)
			}
			if err := f.Commit(); !errors.Is(err, ErrClosed) {
				t.Errorf("Commit after %s: %v, want ErrClosed", end, err)
			}
			names := dirEntries(t, dir)
			if end == "commit" {
				got, err := os.ReadFile(path)
				if err != nil || string(got) != "abc" {
					t.Errorf("after commit: %q, %v; want \"abc\"", got, err)
				}
				if len(names) != 1 {
					t.Errorf("directory holds %q, want only x.npz", names)
				}
			} else if len(names) != 0 {
				t.Errorf("after %s directory holds %q, want nothing", end, names)
			}
		})
	}
}

// TestCreateBadPath checks the errors for a path that cannot be written.
func TestCreateBadPath(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	if err := os.WriteFile(plain, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		dir + string(filepath.Separator), // names a directory
		filepath.Join(dir, "missing", "f"),
		filepath.Join(plain, "f"), // parent is a plain file
	} {
		if f, err := Create(path, 0o644); err == nil {
			f.Abort()
			t.Errorf("Create(%q) succeeded", path)
		} else if !strings.Contains(err.Error(), path) {
			t.Errorf("Create(%q) error %q does not name the path", path, err)
		}
	}
	// Renaming over a directory fails and leaves the directory.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(sub, 0o644, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	if err == nil {
		t.Fatal("WriteFile over a directory succeeded")
	}
	if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
		t.Errorf("directory replaced: %v, %v", fi, err)
	}
	if names := dirEntries(t, dir); len(names) != 2 {
		t.Errorf("directory holds %q, want plain and sub", names)
	}
}
