package pipeline

import (
	"io"
	"os"
	"path/filepath"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/internal/atomicfile"
	"github.com/binarynet/binarynet/npz"
)

// outputs holds the files of a run until the run has succeeded: archives
// streamed into temporary files, and small files in memory. commit puts
// them in place in the order they were added; abort discards them.
type outputs struct {
	dir     string
	workers int // compressing goroutines per archive; 0: npz's default
	pending []pending
	done    []string // paths committed so far
}

// pending is one file of the run: an archive still open, or bytes.
type pending struct {
	name    string
	archive *npz.Writer
	data    []byte
}

// record is what a run recorded, for the writers of the outputs.
type record struct {
	job     *Job
	pops    []population
	initial []int8
	log     binarynet.DiffLog
	ramGB   float64 // the memory budget of the helpers that allocate
	// fields is the field log of binary.field_log (when set) and drive
	// the external drive m_X J_X of the E and the I units.
	fields *binarynet.FieldLog
	drive  [2]float64
}

// archive starts the archive name in the folder.
func (o *outputs) archive(name string) (*npz.Writer, error) {
	w, err := npz.Create(filepath.Join(o.dir, name))
	if err != nil {
		return nil, err
	}
	w.SetConcurrency(o.workers)
	o.pending = append(o.pending, pending{name: name, archive: w})
	return w, nil
}

// file adds a small file with its content.
func (o *outputs) file(name string, data []byte) {
	o.pending = append(o.pending, pending{name: name, data: data})
}

// commit writes the small files and renames the archives into place, in
// order. If one fails, the files already committed are removed again.
func (o *outputs) commit() error {
	for i, p := range o.pending {
		path := filepath.Join(o.dir, p.name)
		var err error
		if p.archive != nil {
			err = p.archive.Commit()
		} else {
			data := p.data
			err = atomicfile.WriteFile(path, 0o644, func(w io.Writer) error {
				_, err := w.Write(data)
				return err
			})
		}
		if err != nil {
			for _, q := range o.pending[i+1:] {
				if q.archive != nil {
					q.archive.Abort()
				}
			}
			for _, d := range o.done {
				os.Remove(d)
			}
			o.pending, o.done = nil, nil
			return err
		}
		o.done = append(o.done, path)
	}
	return nil
}

// abort discards every file not yet committed.
func (o *outputs) abort() {
	for _, p := range o.pending {
		if p.archive != nil {
			p.archive.Abort()
		}
	}
	o.pending = nil
}

// names returns the names of the files, in the order written.
func (o *outputs) names() []string {
	out := make([]string, len(o.pending))
	for i, p := range o.pending {
		out[i] = p.name
	}
	return out
}
