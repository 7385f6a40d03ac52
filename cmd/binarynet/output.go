package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/binarynet/binarynet/internal/atomicfile"
)

// output is one file of the run, written by a function.
type output struct {
	name  string
	write func(io.Writer) error
}

// checkOutDir checks, before the run, that the outputs can be written to
// dir: it is a directory in which files can be created, or it does not
// exist and its nearest existing parent is such a directory. It creates
// nothing that it does not remove.
func checkOutDir(dir string) error {
	if dir == "" {
		return usagef("-out: empty directory name")
	}
	probe := filepath.Clean(dir)
	for {
		fi, err := os.Stat(probe)
		if err == nil {
			if !fi.IsDir() {
				if probe == filepath.Clean(dir) {
					return usagef("-out %s: not a directory", dir)
				}
				return usagef("-out %s: %s is not a directory", dir, probe)
			}
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return usagef("-out %s: %v", dir, err)
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			return usagef("-out %s: no existing parent directory", dir)
		}
		probe = parent
	}
	// Writable: create and remove a file, as the outputs will.
	f, err := os.CreateTemp(probe, ".binarynet-probe-*")
	if err != nil {
		return usagef("-out %s: cannot create files in %s: %v", dir, probe, errors.Unwrap(err))
	}
	name := f.Name()
	f.Close()
	if err := os.Remove(name); err != nil {
		return usagef("-out %s: %v", dir, err)
	}
	return nil
}

// writeAll writes every output into dir, each atomically through
// internal/atomicfile: all files are written and synced under temporary
// names first, then renamed to their names in order. On an error before
// the renames no output file is created or replaced, and the directories
// that writeAll created are removed again.
func writeAll(dir string, files []output) (err error) {
	created, err := mkdirAll(dir)
	if err != nil {
		for i := len(created) - 1; i >= 0; i-- {
			os.Remove(created[i])
		}
		return err
	}
	var pending []*atomicfile.File
	defer func() {
		for _, f := range pending {
			f.Abort()
		}
		if err != nil {
			for i := len(created) - 1; i >= 0; i-- {
				os.Remove(created[i]) // only empty directories go
			}
		}
	}()
	for _, o := range files {
		f, err := atomicfile.Create(filepath.Join(dir, o.name), 0o644)
		if err != nil {
			return err
		}
		pending = append(pending, f)
		if err := o.write(f); err != nil {
			return fmt.Errorf("%s: %w", o.name, err)
		}
	}
	for len(pending) > 0 {
		if err := pending[0].Commit(); err != nil {
			return err
		}
		pending = pending[1:]
	}
	return nil
}

// mkdirAll creates dir and its missing parents, and returns the ones it
// created, outermost first.
func mkdirAll(dir string) ([]string, error) {
	var missing []string
	for d := filepath.Clean(dir); ; {
		if _, err := os.Stat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	var created []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			for j := len(created) - 1; j >= 0; j-- {
				os.Remove(created[j])
			}
			return nil, err
		}
		created = append(created, missing[i])
	}
	// Make the new entries durable: each created directory is an entry of
	// its parent. (The outputs' own renames sync the innermost one.)
	for _, d := range created {
		if err := syncDir(filepath.Dir(d)); err != nil {
			return created, err
		}
	}
	return created, nil
}

// syncDir syncs the directory dir to stable storage. Systems that cannot
// sync a directory report an error that is ignored: the entries are
// written either way.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	d.Sync()
	return d.Close()
}
