package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/binarynet/binarynet/sweep"
)

// slurmVar enables TestSweepSlurm; .ci/run sets it after .ci/slurm.sh
// started a one-node SLURM cluster, and sets slurmSkipVar to the reason
// when it could not.
const (
	slurmVar     = "BINARYNET_SLURM"
	slurmSkipVar = "BINARYNET_SLURM_SKIP"
)

// TestSweepSlurm submits the 6-task sweep with "binarynet sweep -slurm
// -submit" to a real SLURM cluster, waits for the array and the
// aggregation job, and checks that the table the aggregation job wrote
// equals the table of "binarynet sweep -run -jobs 2" of the same sweep,
// bit for bit, wall times aside.
func TestSweepSlurm(t *testing.T) {
	if os.Getenv(slurmVar) != "1" {
		why := os.Getenv(slurmSkipVar)
		if why == "" {
			why = slurmVar + " is not set (.ci/run sets it after starting a one-node cluster with .ci/slurm.sh, which needs root and apt-get)"
		}
		t.Skip("no SLURM cluster: " + why)
	}
	for _, p := range []string{"sbatch", "squeue", "scontrol"} {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("%s=1 but %v", slurmVar, err)
		}
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "binarynet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	base := writeSweepBase(t, dir)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = cleanEnv()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("binarynet %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}

	for _, sub := range []string{"slurm", "local"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tasks := filepath.Join(dir, "slurm", "tasks.tsv")
	out := run(append(append([]string{"sweep", "-config", base, "-o", tasks}, testSweepArgs...),
		"-slurm", "-submit", "-throttle", "2", "-cpus-per-task", "1", "-mem", "500M", "-time", "00:10:00", "-job-name", "ci-sweep")...)
	m := regexp.MustCompile(`(?m)^array ([0-9]+) collect ([0-9]+)$`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no job ids in:\n%s", out)
	}
	array, collect := m[1], m[2]
	t.Logf("submitted array %s and aggregation job %s", array, collect)
	t.Cleanup(func() { _ = exec.Command("scancel", array, collect).Run() })

	// Poll squeue (sbatch --wait polls at 2, 8, 32 s) until both left the
	// queue; then their states are in scontrol for MinJobAge (300 s).
	deadline := time.Now().Add(10 * time.Minute)
	for {
		q, err := exec.Command("squeue", "-h", "-j", array+","+collect).Output()
		if err != nil || strings.TrimSpace(string(q)) == "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("jobs still queued after 10 minutes:\n%s", q)
		}
		time.Sleep(500 * time.Millisecond)
	}
	for _, id := range []string{array, collect} {
		info, err := exec.Command("scontrol", "-o", "show", "job", id).Output()
		if err != nil {
			t.Fatalf("scontrol show job %s: %v", id, err)
		}
		lines := strings.Split(strings.TrimSpace(string(info)), "\n")
		want := 1
		if id == array {
			want = 6
		}
		if len(lines) != want {
			t.Errorf("job %s: %d records, want %d", id, len(lines), want)
		}
		for _, l := range lines {
			if !strings.Contains(l, "JobState=COMPLETED") || !strings.Contains(l, "ExitCode=0:0") {
				t.Errorf("job %s: %s", id, l)
			}
		}
	}
	if t.Failed() {
		logs, _ := filepath.Glob(filepath.Join(dir, "slurm", "tasks", "logs", "*"))
		for _, l := range logs {
			b, _ := os.ReadFile(l)
			t.Logf("%s:\n%s", l, b)
		}
		t.FailNow()
	}
	got, err := os.ReadFile(filepath.Join(dir, "slurm", "tasks.csv"))
	if err != nil {
		t.Fatalf("the aggregation job wrote no table: %v", err)
	}

	local := filepath.Join(dir, "local", "tasks.tsv")
	run(append(append([]string{"sweep", "-config", base, "-o", local}, testSweepArgs...), "-run", "-jobs", "2")...)
	run("collect", "-o", filepath.Join(dir, "local", "tasks.csv"), local)
	want, err := os.ReadFile(filepath.Join(dir, "local", "tasks.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if withoutWall(string(got)) != withoutWall(string(want)) || strings.Count(string(got), "\n") != 7 {
		t.Errorf("SLURM table:\n%s\nsweep -run -jobs 2:\n%s", got, want)
	}

	// Provenance of an array task: SLURM's job and array ids.
	f, err := sweep.ReadFile(tasks)
	if err != nil {
		t.Fatal(err)
	}
	var s sweep.Summary
	readJSON(t, filepath.Join(f.TaskDir(f.Tasks[3]), sweep.SummaryName), &s)
	if p := s.Provenance; p.Scheduler != "slurm" || p.ArrayJobID != array || p.ArrayTaskID != "3" || p.IndexSource != "SLURM_ARRAY_TASK_ID" || p.JobID == "" {
		t.Errorf("provenance of task 3: %+v", p)
	}
}
