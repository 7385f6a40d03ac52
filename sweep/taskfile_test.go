package sweep_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/binarynet/binarynet/sweep"
)

// smallGrid is 3 kappas x 2 networks = 6 tasks.
func smallGrid(t *testing.T) *sweep.Grid {
	return &sweep.Grid{
		Axes:           []sweep.Axis{mustAxis(t, "kappa=0:1:0.5")},
		Networks:       2,
		NetworkSeed:    7,
		NetworkSeedKey: "seed",
	}
}

// newSweep writes a base config into dir and creates the sweep
// dir/tasks.tsv of g.
func newSweep(t *testing.T, dir string, g *sweep.Grid, r sweep.Runner) *sweep.File {
	t.Helper()
	f, err := sweep.Create(filepath.Join(dir, "tasks.tsv"), "", []byte("N_E: 80\nN_I: 20\n"), g, r)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestTaskFileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	f := newSweep(t, dir, smallGrid(t), &fakeRunner{})
	g, err := sweep.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	if g.Root != "tasks" || g.BaseSHA256 != f.BaseSHA256 || strings.Join(g.Swept, ",") != "kappa,seed" || len(g.Tasks) != 6 {
		t.Fatalf("read back %+v", g)
	}
	for i, task := range g.Tasks {
		w := f.Tasks[i]
		if task.Index != i || task.Tag != w.Tag || task.Dir != w.Dir || task.Sum != w.Sum || len(task.Overrides) != 2 {
			t.Errorf("task %d: %+v, want %+v", i, task, w)
		}
	}
	if g.Tasks[5].Overrides[0].String() != "kappa=1.0" || g.Tasks[5].Overrides[1].String() != "seed=8" {
		t.Errorf("task 5 overrides %v", g.Tasks[5].Overrides)
	}
	if _, err := os.Stat(filepath.Join(dir, "tasks", sweep.BaseName)); err != nil {
		t.Errorf("no copy of the base config: %v", err)
	}
	// Creating the same sweep again gives the same file.
	before, _ := os.ReadFile(f.Path)
	newSweep(t, dir, smallGrid(t), &fakeRunner{})
	after, _ := os.ReadFile(f.Path)
	if string(before) != string(after) {
		t.Error("recreating the sweep changed the task file")
	}
}

// TestTaskFileEdited: every kind of edit of a task file is detected, with
// an error naming the line.
func TestTaskFileEdited(t *testing.T) {
	dir := t.TempDir()
	f := newSweep(t, dir, smallGrid(t), &fakeRunner{})
	orig, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(orig), "\n")
	lines = lines[:len(lines)-1] // after the last "\n"
	for _, tc := range []struct {
		name, text, mention string
	}{
		{"value edited", strings.Replace(string(orig), "kappa=0.5", "kappa=0.6", 1), "line 4"},
		{"header edited", strings.Replace(string(orig), "swept=kappa,seed", "swept=kappa", 1), "line 1"},
		{"line removed", strings.Join(append(lines[:3:3], lines[4:]...), ""), "5 task lines, its header says 6"},
		{"lines swapped", strings.Join(append(append(lines[:2:2], lines[3], lines[2]), lines[4:]...), ""), "line 3: index"},
		{"truncated", string(orig[:len(orig)-5]), "truncated"},
		{"not a task file", "index\tkappa\n", "not a binarynet task file"},
		{"tag edited", strings.Replace(string(orig), f.Tasks[2].Tag, "0000000000", 1), "line 4"},
	} {
		p := filepath.Join(dir, "edited.tsv")
		if err := os.WriteFile(p, []byte(tc.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := sweep.ReadFile(p)
		if !errors.Is(err, sweep.ErrInput) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: err = %v, want ErrInput mentioning %q", tc.name, err, tc.mention)
		}
	}
}

func TestCreateErrors(t *testing.T) {
	dir := t.TempDir()
	base := []byte("N_E: 80\n")
	for _, tc := range []struct {
		name    string
		g       *sweep.Grid
		mention string
	}{
		{"unknown key", &sweep.Grid{Axes: []sweep.Axis{mustAxis(t, "kapa=0:1:0.5")}}, `unknown key "kapa"`},
		{"bad value", &sweep.Grid{Axes: []sweep.Axis{mustAxis(t, "kappa=0.5,high")}}, `kappa="high"`},
		{"repeated config", &sweep.Grid{Axes: []sweep.Axis{mustAxis(t, "kappa=0.5,0.5")}}, "share the folder"},
	} {
		_, err := sweep.Create(filepath.Join(dir, "t.tsv"), "", base, tc.g, &fakeRunner{})
		if err == nil || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: err = %v, want one mentioning %s", tc.name, err, tc.mention)
		}
		if _, serr := os.Stat(filepath.Join(dir, "t.tsv")); serr == nil {
			t.Errorf("%s: a task file was written", tc.name)
		}
	}
	// A root holding another sweep's base config.
	newSweep(t, dir, smallGrid(t), &fakeRunner{})
	other := []byte("N_E: 160\n")
	_, err := sweep.Create(filepath.Join(dir, "tasks.tsv"), "", other, smallGrid(t), &fakeRunner{})
	if !errors.Is(err, sweep.ErrInput) || !strings.Contains(err.Error(), "another sweep") {
		t.Errorf("other base in the same root: err = %v", err)
	}
}

func TestCreateOutRoot(t *testing.T) {
	dir := t.TempDir()
	base := []byte("N_E: 80\n")
	f, err := sweep.Create(filepath.Join(dir, "sub", "t.tsv"), filepath.Join(dir, "out"), base, smallGrid(t), &fakeRunner{})
	if err == nil {
		t.Fatalf("a task file in a missing folder: %+v", f)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	f, err = sweep.Create(filepath.Join("sub", "t.tsv"), "out", base, smallGrid(t), &fakeRunner{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Root != "../out" || f.RootDir() != filepath.Join("sub", "..", "out") {
		t.Errorf("root %q, root dir %q", f.Root, f.RootDir())
	}
	if _, err := os.Stat(filepath.Join("out", sweep.BaseName)); err != nil {
		t.Error(err)
	}
}
