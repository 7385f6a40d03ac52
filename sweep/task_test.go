package sweep_test

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/binarynet/binarynet/sweep"
)

func runTask(t *testing.T, f *sweep.File, i int, r sweep.Runner, overwrite bool) sweep.Outcome {
	t.Helper()
	o, err := sweep.RunTask(context.Background(), f, i, r, sweep.TaskOptions{Overwrite: overwrite, Threads: 1})
	if err != nil {
		t.Fatalf("task %d: %v", i, err)
	}
	return o
}

func TestRunTaskLifecycle(t *testing.T) {
	dir := t.TempDir()
	r := &fakeRunner{}
	f := newSweep(t, dir, smallGrid(t), r)
	task := f.Tasks[3]
	if s, err := f.Check(task); s != sweep.Missing || err != nil {
		t.Fatalf("before running: %v %v", s, err)
	}
	if o := runTask(t, f, 3, r, false); !o.Ran || o.Redo != "" {
		t.Errorf("first run: %+v", o)
	}
	if s, err := f.Check(task); s != sweep.Done {
		t.Fatalf("after running: %v %v", s, err)
	}
	// The folder is the planned one, beside the task file.
	td := filepath.Join(dir, "tasks", "fake", task.Tag)
	for _, name := range []string{"trace.bin", sweep.SummaryName, sweep.MarkerName} {
		if _, err := os.Stat(filepath.Join(td, name)); err != nil {
			t.Error(err)
		}
	}
	// Rerun: no work.
	if o := runTask(t, f, 3, r, false); o.Ran || r.runs.Load() != 1 {
		t.Errorf("rerun of a finished task: %+v, %d runs", o, r.runs.Load())
	}
	// Overwrite: runs again, same outputs.
	trace, _ := os.ReadFile(filepath.Join(td, "trace.bin"))
	if o := runTask(t, f, 3, r, true); !o.Ran || o.Redo != "overwrite" {
		t.Errorf("overwrite: %+v", o)
	}
	trace2, _ := os.ReadFile(filepath.Join(td, "trace.bin"))
	if !bytes.Equal(trace, trace2) {
		t.Error("rerun wrote another trace")
	}

	// Summary: provenance and metrics.
	s, err := f.ReadSummary(task)
	if err != nil {
		t.Fatal(err)
	}
	if s.Provenance.Index != 3 || s.Provenance.Binarynet == "" || s.Provenance.Host == "" ||
		s.Provenance.Seeds["seed"] != "8" || len(s.Metrics) != 4 || s.Metrics[3].Value != "NaN" {
		t.Errorf("summary %+v", s)
	}
}

// TestCorruptionDetected: a damaged output, a damaged marker and a marker
// of another task line are each reported by Check and Collect, and the
// task runs again.
func TestCorruptionDetected(t *testing.T) {
	for _, tc := range []struct {
		name    string
		damage  func(t *testing.T, td string)
		mention string
	}{
		{"output byte flipped", func(t *testing.T, td string) { flipByte(t, filepath.Join(td, "trace.bin"), 1000) }, "trace.bin does not match"},
		{"output truncated", func(t *testing.T, td string) {
			if err := os.Truncate(filepath.Join(td, "trace.bin"), 100); err != nil {
				t.Fatal(err)
			}
		}, "trace.bin does not match"},
		{"output removed", func(t *testing.T, td string) {
			if err := os.Remove(filepath.Join(td, "trace.bin")); err != nil {
				t.Fatal(err)
			}
		}, "trace.bin"},
		{"summary edited", func(t *testing.T, td string) { flipByte(t, filepath.Join(td, sweep.SummaryName), 20) }, sweep.SummaryName + " does not match"},
		{"marker byte flipped", func(t *testing.T, td string) {
			replaceIn(t, filepath.Join(td, sweep.MarkerName), `"size": `, `"size": 1`)
		}, "does not match its checksum"},
		{"marker truncated", func(t *testing.T, td string) {
			if err := os.Truncate(filepath.Join(td, sweep.MarkerName), 30); err != nil {
				t.Fatal(err)
			}
		}, "not valid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			r := &fakeRunner{}
			f := newSweep(t, dir, smallGrid(t), r)
			if _, err := sweep.RunAll(context.Background(), f, r, sweep.RunOptions{Jobs: 2}); err != nil {
				t.Fatal(err)
			}
			tc.damage(t, f.TaskDir(f.Tasks[4]))
			s, err := f.Check(f.Tasks[4])
			if s != sweep.Corrupt || !errors.Is(err, sweep.ErrCorrupt) || !strings.Contains(err.Error(), tc.mention) {
				t.Errorf("Check: %v %v, want corrupt mentioning %s", s, err, tc.mention)
			}
			_, err = sweep.Collect(f, false)
			var inc *sweep.IncompleteError
			if !errors.As(err, &inc) || len(inc.Corrupt) != 1 || inc.Corrupt[4] == nil || !strings.Contains(err.Error(), "corrupt: 4") {
				t.Errorf("Collect: %v", err)
			}
			o := runTask(t, f, 4, r, false)
			if !o.Ran || !strings.Contains(o.Redo, tc.mention) {
				t.Errorf("rerun: %+v", o)
			}
			if _, err := sweep.Collect(f, false); err != nil {
				t.Errorf("Collect after the rerun: %v", err)
			}
		})
	}
}

// TestMarkerOfAnotherLine: a task folder whose marker belongs to another
// version of the task line (the task file was recreated with another tag
// for the same folder) is corrupt, not done.
func TestMarkerOfAnotherLine(t *testing.T) {
	dir := t.TempDir()
	r := &fakeRunner{}
	f := newSweep(t, dir, smallGrid(t), r)
	runTask(t, f, 0, r, false)
	g := *f
	g.Tasks = append([]sweep.Task(nil), f.Tasks...)
	g.Tasks[0].Sum = "0123456789abcdef"
	if s, err := g.Check(g.Tasks[0]); s != sweep.Corrupt || !strings.Contains(err.Error(), "another task line") {
		t.Errorf("Check: %v %v", s, err)
	}
}

// TestKilledAfterRename: a task killed after its folder was renamed into
// place but before the marker was written has all its files but no
// marker: it is missing, and runs again.
func TestKilledAfterRename(t *testing.T) {
	dir := t.TempDir()
	r := &fakeRunner{}
	f := newSweep(t, dir, smallGrid(t), r)
	runTask(t, f, 1, r, false)
	if err := os.Remove(filepath.Join(f.TaskDir(f.Tasks[1]), sweep.MarkerName)); err != nil {
		t.Fatal(err)
	}
	if s, err := f.Check(f.Tasks[1]); s != sweep.Missing || err != nil {
		t.Errorf("Check: %v %v", s, err)
	}
	if o := runTask(t, f, 1, r, false); !o.Ran || o.Redo != "incomplete" {
		t.Errorf("rerun: %+v", o)
	}
}

func TestRunTaskErrors(t *testing.T) {
	dir := t.TempDir()
	r := &fakeRunner{fail: map[string]bool{"kappa=1.0": true}}
	f := newSweep(t, dir, smallGrid(t), r)
	for _, i := range []int{6, -1, 100} {
		_, err := sweep.RunTask(context.Background(), f, i, r, sweep.TaskOptions{})
		if !errors.Is(err, sweep.ErrInput) || !strings.Contains(err.Error(), "beyond the task file") {
			t.Errorf("index %d: %v", i, err)
		}
	}
	// A failing task leaves no folder and no marker.
	_, err := sweep.RunTask(context.Background(), f, 4, r, sweep.TaskOptions{})
	if err == nil || !strings.Contains(err.Error(), "fake failure") {
		t.Errorf("failing task: %v", err)
	}
	entries, _ := os.ReadDir(filepath.Join(f.RootDir(), "fake"))
	if len(entries) != 0 {
		t.Errorf("a failed task left %v", entries)
	}
	// RunAll runs the others and lists the failures.
	rep, err := sweep.RunAll(context.Background(), f, r, sweep.RunOptions{Jobs: 2})
	if err == nil || !strings.Contains(err.Error(), "2 of 6 tasks failed (4-5)") || rep.Ran != 4 {
		t.Errorf("RunAll: %+v %v", rep, err)
	}
	// The base config edited after the sweep was created.
	if err := os.WriteFile(f.BasePath(), []byte("N_E: 81\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = sweep.RunTask(context.Background(), f, 0, r, sweep.TaskOptions{})
	if !errors.Is(err, sweep.ErrInput) || !strings.Contains(err.Error(), "was edited") {
		t.Errorf("edited base: %v", err)
	}
}

func TestRunAllSameForAnyJobs(t *testing.T) {
	var tables [][]byte
	var trees []map[string]string
	for _, jobs := range []int{1, 3} {
		dir := t.TempDir()
		r := &fakeRunner{}
		g := smallGrid(t)
		g.Axes = append(g.Axes, mustAxis(t, "R_j=0.75,0.8"))
		f := newSweep(t, dir, g, r)
		rep, err := sweep.RunAll(context.Background(), f, r, sweep.RunOptions{Jobs: jobs})
		if err != nil || rep.Ran != 12 {
			t.Fatalf("jobs=%d: %+v %v", jobs, rep, err)
		}
		// A rerun of the finished sweep does no work.
		rep, err = sweep.RunAll(context.Background(), f, r, sweep.RunOptions{Jobs: jobs})
		if err != nil || rep.Ran != 0 || rep.Skipped != 12 || r.runs.Load() != 12 {
			t.Errorf("rerun: %+v %v, %d runs", rep, err, r.runs.Load())
		}
		table, err := sweep.Collect(f, false)
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, dropLastColumn(table))
		trees = append(trees, outputTree(t, f.RootDir()))
	}
	if !bytes.Equal(tables[0], tables[1]) {
		t.Errorf("tables differ:\n%s\n%s", tables[0], tables[1])
	}
	if len(trees[0]) != 12+1 || !equalMaps(trees[0], trees[1]) {
		t.Errorf("trees differ or are incomplete: %d and %d files", len(trees[0]), len(trees[1]))
	}
	lines := strings.Split(string(tables[0]), "\n")
	if lines[0] != "index,tag,kappa,R_j,seed,rate_E,rate_I,flip_fraction,mean_dwell" || len(lines) != 14 ||
		!strings.HasPrefix(lines[12], "11,") || !strings.Contains(lines[12], ",1.0,0.8,8,") {
		t.Errorf("table:\n%s", tables[0])
	}
}

// TestRunAllThreads checks the threads RunAll gives each task: one by
// default, whatever the number of jobs (so that -jobs J uses J cores, as
// the throughput of a sweep is measured against one task on one core),
// and opts.Threads when set.
func TestRunAllThreads(t *testing.T) {
	for _, c := range []struct{ jobs, threads, want int }{
		{1, 0, 1},
		{2, 0, 1},
		{1, 2, 2},
		{3, 4, 4},
	} {
		r := &fakeRunner{}
		f := newSweep(t, t.TempDir(), smallGrid(t), r)
		if _, err := sweep.RunAll(context.Background(), f, r, sweep.RunOptions{Jobs: c.jobs, Threads: c.threads}); err != nil {
			t.Fatal(err)
		}
		if lo, hi := r.minThreads.Load(), r.maxThreads.Load(); lo != int64(c.want) || hi != int64(c.want) {
			t.Errorf("jobs %d, threads %d: tasks had %d to %d threads, want %d", c.jobs, c.threads, lo, hi, c.want)
		}
	}
}

func TestCollectPartial(t *testing.T) {
	dir := t.TempDir()
	r := &fakeRunner{}
	f := newSweep(t, dir, smallGrid(t), r)
	for _, i := range []int{0, 1, 4} {
		runTask(t, f, i, r, false)
	}
	_, err := sweep.Collect(f, false)
	var inc *sweep.IncompleteError
	if !errors.As(err, &inc) || !errors.Is(err, sweep.ErrIncomplete) || err.Error() != "3 of 6 tasks not finished; missing: 2-3,5" {
		t.Errorf("Collect: %v", err)
	}
	table, err := sweep.Collect(f, true)
	if !errors.As(err, &inc) || strings.Count(string(table), "\n") != 4 {
		t.Errorf("partial Collect: %v\n%s", err, table)
	}
}

// outputTree maps every file under root, except summaries and markers
// (which hold provenance and wall times), to its content.
func outputTree(t *testing.T, root string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == sweep.LockDir {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || d.Name() == sweep.SummaryName || d.Name() == sweep.MarkerName {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		tree[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// dropLastColumn removes the wall_s column of a CSV table.
func dropLastColumn(table []byte) []byte {
	var b bytes.Buffer
	for _, l := range strings.SplitAfter(string(table), "\n") {
		if i := strings.LastIndex(l, ","); i >= 0 {
			b.WriteString(l[:i] + "\n")
		}
	}
	return b.Bytes()
}

func flipByte(t *testing.T, name string, at int) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	b[at] ^= 0x55
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceIn(t *testing.T, name, old, new string) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), old, new, 1)
	if s == string(b) {
		t.Fatalf("%s has no %q", name, old)
	}
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunTaskTwiceAtOnce: while a task runs, a second run of the same
// task (a scheduler rerunning an index whose first run is alive) is
// refused, another task runs, and after the first run finished the task
// is done.
func TestRunTaskTwiceAtOnce(t *testing.T) {
	dir := t.TempDir()
	r := &fakeRunner{started: make(chan struct{}), release: make(chan struct{})}
	f := newSweep(t, dir, smallGrid(t), r)
	done := make(chan error)
	go func() {
		_, err := sweep.RunTask(context.Background(), f, 0, r, sweep.TaskOptions{})
		done <- err
	}()
	<-r.started
	_, err := sweep.RunTask(context.Background(), f, 0, &fakeRunner{}, sweep.TaskOptions{})
	if err == nil || !strings.Contains(err.Error(), "another process is running this task") {
		t.Errorf("second run: %v", err)
	}
	if _, err := sweep.RunTask(context.Background(), f, 1, &fakeRunner{}, sweep.TaskOptions{}); err != nil {
		t.Errorf("another task: %v", err)
	}
	r.release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s, err := f.Check(f.Tasks[0]); s != sweep.Done {
		t.Errorf("after the first run: %v %v", s, err)
	}
}

// TestRunAllProgressSerialized: Progress is never called twice at once
// (run with -race, a report shows a violation too).
func TestRunAllProgressSerialized(t *testing.T) {
	dir := t.TempDir()
	r := &fakeRunner{}
	f := newSweep(t, dir, smallGrid(t), r)
	var inside, calls int
	_, err := sweep.RunAll(context.Background(), f, r, sweep.RunOptions{Jobs: 3, Progress: func(int, sweep.Outcome, error) {
		inside++
		if inside != 1 {
			t.Error("two Progress calls at once")
		}
		calls++
		inside--
	}})
	if err != nil || calls != 6 {
		t.Errorf("%d calls, %v", calls, err)
	}
}
