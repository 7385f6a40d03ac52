package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/binarynet/binarynet/sweep"
)

// TestTaskKilledMidWriteThenRerun kills (SIGKILL) a "binarynet task"
// process as soon as its first output file appears in its staging folder,
// while it writes: no marker and no task folder are left, collect reports
// the task missing, and a rerun completes it and collect succeeds. A
// rerun of the finished sweep then does no work.
func TestTaskKilledMidWriteThenRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("starts task processes")
	}
	dir := t.TempDir()
	base := writeSweepBase(t, dir)
	tasks := filepath.Join(dir, "tasks.tsv")
	// A longer run than the other tests', so that the trace takes a while
	// to write: 200,000 recorded updates.
	args := []string{"sweep", "-config", base, "-o", tasks, "-S", "kappa=0,1", "-O", "binary.simulation_steps=200000", "-O", "binary.sample_interval=10"}
	if code, stdout, stderr := runCtx(context.Background(), args...); code != 0 {
		t.Fatalf("sweep: %d %s%s", code, stdout, stderr)
	}
	f, err := sweep.ReadFile(tasks)
	if err != nil {
		t.Fatal(err)
	}
	task := f.Tasks[1]
	parent := filepath.Dir(f.TaskDir(task))
	staged := "." + filepath.Base(f.TaskDir(task)) + ".partial-"

	cmd := exec.Command(os.Args[0], "task", "-index", "1", tasks)
	cmd.Env = cleanEnv(asMainVar + "=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var seen string
	deadline := time.Now().Add(2 * time.Minute)
poll:
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			t.Fatalf("the task finished (%v) before any output file was seen", err)
		default:
		}
		entries, _ := os.ReadDir(parent)
		for _, e := range entries {
			if strings.HasPrefix(e.Name(), staged) {
				files, _ := os.ReadDir(filepath.Join(parent, e.Name()))
				if len(files) > 0 {
					seen = files[0].Name()
					break poll
				}
			}
		}
		time.Sleep(time.Millisecond)
	}
	if seen == "" {
		t.Fatal("no output file within 2 minutes")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := <-exited; !errors.As(err, &exit) || exit.Success() {
		t.Fatalf("killed task: %v", err)
	}
	t.Logf("killed while %s was in the staging folder", seen)
	if _, err := os.Stat(f.TaskDir(task)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed task's folder exists (%v)", err)
	}
	if s, err := f.Check(task); s != sweep.Missing || err != nil {
		t.Errorf("Check: %v %v", s, err)
	}
	if code, _, stderr := runCtx(context.Background(), "collect", "-o", "-", tasks); code != 2 || !strings.Contains(stderr, "missing: 0-1") {
		t.Errorf("collect after the kill: exit %d, %q", code, stderr)
	}

	// Rerun: both tasks complete, collect succeeds, no staging is left.
	if code, stdout, stderr := runCtx(context.Background(), append(args, "-run", "-jobs", "2")...); code != 0 || !strings.Contains(stdout, "ran 2, skipped 0") {
		t.Fatalf("rerun: exit %d %s%s", code, stdout, stderr)
	}
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".partial-") {
			t.Errorf("staging folder %s left", e.Name())
		}
	}
	if code, stdout, stderr := runCtx(context.Background(), "collect", "-o", "-", tasks); code != 0 || strings.Count(stdout, "\n") != 3 {
		t.Errorf("collect: exit %d %q %q", code, stdout, stderr)
	}
	// A rerun of the finished sweep does no work, in the command and in a
	// task process.
	if code, stdout, _ := runCtx(context.Background(), append(args, "-run")...); code != 0 || !strings.Contains(stdout, "ran 0, skipped 2") {
		t.Errorf("rerun of the finished sweep: exit %d %q", code, stdout)
	}
	c := exec.Command(os.Args[0], "task", "-index", "1", tasks)
	c.Env = cleanEnv(asMainVar + "=1")
	if out, err := c.CombinedOutput(); err != nil || !strings.Contains(string(out), "task 1 finished before, skipped") {
		t.Errorf("task rerun: %v %s", err, out)
	}
}

// TestTaskCorruptionDetected: a flipped byte in a finished task's trace,
// or a damaged marker, makes collect fail naming the task and file (exit
// 2); "binarynet task" then runs the task again and collect succeeds.
func TestTaskCorruptionDetected(t *testing.T) {
	dir := t.TempDir()
	base := writeSweepBase(t, dir)
	tasks := filepath.Join(dir, "tasks.tsv")
	if code, stdout, stderr := runCtx(context.Background(), "sweep", "-config", base, "-o", tasks, "-S", "kappa=0,1", "-run", "-jobs", "1"); code != 0 {
		t.Fatalf("sweep: %d %s%s", code, stdout, stderr)
	}
	f, err := sweep.ReadFile(tasks)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, mention string
	}{
		{"activity_trace.npz", "activity_trace.npz does not match the marker"},
		{sweep.MarkerName, "does not match its checksum"},
	} {
		name := filepath.Join(f.TaskDir(f.Tasks[0]), tc.file)
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if tc.file == sweep.MarkerName {
			b = []byte(strings.Replace(string(b), `"size": `, `"size": 1`, 1))
		} else {
			b[len(b)/2] ^= 1
		}
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runCtx(context.Background(), "collect", "-o", "-", tasks)
		if code != 2 || !strings.Contains(stderr, "corrupt: 0") || !strings.Contains(stderr, tc.mention) {
			t.Errorf("%s damaged: collect exit %d, %q", tc.file, code, stderr)
		}
		code, stdout, stderr := runCtx(context.Background(), "task", "-index", "0", tasks)
		if code != 0 || !strings.Contains(stdout, "run again") {
			t.Errorf("%s damaged: task exit %d, %q %q", tc.file, code, stdout, stderr)
		}
		if code, _, stderr := runCtx(context.Background(), "collect", "-o", "-", tasks); code != 0 {
			t.Errorf("%s damaged: collect after the rerun: exit %d, %q", tc.file, code, stderr)
		}
	}
}
