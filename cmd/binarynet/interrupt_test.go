package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/binarynet/binarynet/npz"
)

// countdownCtx is a context whose Err reports cancellation from its
// (left+1)-th call on: RunContext looks at Err before each batch, so the
// run stops at a chosen chunk, the same in every test run.
type countdownCtx struct {
	context.Context
	left atomic.Int64
}

func newCountdown(left int64) *countdownCtx {
	c := &countdownCtx{Context: context.Background()}
	c.left.Store(left)
	return c
}

func (c *countdownCtx) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// runCtx runs the binarynet command line args with ctx.
func runCtx(ctx context.Context, args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := dispatch(ctx, args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// interruptArgs is a clustered run of 201 units: 2 sweeps of warm-up (one
// chunk of updates) and 700 sweeps recorded (140,700 steps, 3 chunks).
var interruptArgs = []string{"-config", runModels, "-scenario", "small-clusters", "-sweeps", "700", "-width", "300", "-height", "200", "-seed", "9"}

// TestIssue9InterruptResumeBitForBit interrupts a run at several points
// (before the warm-up, at the start of the recording, within it, and
// twice in a row), checks what the interrupted run leaves, resumes it and
// checks that the final outputs are those of an uninterrupted run.
func TestIssue9InterruptResumeBitForBit(t *testing.T) {
	t.Parallel()
	ref := filepath.Join(t.TempDir(), "ref")
	if code, _, stderr := runCtx(context.Background(), append([]string{"run", "-out", ref}, interruptArgs...)...); code != 0 {
		t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
	}
	want := readOutputs(t, ref)
	for _, tc := range []struct {
		name  string
		stops []int64 // Err calls before each interrupt, one per invocation
	}{
		{"before the warm-up", []int64{0}},
		{"at the start of the recording", []int64{1}},
		{"within the recording", []int64{2}},
		{"twice", []int64{1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "out")
			args := append([]string{"run", "-out", dir}, interruptArgs...)
			var taken int64 = -1
			for i, stop := range tc.stops {
				if i > 0 {
					args = []string{"run", "-resume", dir}
				}
				code, stdout, stderr := runCtx(newCountdown(stop), args...)
				if code != 3 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "binarynet run -resume "+dir) {
					t.Fatalf("interrupt %d: exit %d, stdout %q, stderr %q; want status 3 and how to resume", i, code, stdout, stderr)
				}
				s := readSummary(t, dir)
				if s.Complete || s.StepsTaken <= taken || s.StepsTaken >= int64(s.WarmupSteps+s.Steps) || s.Resume == "" {
					t.Fatalf("interrupt %d: summary complete %v at step %d (before: %d), resume %q", i, s.Complete, s.StepsTaken, taken, s.Resume)
				}
				taken = s.StepsTaken
				files := dirNames(t, dir)
				if !slices.Contains(files, checkpointFile) {
					t.Fatalf("interrupt %d: files %v, no checkpoint", i, files)
				}
				if s.Recording != slices.Contains(files, "difflog.npz") {
					t.Errorf("interrupt %d: recording %v but files %v", i, s.Recording, files)
				}
				if s.Recording {
					rec, err := npz.LoadDiffLog(filepath.Join(dir, "difflog.npz"))
					if err != nil || rec.Log.Len() != s.RecordedSteps {
						t.Errorf("interrupt %d: difflog.npz %v, want the %d steps recorded", i, err, s.RecordedSteps)
					}
				}
			}
			code, stdout, stderr := runCtx(context.Background(), "run", "-resume", dir)
			if code != 0 || !strings.Contains(stdout, "wrote") {
				t.Fatalf("resume: exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			got := readOutputs(t, dir)
			for name, w := range want {
				if !bytes.Equal(got[name], w) {
					t.Errorf("%s differs from the uninterrupted run's", name)
				}
			}
			if files := dirNames(t, dir); slices.Contains(files, checkpointFile) {
				t.Errorf("the checkpoint is left after the run completed: %v", files)
			}
			s := readSummary(t, dir)
			if !s.Complete || s.RecordedSteps != s.Steps || s.Resume != "" {
				t.Errorf("final summary: complete %v, %d of %d steps, resume %q", s.Complete, s.RecordedSteps, s.Steps, s.Resume)
			}
			if code, _, stderr := runCtx(context.Background(), "run", "-resume", dir); code != 2 || !strings.Contains(stderr, "complete") {
				t.Errorf("resuming a complete run: exit %d, stderr %q; want 2", code, stderr)
			}
		})
	}
}

// readOutputs returns the outputs of a run that must not depend on
// interruptions: the pictures and the diff log, byte for byte.
func readOutputs(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range []string{"difflog.npz", "raster.png", "rates.png"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = data
	}
	return out
}

// TestIssue9ResumeErrors checks -resume's input errors.
func TestIssue9ResumeErrors(t *testing.T) {
	t.Parallel()
	empty := t.TempDir()
	dir := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := runCtx(newCountdown(2), append([]string{"run", "-out", dir}, interruptArgs...)...); code != 3 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-resume", empty}, "no summary.json"},
		{[]string{"-resume", dir, "-seed", "2"}, "-seed cannot be given with -resume"},
		{[]string{"-resume", dir, "extra"}, `"extra"`},
	} {
		code, stdout, stderr := runCtx(context.Background(), append([]string{"run"}, tc.args...)...)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want 2 naming %s", tc.args, code, stdout, stderr, tc.want)
		}
	}
	// A damaged checkpoint is an input error too.
	if err := os.WriteFile(filepath.Join(dir, checkpointFile), []byte("BNETCKPT garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCtx(context.Background(), "run", "-resume", dir); code != 2 || !strings.Contains(stderr, "checkpoint") {
		t.Errorf("damaged checkpoint: exit %d, stderr %q; want 2", code, stderr)
	}
}

// TestIssue9SignalWritesCheckpoint sends SIGTERM, then SIGINT to a built
// binary during a long warm-up and checks that each time it exits with
// status 3 after writing its checkpoint and summary, and that the resumed
// run gets further.
func TestIssue9SignalWritesCheckpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command")
	}
	t.Parallel()
	tmp := t.TempDir()
	bin := filepath.Join(tmp, "binarynet")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := filepath.Join(tmp, "out")
	// 100,000 sweeps of warm-up take minutes: the signal comes first.
	args := []string{"run", "-out", dir, "-config", runModels, "-scenario", "small-clusters", "-warmup-sweeps", "100000000", "-sweeps", "1"}
	var taken int64 = -1
	for i, sig := range []os.Signal{syscall.SIGTERM, os.Interrupt} {
		if i > 0 {
			args = []string{"run", "-resume", dir}
		}
		cmd := exec.Command(bin, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitBusy(t, cmd.Process.Pid)
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		err := cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != 3 {
			t.Fatalf("%v: exit status %d (%v), stderr %q; want 3", sig, code, err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "-resume") {
			t.Errorf("%v: stderr %q does not say how to resume", sig, stderr.String())
		}
		s := readSummary(t, dir)
		if s.Complete || s.StepsTaken <= taken {
			t.Errorf("%v: summary complete %v at step %d, before %d", sig, s.Complete, s.StepsTaken, taken)
		}
		taken = s.StepsTaken
		if _, err := os.Stat(filepath.Join(dir, checkpointFile)); err != nil {
			t.Errorf("%v: %v", sig, err)
		}
	}
}

// waitBusy waits until the process pid has used half a second of CPU
// time, by then long past installing its signal handlers (the first thing
// main does) and into its run. Without /proc it waits 2 s of wall time.
func waitBusy(t *testing.T, pid int) {
	t.Helper()
	stat := filepath.Join("/proc", strconv.Itoa(pid), "stat")
	if _, err := os.Stat(stat); err != nil {
		time.Sleep(2 * time.Second)
		return
	}
	for range 6000 { // at most 60 s
		if data, err := os.ReadFile(stat); err == nil {
			// Fields after the command name in parentheses: utime and
			// stime are the 12th and 13th, in clock ticks (100 per s).
			if _, rest, ok := strings.Cut(string(data), ") "); ok {
				f := strings.Fields(rest)
				if len(f) > 12 {
					ut, _ := strconv.Atoi(f[11])
					st, _ := strconv.Atoi(f[12])
					if ut+st >= 50 {
						return
					}
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("process %d did not start running within 60 s", pid)
}
