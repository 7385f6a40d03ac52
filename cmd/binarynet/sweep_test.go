package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/binarynet/binarynet/sweep"
)

// sweepBase is a tiny pipeline configuration for sweep tests: 2 clusters
// of 40 E and 10 I units, 2,000 warm-up and 6,000 recorded updates.
const sweepBase = `N_E: 80
N_I: 20
Q: 2
V_th: 1.0
g: 1.2
p0_ee: 0.3
p0_ie: 0.3
p0_ei: 0.3
p0_ii: 0.3
tau_e: 10.0
tau_i: 5.0
R_Eplus: 1.5
R_j: 0.75
kappa: 1.0
connection_type: poisson
m_X: 0.03
binary:
  warmup_steps: 2000
  simulation_steps: 6000
  sample_interval: 100
  batch_size: 100
  seed: 3
  output_name: activity_trace
`

// writeSweepBase writes sweepBase into dir and returns its path.
func writeSweepBase(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "base.yaml")
	if err := os.WriteFile(p, []byte(sweepBase), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// execCmd runs command c in-process and returns its exit status and
// outputs.
func execCmd(c *Command, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := c.execute(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// TestSweepBadInput: every bad value is a one-line error naming it, exit
// status 2, and no task file is written.
func TestSweepBadInput(t *testing.T) {
	dir := t.TempDir()
	base := writeSweepBase(t, dir)
	tasks := filepath.Join(dir, "tasks.tsv")
	for _, tc := range []struct {
		args    []string
		mention string
	}{
		{[]string{"-S", "kappa=1:0:0.1"}, `"1:0:0.1" is empty`},
		{[]string{"-S", "kappa=0:1:0"}, `"0:1:0": step is 0`},
		{[]string{"-S", "kappa=a:1:0.1"}, `start "a" is not a decimal number`},
		{[]string{"-S", "kappa=0:1:0.1x"}, `step "0.1x"`},
		{[]string{"-S", "kapa=0:1:0.5"}, "kapa"},
		{[]string{"-S", "kappa=0,high"}, `"high"`},
		{[]string{"-S", "kappa"}, `"kappa": want KEY=VALUES`},
		{[]string{"-O", "R_j"}, `"R_j": want KEY=VALUE`},
		{[]string{"-S", "kappa=0,1", "-O", "kappa=0.5"}, "kappa is set twice"},
		{[]string{"-S", "kappa=0,1", "-networks", "-2"}, "-networks -2"},
		{[]string{"-S", "kappa=0,1", "-init-seeds", "2", "-init-seed-key", ""}, "-init-seed-key"},
		{[]string{"-S", "kappa=0,1", "-init-seeds", "2", "-init-seed-key", "binary.init_sed"}, "binary.init_sed"},
		{[]string{"-S", "kappa=0,1", "-slurm", "-mem", "2 GB"}, `-mem "2 GB"`},
		{[]string{"-S", "kappa=0,1", "-slurm", "-time", "2h"}, `-time "2h"`},
		{[]string{"-S", "kappa=0,1", "-run", "-slurm"}, "exclude"},
		{[]string{"-S", "kappa=0,1", "-jobs", "-1"}, "-jobs -1"},
		{[]string{"-S", "kappa=0,1", "-run", "-threads", "-1"}, "-threads -1"},
		{[]string{"-S", "kappa=0,1", "-run", "-threads", "5000"}, "-threads 5000"},
	} {
		args := append([]string{"-o", tasks}, tc.args...)
		if !strings.Contains(strings.Join(tc.args, " "), "-config") {
			args = append(args, "-config", base)
		}
		code, _, stderr := execCmd(cmdSweep, args...)
		if code != 2 || !strings.Contains(stderr, tc.mention) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("sweep %q: exit %d, stderr %q; want 2 naming %s", tc.args, code, stderr, tc.mention)
		}
		if _, err := os.Stat(tasks); err == nil {
			t.Fatalf("sweep %q wrote a task file", tc.args)
		}
	}
	if code, _, stderr := execCmd(cmdSweep, "-S", "kappa=0,1"); code != 2 || !strings.Contains(stderr, "-config") {
		t.Errorf("no -config: exit %d, %q", code, stderr)
	}
	if code, _, stderr := execCmd(cmdSweep, "-config", filepath.Join(dir, "nope.yaml"), "-S", "kappa=0,1"); code != 2 || !strings.Contains(stderr, "nope.yaml") {
		t.Errorf("missing -config file: exit %d, %q", code, stderr)
	}

	// A valid sweep, then bad task indices and an edited task file.
	if code, stdout, stderr := execCmd(cmdSweep, "-o", tasks, "-config", base, "-S", "kappa=0:1:0.5", "-networks", "2"); code != 0 || !strings.Contains(stdout, "6 tasks") {
		t.Fatalf("sweep: exit %d, %q %q", code, stdout, stderr)
	}
	for _, tc := range []struct {
		env     map[string]string
		args    []string
		mention string
	}{
		{nil, []string{"-index", "6", tasks}, "task index 6 is beyond the task file"},
		{nil, []string{"-index", "x", tasks}, `-index "x"`},
		{map[string]string{"SLURM_ARRAY_TASK_ID": "17"}, []string{tasks}, "task index 17 is beyond"},
		{map[string]string{"SGE_TASK_ID": "7"}, []string{tasks}, "task index 6 is beyond"},
		{map[string]string{"SGE_TASK_ID": "0"}, []string{tasks}, `SGE_TASK_ID="0"`},
		{nil, []string{tasks}, "no task index"},
		{nil, []string{"-index", "0", filepath.Join(dir, "none.tsv")}, "none.tsv"},
		{nil, []string{"-index", "0"}, "want one task file"},
	} {
		for _, v := range []string{"SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX", "SGE_TASK_ID", "PBS_ARRAYID", "LSB_JOBINDEX"} {
			t.Setenv(v, tc.env[v])
			if _, ok := tc.env[v]; !ok {
				os.Unsetenv(v)
			}
		}
		code, _, stderr := execCmd(cmdTask, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.mention) {
			t.Errorf("task %q %v: exit %d, stderr %q; want 2 naming %s", tc.args, tc.env, code, stderr, tc.mention)
		}
	}
	data, err := os.ReadFile(tasks)
	if err != nil {
		t.Fatal(err)
	}
	edited := filepath.Join(dir, "edited.tsv")
	if err := os.WriteFile(edited, bytes.Replace(data, []byte("kappa=0.5"), []byte("kappa=0.6"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"task", "-index", "0", edited}, {"collect", edited}} {
		code, _, stderr := runCtx(context.Background(), args...)
		if code != 2 || !strings.Contains(stderr, "edited.tsv line 4") || !strings.Contains(stderr, "was edited") {
			t.Errorf("%s of an edited task file: exit %d, stderr %q", args[0], code, stderr)
		}
	}
	// Collect of the unfinished sweep lists the tasks and writes nothing.
	code, _, stderr := execCmd(cmdCollect, "-o", filepath.Join(dir, "t.csv"), tasks)
	if code != 2 || !strings.Contains(stderr, "missing: 0-5") {
		t.Errorf("collect: exit %d, %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "t.csv")); err == nil {
		t.Error("collect of an unfinished sweep wrote a table")
	}
	// With -partial it writes the finished rows (none) and lists the rest.
	code, stdout, stderr := runCtx(context.Background(), "collect", "-partial", "-o", filepath.Join(dir, "t.csv"), tasks)
	table, _ := os.ReadFile(filepath.Join(dir, "t.csv"))
	if code != 0 || !strings.Contains(stderr, "missing: 0-5") || !strings.Contains(stdout, "0 rows") || !strings.HasPrefix(string(table), "index,tag,kappa,binary.seed") {
		t.Errorf("collect -partial: exit %d, %q %q, table %q", code, stdout, stderr, table)
	}
}

// fakeTaskRunner is a sweep.Runner that validates keys with the pipeline
// and writes one small file per task, deterministic in its overrides.
type fakeTaskRunner struct{ pipelineRunner }

func (fakeTaskRunner) Run(_ context.Context, job sweep.Job) (sweep.Result, error) {
	h := sha256.New()
	for _, o := range job.Overrides {
		fmt.Fprintln(h, o)
	}
	sum := h.Sum(nil)
	if err := os.WriteFile(filepath.Join(job.Dir, "out.txt"), []byte(hex.EncodeToString(sum)), 0o644); err != nil {
		return sweep.Result{}, err
	}
	return sweep.Result{Metrics: []sweep.Metric{{Name: "x", Value: float64(sum[0]) / 256}}}, nil
}

// TestSweepRunSameForAnyJobs: the collected table of -run -jobs 1, -jobs
// 3 and -jobs 2 -threads 1 is the same (wall times aside), and a rerun
// does no work.
func TestSweepRunSameForAnyJobs(t *testing.T) {
	fake := func() sweep.Runner { return fakeTaskRunner{} }
	var tables []string
	for _, jt := range [][2]string{{"1", "0"}, {"3", "0"}, {"2", "1"}} {
		jobs := jt[0]
		dir := t.TempDir()
		base := writeSweepBase(t, dir)
		tasks := filepath.Join(dir, "tasks.tsv")
		args := []string{"-config", base, "-o", tasks, "-S", "kappa=0:1:0.25", "-S", "R_j=0.75,0.8", "-networks", "2", "-run", "-jobs", jobs, "-threads", jt[1]}
		code, stdout, stderr := execCmd(newSweepCommand(fake), args...)
		if code != 0 || !strings.Contains(stdout, "ran 20, skipped 0") {
			t.Fatalf("-jobs %s: exit %d, %q %q", jobs, code, stdout, stderr)
		}
		code, stdout, _ = execCmd(newSweepCommand(fake), args...)
		if code != 0 || !strings.Contains(stdout, "ran 0, skipped 20") {
			t.Errorf("rerun: exit %d, %q", code, stdout)
		}
		code, stdout, stderr = execCmd(cmdCollect, "-o", "-", tasks)
		if code != 0 {
			t.Fatalf("collect: %d %q", code, stderr)
		}
		tables = append(tables, withoutWall(stdout))
	}
	if tables[0] != tables[1] || tables[0] != tables[2] || strings.Count(tables[0], "\n") != 21 {
		t.Errorf("tables differ or have the wrong size:\n%s\n%s\n%s", tables[0], tables[1], tables[2])
	}
	if !strings.HasPrefix(tables[0], "index,tag,kappa,R_j,binary.seed,x\n") {
		t.Errorf("header: %s", tables[0][:strings.Index(tables[0], "\n")])
	}
}

// withoutWall removes the last column (wall_s) of a CSV table.
func withoutWall(table string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(table, "\n") {
		if i := strings.LastIndex(l, ","); i >= 0 {
			b.WriteString(l[:i] + "\n")
		}
	}
	return b.String()
}
