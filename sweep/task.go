package sweep

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LockDir is the folder of the output root that holds one lock file per
// task, taken while the task runs.
const LockDir = ".locks"

// Summary is the content of a task's summary file: provenance, the task
// and its metrics.
type Summary struct {
	Task       SummaryTask     `json:"task"`
	Provenance Provenance      `json:"provenance"`
	Metrics    []SummaryMetric `json:"metrics"`
	WallS      float64         `json:"wall_s"` // wall time of Runner.Run in seconds
}

// SummaryTask is the task as recorded in its summary.
type SummaryTask struct {
	Index     int      `json:"index"`
	Tag       string   `json:"tag"`
	Dir       string   `json:"dir"`
	Overrides []string `json:"overrides"` // KEY=VALUE
	Threads   int      `json:"threads"`
}

// SummaryMetric is a metric as recorded: the value is a string that
// parses back to the same float64 (NaN and infinities included).
type SummaryMetric struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// TaskOptions are the settings of RunTask.
type TaskOptions struct {
	// Overwrite runs a finished task again.
	Overwrite bool
	// Threads is what the task may use (at least 1).
	Threads int
	// Prov is the task's provenance; RunTask sets its Index and Seeds.
	// When its Binarynet field is empty, RunTask fills it with
	// NewProvenance(index, Prov.IndexSource, os.LookupEnv).
	Prov Provenance
}

// Outcome says what RunTask did.
type Outcome struct {
	Ran bool // false: the task had finished and was skipped
	// Redo is why a task that had a folder was run again: "" (none, or
	// it had not started), "overwrite", "incomplete" (killed before its
	// marker) or the corruption found.
	Redo string
	Wall time.Duration
}

// RunTask runs task index of f with r, unless it has finished (see
// File.Check) and opts.Overwrite is false.
//
// The task's base configuration (the sweep's copy) must still have the
// checksum recorded in the task file, and r.Plan must still give the
// recorded folder and tag: otherwise the base configuration or the
// program changed since the sweep was created, and RunTask returns an
// error. Outputs are written into a hidden staging folder beside the
// task's folder, which is renamed into place when r.Run returned and the
// summary was written; the completion marker is written last. A task
// killed at any point leaves no marker, so the next run starts it again.
func RunTask(ctx context.Context, f *File, index int, r Runner, opts TaskOptions) (Outcome, error) {
	if index < 0 || index >= len(f.Tasks) {
		return Outcome{}, inputError("task index %d is beyond the task file %s (%d tasks, indices 0 to %d)", index, f.Path, len(f.Tasks), len(f.Tasks)-1)
	}
	t := f.Tasks[index]
	base, err := f.checkBase()
	if err != nil {
		return Outcome{}, err
	}
	var out Outcome
	state, err := f.Check(t)
	switch {
	case state == Done && !opts.Overwrite:
		return out, nil
	case state == Done:
		out.Redo = "overwrite"
	case state == Corrupt:
		out.Redo = err.Error()
	}
	p, err := r.Plan(base, t.Overrides)
	if err != nil {
		return out, fmt.Errorf("task %d: %w", index, err)
	}
	if p.Dir != t.Dir || p.Tag != t.Tag {
		return out, inputError("task %d: the folder and tag are now %s and %s, the task file has %s and %s: the base config or binarynet changed since the sweep was created",
			index, p.Dir, p.Tag, t.Dir, t.Tag)
	}

	dir := f.TaskDir(t)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return out, err
	}
	locks := filepath.Join(f.RootDir(), LockDir)
	if err := os.MkdirAll(locks, 0o755); err != nil {
		return out, err
	}
	unlock, err := lockTask(filepath.Join(locks, strconv.Itoa(index)))
	if err != nil {
		return out, fmt.Errorf("task %d: %w", index, err)
	}
	defer unlock()
	if state, err := f.Check(t); state == Done && !opts.Overwrite {
		return out, nil // finished by another process since the first check
	} else if state == Corrupt && out.Redo == "" {
		out.Redo = err.Error()
	}
	if err := removeStaging(dir); err != nil {
		return out, err
	}
	if out.Redo == "" {
		if _, err := os.Stat(dir); err == nil {
			out.Redo = "incomplete"
		}
	}
	staging, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return out, err
	}
	defer os.RemoveAll(staging) // no-op once renamed
	if err := os.Chmod(staging, 0o755); err != nil {
		return out, err
	}

	prov := opts.Prov
	if prov.Binarynet == "" {
		prov = NewProvenance(index, prov.IndexSource, os.LookupEnv)
	}
	prov.Index = index
	prov.Start = time.Now().UTC()
	prov.Seeds = seedOverrides(t.Overrides)
	threads := max(opts.Threads, 1)
	start := time.Now()
	res, err := r.Run(ctx, Job{Base: f.BasePath(), Overrides: t.Overrides, Dir: staging, Threads: threads, Prov: prov})
	out.Wall = time.Since(start)
	out.Ran = true
	if err != nil {
		return out, fmt.Errorf("task %d: %w", index, err)
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("task %d: %w", index, err)
	}
	if err := writeSummary(staging, t, threads, prov, res, out.Wall); err != nil {
		return out, fmt.Errorf("task %d: %w", index, err)
	}
	files, err := manifest(staging)
	if err != nil {
		return out, fmt.Errorf("task %d: %w", index, err)
	}
	if err := syncDir(staging); err != nil {
		return out, err
	}
	if err := os.RemoveAll(dir); err != nil {
		return out, err
	}
	if err := os.Rename(staging, dir); err != nil {
		return out, err
	}
	if err := syncDir(parent); err != nil {
		return out, err
	}
	m := marker{Index: index, Tag: t.Tag, LineSum: t.Sum, Files: files}
	m.Sum = m.digest()
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return out, err
	}
	if err := writeFileAtomic(filepath.Join(dir, MarkerName), append(data, '\n')); err != nil {
		return out, fmt.Errorf("task %d: marker: %w", index, err)
	}
	return out, nil
}

// checkBase returns the sweep's copy of the base configuration after
// checking that it still has the recorded checksum.
func (f *File) checkBase() ([]byte, error) {
	data, err := os.ReadFile(f.BasePath())
	if err != nil {
		return nil, inputError("base config of the sweep: %v", err)
	}
	h := sha256.Sum256(data)
	if hex.EncodeToString(h[:]) != f.BaseSHA256 {
		return nil, inputError("base config %s was edited after the task file %s was written (SHA-256 %s, want %s)",
			f.BasePath(), f.Path, hex.EncodeToString(h[:8]), f.BaseSHA256[:16])
	}
	return data, nil
}

// removeStaging removes the staging folders left beside dir by killed
// runs of its task.
func removeStaging(dir string) error {
	parent, base := filepath.Dir(dir), filepath.Base(dir)
	entries, err := os.ReadDir(parent)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "."+base+".partial-") {
			if err := os.RemoveAll(filepath.Join(parent, e.Name())); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeSummary writes the task summary into dir.
func writeSummary(dir string, t Task, threads int, prov Provenance, res Result, wall time.Duration) error {
	s := Summary{
		Task:       SummaryTask{Index: t.Index, Tag: t.Tag, Dir: t.Dir, Threads: threads},
		Provenance: prov,
		WallS:      wall.Seconds(),
	}
	for _, o := range t.Overrides {
		s.Task.Overrides = append(s.Task.Overrides, o.String())
	}
	seen := map[string]bool{}
	for _, m := range res.Metrics {
		if m.Name == "" || seen[m.Name] || strings.ContainsAny(m.Name, ",\"\n\r") {
			return fmt.Errorf("metric name %q is empty, repeated or not a CSV column name", m.Name)
		}
		seen[m.Name] = true
		s.Metrics = append(s.Metrics, SummaryMetric{m.Name, formatFloat(m.Value)})
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(filepath.Join(dir, SummaryName), append(data, '\n'))
}

// ReadSummary reads the summary of task t (without checking the marker;
// see File.Check).
func (f *File) ReadSummary(t Task) (*Summary, error) {
	data, err := os.ReadFile(filepath.Join(f.TaskDir(t), SummaryName))
	if err != nil {
		return nil, err
	}
	var s Summary
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, corruptError("task %d: summary: %v", t.Index, err)
	}
	return &s, nil
}

// seedOverrides returns the overrides whose key's last part names a seed
// (seed, init_seed, network_seed, ...), for the provenance.
func seedOverrides(set []Override) map[string]string {
	var seeds map[string]string
	for _, o := range set {
		last := o.Key[strings.LastIndex(o.Key, ".")+1:]
		if strings.Contains(strings.ToLower(last), "seed") {
			if seeds == nil {
				seeds = map[string]string{}
			}
			seeds[o.Key] = o.Value
		}
	}
	return seeds
}
