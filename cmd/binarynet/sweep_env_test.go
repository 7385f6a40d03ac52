package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/binarynet/binarynet/sweep"
)

// asMainVar makes the test binary run as the binarynet command (see
// TestMain), so that tests can start it as separate processes without
// building it.
const asMainVar = "BINARYNET_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainVar) == "1" {
		os.Exit(dispatch(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// schedulerVars are the index variables of the schedulers; a task process
// gets exactly one of them.
var schedulerVars = []string{"SLURM_ARRAY_TASK_ID", "SLURM_ARRAY_JOB_ID", "SLURM_JOB_ID", "JOB_COMPLETION_INDEX",
	"SGE_TASK_ID", "JOB_ID", "PBS_ARRAYID", "PBS_JOBID", "LSB_JOBINDEX", "LSB_JOBID", sweep.OffsetVar, "SLURM_CPUS_PER_TASK"}

// cleanEnv returns the environment without any scheduler variable, plus
// the given assignments.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, v := range schedulerVars {
			drop = drop || k == v
		}
		if !drop {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// testSweepArgs is the 6-task sweep of the end-to-end tests.
var testSweepArgs = []string{"-S", "kappa=0:1:0.5", "-networks", "2", "-network-seed", "5"}

// TestSweepEnvIndex runs the same 6-task sweep three times, each task in
// its own process that finds its index in the environment: first
// SLURM_ARRAY_TASK_ID, then JOB_COMPLETION_INDEX (Kubernetes), then
// SGE_TASK_ID (1-based). The three output trees are identical, and their
// collected tables equal the table of "sweep -run -jobs 2", wall times
// aside.
func TestSweepEnvIndex(t *testing.T) {
	if testing.Short() {
		t.Skip("runs 18 task processes")
	}
	dir := t.TempDir()
	base := writeSweepBase(t, dir)
	local := filepath.Join(dir, "local", "tasks.tsv")
	if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-config", base, "-o", local, "-run", "-jobs", "2"}, testSweepArgs...)
	if code, stdout, stderr := runCtx(context.Background(), append([]string{"sweep"}, args...)...); code != 0 || !strings.Contains(stdout, "ran 6,") {
		t.Fatalf("sweep -run: exit %d\n%s%s", code, stdout, stderr)
	}
	code, want, stderr := runCtx(context.Background(), "collect", "-o", "-", local)
	if code != 0 {
		t.Fatalf("collect: %d %s", code, stderr)
	}
	want = withoutWall(want)
	wantTree := outputTree(t, filepath.Join(dir, "local", "tasks"))

	for _, sched := range []struct {
		env, name string
		base      int
	}{{"SLURM_ARRAY_TASK_ID", "slurm", 0}, {"JOB_COMPLETION_INDEX", "kubernetes", 0}, {"SGE_TASK_ID", "sge", 1}} {
		tasks := filepath.Join(dir, sched.name, "tasks.tsv")
		if err := os.MkdirAll(filepath.Dir(tasks), 0o755); err != nil {
			t.Fatal(err)
		}
		args := append([]string{"sweep", "-config", base, "-o", tasks}, testSweepArgs...)
		if code, stdout, stderr := runCtx(context.Background(), args...); code != 0 || !strings.HasPrefix(stdout, "6 tasks") {
			t.Fatalf("%s: sweep: exit %d\n%s%s", sched.name, code, stdout, stderr)
		}
		for i := range 6 {
			cmd := exec.Command(os.Args[0], "task", tasks)
			cmd.Env = cleanEnv(asMainVar+"=1", sched.env+"="+strconv.Itoa(i+sched.base))
			if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "task "+strconv.Itoa(i)+" done") {
				t.Fatalf("%s=%d: %v\n%s", sched.env, i+sched.base, err, out)
			}
		}
		code, got, stderr := runCtx(context.Background(), "collect", "-o", "-", tasks)
		if code != 0 || withoutWall(got) != want {
			t.Errorf("%s: collect exit %d %s\ntable:\n%s\nwant (sweep -run -jobs 2):\n%s", sched.name, code, stderr, withoutWall(got), want)
		}
		tree := outputTree(t, filepath.Join(dir, sched.name, "tasks"))
		if len(tree) != len(wantTree) || len(tree) < 6*3 {
			t.Errorf("%s: %d files, want %d", sched.name, len(tree), len(wantTree))
		}
		for name, content := range wantTree {
			if tree[name] != content {
				t.Errorf("%s: %s differs from the -run tree", sched.name, name)
			}
		}
		// Provenance: the index came from the scheduler's variable.
		f, err := sweep.ReadFile(tasks)
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.ReadSummary(f.Tasks[5])
		if err != nil {
			t.Fatal(err)
		}
		if p := s.Provenance; p.Index != 5 || p.IndexSource != sched.env || p.Scheduler != sched.name ||
			p.ArrayTaskID != strconv.Itoa(5+sched.base) || p.Seeds["binary.seed"] != "6" || p.Host == "" || p.Binarynet == "" {
			t.Errorf("%s: provenance %+v", sched.name, p)
		}
	}
}

// outputTree maps each file under root to its content, except what
// records where, when and how long a task ran: the sweep's task summaries
// and markers (not at all), the locks, and the pipeline's run summaries
// (without their wall times).
func outputTree(t *testing.T, root string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() == sweep.LockDir {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() || d.Name() == sweep.SummaryName || d.Name() == sweep.MarkerName || filepath.Base(filepath.Dir(p)) == "logs" {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		if strings.HasSuffix(d.Name(), "_summary.yaml") {
			b = withoutTimings(b)
		}
		tree[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// withoutTimings drops the wall_time_s mapping of a pipeline run summary
// (the only part that depends on the machine's speed).
func withoutTimings(b []byte) []byte {
	var out bytes.Buffer
	skip := false
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if strings.HasPrefix(l, "wall_time_s:") {
			skip = true
			continue
		}
		if skip && strings.HasPrefix(l, " ") {
			continue
		}
		skip = false
		out.WriteString(l)
	}
	return out.Bytes()
}

// readJSON decodes a JSON file into v.
func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}
