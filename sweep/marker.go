package sweep

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

// MarkerName is the completion marker of a task folder, written last.
const MarkerName = "task_done.json"

// SummaryName is the task summary (provenance and metrics) of a task
// folder.
const SummaryName = "task_summary.json"

// marker is the content of a completion marker: which task completed and
// the size and SHA-256 of each of its files, itself checksummed.
type marker struct {
	Index   int                  `json:"index"`
	Tag     string               `json:"tag"`
	LineSum string               `json:"line_sum"` // Task.Sum of the task line
	Files   map[string]fileEntry `json:"files"`    // slash path -> entry
	Sum     string               `json:"sum"`      // SHA-256 of the marker with Sum empty
}

// fileEntry is one output file in a marker.
type fileEntry struct {
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// digest returns the checksum of m with its Sum empty.
func (m marker) digest() string {
	m.Sum = ""
	b, _ := json.Marshal(m) // a struct of strings, ints and a map: cannot fail
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// manifest returns the size and SHA-256 of every regular file under dir
// (slash paths relative to dir), except the marker.
func manifest(dir string) (map[string]fileEntry, error) {
	files := map[string]fileEntry{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if rel == MarkerName {
			return nil
		}
		if !d.Type().IsRegular() {
			return corruptError("%s is not a regular file", p)
		}
		size, sum, err := fileSHA256(p)
		if err != nil {
			return err
		}
		files[rel] = fileEntry{size, sum}
		return nil
	})
	return files, err
}

// State is the state of a task's folder.
type State int

const (
	// Missing: no completion marker, the task has not finished.
	Missing State = iota
	// Done: the marker is valid and every file matches it.
	Done
	// Corrupt: a marker exists but it, or a file it lists, is damaged,
	// or it belongs to another task line.
	Corrupt
)

// String returns missing, done or corrupt.
func (s State) String() string {
	return [...]string{"missing", "done", "corrupt"}[s]
}

// Check returns the state of task t's folder. For Corrupt, the error says
// what is wrong; for Missing it is nil.
func (f *File) Check(t Task) (State, error) {
	dir := f.TaskDir(t)
	data, err := os.ReadFile(filepath.Join(dir, MarkerName))
	if errors.Is(err, fs.ErrNotExist) {
		return Missing, nil
	}
	if err != nil {
		return Corrupt, corruptError("task %d: marker: %v", t.Index, err)
	}
	var m marker
	if err := json.Unmarshal(data, &m); err != nil {
		return Corrupt, corruptError("task %d: marker %s is not valid: %v", t.Index, filepath.Join(dir, MarkerName), err)
	}
	if m.Sum != m.digest() {
		return Corrupt, corruptError("task %d: marker %s does not match its checksum", t.Index, filepath.Join(dir, MarkerName))
	}
	if m.Index != t.Index || m.Tag != t.Tag || m.LineSum != t.Sum {
		return Corrupt, corruptError("task %d: marker %s is of another task line (index %d, tag %s)", t.Index, filepath.Join(dir, MarkerName), m.Index, m.Tag)
	}
	if _, ok := m.Files[SummaryName]; !ok {
		return Corrupt, corruptError("task %d: marker lists no %s", t.Index, SummaryName)
	}
	for _, name := range slices.Sorted(maps.Keys(m.Files)) {
		want := m.Files[name]
		p := filepath.Join(dir, filepath.FromSlash(name))
		size, sum, err := fileSHA256(p)
		if err != nil {
			return Corrupt, corruptError("task %d: output %s: %v", t.Index, p, err)
		}
		if size != want.Size || sum != want.SHA256 {
			return Corrupt, corruptError("task %d: output %s does not match the marker (size %d, want %d; SHA-256 differs: %v)",
				t.Index, p, size, want.Size, sum != want.SHA256)
		}
	}
	return Done, nil
}
