package sweep_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/binarynet/binarynet/sweep"
)

func slurmOptions() sweep.SlurmOptions {
	return sweep.SlurmOptions{Binary: "/opt/bin/binarynet", JobName: "fig4", Throttle: 2, CPUsPerTask: 1, Mem: "2G", Time: "01:30:00"}
}

func TestWriteSlurm(t *testing.T) {
	dir := t.TempDir()
	f := newSweep(t, dir, smallGrid(t), &fakeRunner{})
	s, err := sweep.WriteSlurm(f, slurmOptions())
	if err != nil {
		t.Fatal(err)
	}
	array, _ := os.ReadFile(s.Array)
	logs := filepath.Join(dir, "tasks", "logs")
	for _, want := range []string{
		"#SBATCH --job-name=fig4\n",
		"#SBATCH --array=0-5%2\n",
		"#SBATCH --output=" + logs + "/fig4_%A_%a.out\n",
		"#SBATCH --cpus-per-task=1\n",
		"#SBATCH --mem=2G\n",
		"#SBATCH --time=01:30:00\n",
		"exec /opt/bin/binarynet task " + filepath.Join(dir, "tasks.tsv") + "\n",
	} {
		if !strings.Contains(string(array), want) {
			t.Errorf("array script lacks %q:\n%s", want, array)
		}
	}
	collect, _ := os.ReadFile(s.Collect)
	if !strings.Contains(string(collect), "exec /opt/bin/binarynet collect -o "+filepath.Join(dir, "tasks.csv")+" "+filepath.Join(dir, "tasks.tsv")+"\n") {
		t.Errorf("collect script:\n%s", collect)
	}
	if info, err := os.Stat(logs); err != nil || !info.IsDir() {
		t.Errorf("log folder: %v", err)
	}
	if len(s.Chunks) != 1 || s.Chunks[0] != (sweep.Chunk{Offset: 0, Count: 6}) {
		t.Errorf("chunks %v", s.Chunks)
	}
	if _, err := exec.LookPath("sh"); err == nil {
		out, err := exec.Command("sh", "-n", s.Submit).CombinedOutput()
		if err != nil {
			t.Errorf("submit script is not valid sh: %v %s", err, out)
		}
	}
}

// TestSubmit submits through a stand-in sbatch that logs its arguments
// and prints job ids as sbatch --parsable does ("id;cluster"). 5 tasks in
// arrays of at most 2 give three arrays with offsets 0, 2 and 4, and the
// aggregation job depends on all three. The generated submit script makes
// the same calls.
func TestSubmit(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	g := &sweep.Grid{Axes: []sweep.Axis{mustAxis(t, "kappa=0:1:0.25")}}
	f := newSweep(t, dir, g, &fakeRunner{})
	opts := slurmOptions()
	opts.MaxArray = 2
	s, err := sweep.WriteSlurm(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	array, _ := os.ReadFile(s.Array)
	if strings.Contains(string(array), "--array") {
		t.Errorf("a script for several arrays has an --array line:\n%s", array)
	}
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(dir, "sbatch.log")
	fake := "#!/bin/sh\necho \"$*\" >> " + log + "\nn=$(wc -l < " + log + ")\necho \"$((100 + n));ci\"\n"
	if err := os.WriteFile(filepath.Join(bin, "sbatch"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	sub, err := sweep.Submit(context.Background(), s, filepath.Join(bin, "sbatch"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(sub.Arrays, ",") != "101,102,103" || sub.Collect != "104" {
		t.Errorf("submission %+v", sub)
	}
	want := "--parsable --array=0-1%2 --export=ALL,BINARYNET_TASK_OFFSET=0 " + s.Array + "\n" +
		"--parsable --array=0-1%2 --export=ALL,BINARYNET_TASK_OFFSET=2 " + s.Array + "\n" +
		"--parsable --array=0-0%2 --export=ALL,BINARYNET_TASK_OFFSET=4 " + s.Array + "\n" +
		"--parsable --dependency=afterok:101:102:103 " + s.Collect + "\n"
	got, _ := os.ReadFile(log)
	if string(got) != want {
		t.Errorf("sbatch calls:\n%s\nwant:\n%s", got, want)
	}

	// The submit script, with the stand-in first in PATH.
	if err := os.Remove(log); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", s.Submit)
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := cmd.CombinedOutput()
	if err != nil || string(out) != "array 101 102 103 collect 104\n" {
		t.Errorf("submit script: %v %q", err, out)
	}
	got, _ = os.ReadFile(log)
	if string(got) != want {
		t.Errorf("submit script's sbatch calls:\n%s\nwant:\n%s", got, want)
	}

	// A failing sbatch: the error names it and what it said.
	failing := "#!/bin/sh\necho 'sbatch: error: Batch job submission failed: Invalid partition' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "sbatch"), []byte(failing), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := sweep.Submit(context.Background(), s, filepath.Join(bin, "sbatch")); err == nil || !strings.Contains(err.Error(), "Invalid partition") {
		t.Errorf("failing sbatch: %v", err)
	}
}

func TestSlurmOptionErrors(t *testing.T) {
	dir := t.TempDir()
	f := newSweep(t, dir, smallGrid(t), &fakeRunner{})
	for _, tc := range []struct {
		mention string
		edit    func(*sweep.SlurmOptions)
	}{
		{`-mem "2 GB"`, func(o *sweep.SlurmOptions) { o.Mem = "2 GB" }},
		{`-time "1h"`, func(o *sweep.SlurmOptions) { o.Time = "1h" }},
		{"-cpus-per-task 0", func(o *sweep.SlurmOptions) { o.CPUsPerTask = 0 }},
		{"-throttle -1", func(o *sweep.SlurmOptions) { o.Throttle = -1 }},
		{`-job-name "a b"`, func(o *sweep.SlurmOptions) { o.JobName = "a b" }},
		{"-binary", func(o *sweep.SlurmOptions) { o.Binary = "" }},
		{`-sbatch "account"`, func(o *sweep.SlurmOptions) { o.Extra = []string{"account"} }},
		{"-max-array -2", func(o *sweep.SlurmOptions) { o.MaxArray = -2 }},
	} {
		o := slurmOptions()
		tc.edit(&o)
		if _, err := sweep.WriteSlurm(f, o); !errors.Is(err, sweep.ErrInput) || !strings.Contains(err.Error(), tc.mention) {
			t.Errorf("%s: err = %v", tc.mention, err)
		}
	}
	for _, ok := range []string{"30", "1-12", "1-12:30", "1-12:30:00", "12:30", "02:00:00"} {
		o := slurmOptions()
		o.Time = ok
		if _, err := sweep.WriteSlurm(f, o); err != nil {
			t.Errorf("-time %s: %v", ok, err)
		}
	}
}
