package main

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/binarynet/binarynet/npz"
)

// TestRunContinuousTimeFlag checks -continuous-time on a JSON model: the
// diff log has the time of every update, its updates are those of the run
// without the flag, and a run interrupted while recording resumes to the
// same difflog.npz, times included. With the toolkit's configuration the
// flag is a usage error pointing to -O.
func TestRunContinuousTimeFlag(t *testing.T) {
	t.Parallel()
	run := func(dir string, extra ...string) {
		t.Helper()
		if code, _, stderr := runCtx(context.Background(), append(append([]string{"run", "-out", dir}, interruptArgs...), extra...)...); code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	}
	off, on := filepath.Join(t.TempDir(), "off"), filepath.Join(t.TempDir(), "on")
	run(off)
	run(on, "-continuous-time")
	recOff, err := npz.LoadDiffLog(filepath.Join(off, "difflog.npz"))
	if err != nil {
		t.Fatal(err)
	}
	recOn, err := npz.LoadDiffLog(filepath.Join(on, "difflog.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if recOff.Log.Times != nil || len(recOn.Log.Times) != recOn.Log.Len() || recOn.Log.Len() == 0 {
		t.Fatalf("times: %d without the flag, %d with it for %d steps", len(recOff.Log.Times), len(recOn.Log.Times), recOn.Log.Len())
	}
	if !slices.Equal(recOn.Log.Updates, recOff.Log.Updates) || !slices.Equal(recOn.Log.Deltas, recOff.Log.Deltas) {
		t.Error("the updates with -continuous-time differ from those without")
	}

	dir := filepath.Join(t.TempDir(), "out")
	args := append(append([]string{"run", "-out", dir}, interruptArgs...), "-continuous-time")
	if code, _, stderr := runCtx(newCountdown(2), args...); code != 3 {
		t.Fatalf("interrupted run: exit %d, stderr %q; want 3", code, stderr)
	}
	if code, _, stderr := runCtx(context.Background(), "run", "-resume", dir); code != 0 {
		t.Fatalf("resume: exit %d, stderr %q", code, stderr)
	}
	if !bytes.Equal(readOutputs(t, dir)["difflog.npz"], readOutputs(t, on)["difflog.npz"]) {
		t.Error("the resumed difflog.npz differs from the uninterrupted run's")
	}

	code, _, stderr := runCtx(context.Background(), "run", "-out", t.TempDir(), "-continuous-time")
	if code != 2 || !strings.Contains(stderr, "-continuous-time") || !strings.Contains(stderr, "-O") {
		t.Errorf("-continuous-time with the toolkit's configuration: exit %d, stderr %q; want 2 naming the flag and -O", code, stderr)
	}
}
