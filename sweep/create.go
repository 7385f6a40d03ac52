package sweep

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Create expands grid into the task file name: it checks every task's
// overrides with r.Plan against the base configuration (the content of
// its file), writes it into the output root as base.yaml, and writes the
// task file. root is the
// output root; empty means a folder beside the task file named after it
// without its extension (tasks.tsv: tasks/). A relative root is recorded
// relative to the task file's folder.
//
// Creating the same sweep again rewrites the same file; a root that already
// holds another sweep's base configuration is an error.
func Create(name, root string, baseData []byte, grid *Grid, r Runner) (*File, error) {
	if strings.ContainsAny(name, "\t\n") {
		return nil, inputError("task file name %q contains a tab or line break", name)
	}
	sets, err := grid.Overrides()
	if err != nil {
		return nil, err
	}
	recorded, err := recordedRoot(name, root)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(baseData)
	f := &File{Path: name, Root: recorded, BaseSHA256: hex.EncodeToString(sum[:]), Swept: grid.SweptKeys()}
	f.Tasks = make([]Task, len(sets))
	byDir := make(map[string]int, len(sets))
	for i, set := range sets {
		p, err := r.Plan(baseData, set)
		if err != nil {
			return nil, fmt.Errorf("task %d (%s): %w", i, joinOverrides(set), err)
		}
		if err := checkDir(p.Dir); err != nil {
			return nil, fmt.Errorf("task %d: %w", i, err)
		}
		if strings.ContainsAny(p.Tag, "\t\n") || p.Tag == "" {
			return nil, fmt.Errorf("task %d: tag %q is empty or contains a tab or line break", i, p.Tag)
		}
		if j, dup := byDir[p.Dir]; dup {
			return nil, inputError("tasks %d (%s) and %d (%s) would share the folder %s: the grid repeats a configuration",
				j, joinOverrides(sets[j]), i, joinOverrides(set), p.Dir)
		}
		byDir[p.Dir] = i
		f.Tasks[i] = Task{Index: i, Overrides: set, Dir: p.Dir, Tag: p.Tag}
	}
	text := f.Marshal()

	rootDir := f.RootDir()
	if err := os.MkdirAll(rootDir, 0o755); err != nil {
		return nil, fmt.Errorf("output root: %w", err)
	}
	copyPath := f.BasePath()
	old, err := os.ReadFile(copyPath)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := writeFileAtomic(copyPath, baseData); err != nil {
			return nil, fmt.Errorf("copy of the base config: %w", err)
		}
	case err != nil:
		return nil, fmt.Errorf("copy of the base config: %w", err)
	case !bytes.Equal(old, baseData):
		return nil, inputError("output root %s already holds another sweep's base config (%s differs): choose another -out-root or task file name",
			rootDir, copyPath)
	}
	if err := writeFileAtomic(name, text); err != nil {
		return nil, fmt.Errorf("task file: %w", err)
	}
	return f, nil
}

// recordedRoot returns the root as recorded in the task file name.
func recordedRoot(name, root string) (string, error) {
	if strings.ContainsAny(root, "\t\n") {
		return "", inputError("-out-root %q contains a tab or line break", root)
	}
	if root == "" {
		stem := strings.TrimSuffix(filepath.Base(name), filepath.Ext(name))
		if stem == "" || stem == "." || stem == ".." {
			return "", inputError("task file name %q has no stem to name its output folder; give -out-root", name)
		}
		return stem, nil
	}
	if filepath.IsAbs(root) {
		return filepath.Clean(root), nil
	}
	absName, err := filepath.Abs(name)
	if err != nil {
		return "", err
	}
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(filepath.Dir(absName), absRoot)
	if err != nil {
		return "", inputError("-out-root %q: %v", root, err)
	}
	return filepath.ToSlash(rel), nil
}

// joinOverrides writes a set of overrides as KEY=VALUE words.
func joinOverrides(set []Override) string {
	s := make([]string, len(set))
	for i, o := range set {
		s[i] = o.String()
	}
	return strings.Join(s, " ")
}
