package pipeline

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/james-bowman/sparse"
	"gonum.org/v1/gonum/mat"
)

// python returns a Python interpreter with numpy, scipy and yaml, or ""
// when there is none: $BINARYNET_PYTHON, python3, /usr/bin/python3.
func python(t *testing.T) string {
	for _, p := range []string{os.Getenv("BINARYNET_PYTHON"), "python3", "/usr/bin/python3"} {
		if p == "" {
			continue
		}
		if exec.Command(p, "-c", "import numpy, scipy.sparse, yaml").Run() == nil {
			return p
		}
	}
	return ""
}

// TestPythonLoadsOutputs runs a small job in sparse (CSR) and dense mode
// and has Python load every file with numpy, scipy and yaml and check it
// (testdata/check_outputs.py): dtypes and shapes, rates, states and onsets
// replayed from the diff log, the weights against a second build of the
// same network, the summary's mean rates and the tags of params.yaml.
func TestPythonLoadsOutputs(t *testing.T) {
	py := python(t)
	if py == "" {
		t.Skip("no python3 with numpy, scipy and yaml (set BINARYNET_PYTHON): the Go layout tests still ran")
	}
	for _, mode := range []string{"sparse", "dense"} {
		t.Run(mode, func(t *testing.T) {
			j := smallJob(t, "binary.weight_mode="+mode, "binary.output_name=trace")
			dir := t.TempDir()
			if _, err := Run(context.Background(), j, dir, RunOptions{SaveStates: true}); err != nil {
				t.Fatal(err)
			}
			expect := weightFacts(t, j)
			expect["output_name"] = "trace"
			expect["seed"] = int64(j.Binary.Seed)
			expect["weight_mode"] = mode
			expect["tag"], expect["binary_tag"] = j.Tag(), j.BinaryTag()
			data, err := json.Marshal(expect)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, "expect.json"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(py, filepath.Join("testdata", "check_outputs.py"), dir).CombinedOutput()
			if err != nil || strings.TrimSpace(string(out)) != "ok" {
				t.Fatalf("check_outputs.py: %v\n%s", err, out)
			}
		})
	}
}

// weightFacts builds the job's network a second time and returns facts of
// its weights for the Python check: the number of non-zero entries, the
// sum and absolute sum, and a few entries [post, pre, value].
func weightFacts(t *testing.T, j *Job) map[string]any {
	t.Helper()
	nw := clusteredNetwork(t, j, "check")
	m, err := nw.Weights()
	if err != nil {
		t.Fatal(err)
	}
	var nnz int64
	var sum, abs float64
	var entries [][3]float64
	visit := func(post, pre int, v float64) {
		if v == 0 {
			return
		}
		nnz++
		sum += v
		abs += math.Abs(v)
		if nnz%997 == 1 {
			entries = append(entries, [3]float64{float64(post), float64(pre), v})
		}
	}
	switch m := m.(type) {
	case *sparse.CSC:
		m.DoNonZero(func(i, j int, v float64) { visit(i, j, v) })
	case *mat.Dense:
		r, c := m.Dims()
		for i := range r {
			for j := range c {
				visit(i, j, m.At(i, j))
			}
		}
	}
	return map[string]any{"nonzero": nnz, "sum": sum, "abs_sum": abs, "entries": entries}
}
