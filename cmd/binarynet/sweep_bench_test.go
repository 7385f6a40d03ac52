package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// defaultConfigFile is the pipeline's built-in default configuration (the
// toolkit's default model, N = 10,000, 3.2 M updates).
const defaultConfigFile = "../../pipeline/configs/default.yaml"

// benchSweep runs "sweep -run" of tasks tasks of the default model with
// R_Eplus = 7.25 (plus extra overrides) on jobs workers of threads threads
// each (0: the default, 1), b.N times, and reports tasks per
// hour and seconds per task.
func benchSweep(b *testing.B, tasks, jobs, threads int, extra ...string) {
	for b.Loop() {
		dir := b.TempDir()
		args := []string{"sweep", "-config", defaultConfigFile, "-O", "R_Eplus=7.25", "-networks", fmt.Sprint(tasks),
			"-o", filepath.Join(dir, "tasks.tsv"), "-run", "-jobs", fmt.Sprint(jobs), "-threads", fmt.Sprint(threads)}
		for _, e := range extra {
			args = append(args, "-O", e)
		}
		start := time.Now()
		code, stdout, stderr := runCtx(context.Background(), args...)
		wall := time.Since(start)
		if code != 0 || !strings.Contains(stdout, fmt.Sprintf("ran %d,", tasks)) {
			b.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		b.ReportMetric(float64(tasks)/wall.Hours(), "tasks/hour")
		b.ReportMetric(wall.Seconds()/float64(tasks), "s/task")
		os.RemoveAll(dir) // the tasks' files are large
	}
}

// BenchmarkSweepThroughput runs 8 tasks of the default model with -jobs 1
// (one thread, the default, then each task on 2 threads) and -jobs 2 (one
// thread each on 2 cores). Run it alone, once per sitting:
//
//	go test -run '^$' -bench SweepThroughput -benchtime 1x ./cmd/binarynet
func BenchmarkSweepThroughput(b *testing.B) {
	for _, c := range []struct{ jobs, threads int }{{1, 0}, {1, 2}, {2, 0}} {
		b.Run(fmt.Sprintf("jobs=%d/threads=%d", c.jobs, c.threads), func(b *testing.B) { benchSweep(b, 8, c.jobs, c.threads) })
	}
}

// BenchmarkSweepFigure4Task runs 2 tasks of the size of the toolkit's
// Figure 4 (12,000,000 recorded updates, sample interval 12,000) with
// -jobs 2, from which the time of the 6,075 tasks of the figure is
// estimated.
func BenchmarkSweepFigure4Task(b *testing.B) {
	benchSweep(b, 2, 2, 0, "binary.simulation_steps=12000000", "binary.sample_interval=12000")
}
