package sweep_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/binarynet/binarynet/sweep"
)

// The environment variables that make the test binary run one task of a
// sweep slowly (see TestMain) instead of the tests.
const (
	childFileVar  = "SWEEP_TEST_CHILD_TASKFILE"
	childIndexVar = "SWEEP_TEST_CHILD_INDEX"
	childReadyVar = "SWEEP_TEST_CHILD_READY"
)

func TestMain(m *testing.M) {
	if name := os.Getenv(childFileVar); name != "" {
		os.Exit(childTask(name))
	}
	os.Exit(m.Run())
}

// childTask runs one task with a slow fake runner, for TestKillMidWrite.
func childTask(name string) int {
	f, err := sweep.ReadFile(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	i, _ := strconv.Atoi(os.Getenv(childIndexVar))
	r := &fakeRunner{slowReady: os.Getenv(childReadyVar)}
	if _, err := sweep.RunTask(context.Background(), f, i, r, sweep.TaskOptions{Threads: 1}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestKillMidWrite kills (SIGKILL on Unix) a task process while it writes
// its trace: no marker and no file under the task's folder is left, the
// sweep is incomplete, and a rerun completes it.
func TestKillMidWrite(t *testing.T) {
	dir := t.TempDir()
	r := &fakeRunner{}
	f := newSweep(t, dir, smallGrid(t), r)
	ready := filepath.Join(dir, "ready")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childFileVar+"="+f.Path, childIndexVar+"=2", childReadyVar+"="+ready)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(ready); err == nil {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatal("the task process did not start writing within 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	var exit *exec.ExitError
	if err := cmd.Wait(); !errors.As(err, &exit) || exit.Success() {
		t.Fatalf("killed process: %v", err)
	}

	task := f.Tasks[2]
	if _, err := os.Stat(f.TaskDir(task)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed task's folder exists (%v): its files could look complete", err)
	}
	parent := filepath.Dir(f.TaskDir(task))
	entries, _ := os.ReadDir(parent)
	staged := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "."+task.Tag+".partial-") {
			staged++
			info, err := os.Stat(filepath.Join(parent, e.Name(), "trace.bin"))
			if err != nil || info.Size() >= 64<<10 {
				t.Errorf("staged trace: %v, %v", info, err)
			}
		}
	}
	if staged != 1 {
		t.Errorf("%d staging folders, want the killed one", staged)
	}
	if s, err := f.Check(task); s != sweep.Missing || err != nil {
		t.Errorf("Check: %v %v", s, err)
	}

	// Rerun the whole sweep: the killed task and the others complete.
	rep, err := sweep.RunAll(context.Background(), f, r, sweep.RunOptions{Jobs: 2})
	if err != nil || rep.Ran != 6 {
		t.Fatalf("rerun: %+v %v", rep, err)
	}
	entries, _ = os.ReadDir(parent)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".partial-") {
			t.Errorf("staging folder %s left after the rerun", e.Name())
		}
	}
	if _, err := sweep.Collect(f, false); err != nil {
		t.Errorf("Collect: %v", err)
	}
}
