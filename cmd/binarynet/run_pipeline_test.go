package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const toolkitSmall = "testdata/toolkit_small.yaml"

// runToolkit runs the run command with args as given (without -config it
// runs the built-in demo configuration) and returns its exit status,
// stdout and stderr.
func runToolkit(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), append([]string{"run"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// listFiles returns the files below dir, relative to it, sorted.
func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	slices.Sort(out)
	return out
}

// TestRunPipelineFiles runs a toolkit configuration into -out and into the
// data root's folder layout, and checks the files written.
func TestRunPipelineFiles(t *testing.T) {
	root := t.TempDir()
	t.Setenv("EI_CLUSTER_DATA_ROOT", filepath.Join(root, "data"))
	want := []string{"activity_trace.npz", "activity_trace_summary.yaml", "activity_trace_weights.npz", "params.yaml", "raster.png", "rates.png"}

	out := filepath.Join(root, "out")
	code, stdout, errOut := runToolkit(t, "--config", toolkitSmall, "-out", out, "--seed", "4", "-width", "300", "-height", "200")
	if code != 0 {
		t.Fatalf("exit status %d, stderr %q", code, errOut)
	}
	if got := listFiles(t, out); !slices.Equal(got, want) {
		t.Errorf("-out holds %v, want %v", got, want)
	}
	if strings.Count(stdout, "\n") != 1 || !strings.Contains(stdout, "500 units") {
		t.Errorf("stdout %q, want one summary line", stdout)
	}
	if strings.Contains(errOut, "note:") {
		t.Errorf("stderr %q: a note for a configuration whose keys are all known (or analysis keys)", errOut)
	}

	code, _, errOut = runToolkit(t, "--config", toolkitSmall, "-O", "kappa=1.0", "--simulation-steps", "5000", "--plot-activity", "--save-states", "-width", "300", "-height", "200")
	if code != 0 {
		t.Fatalf("exit status %d, stderr %q", code, errOut)
	}
	got := listFiles(t, filepath.Join(root, "data"))
	if len(got) != len(want)+1 {
		t.Fatalf("data root holds %v, want %d files in one folder", got, len(want)+1)
	}
	parts := strings.Split(got[0], "/")
	if len(parts) != 6 || parts[0] != "Poisson" || parts[1] != "Rj00_75" || parts[3] != "binary" || len(parts[2]) != 10 || len(parts[4]) != 10 {
		t.Errorf("folder %s, want Poisson/Rj00_75/<tag>/binary/<tag>/", got[0])
	}
	if !slices.Contains(got, strings.Join(parts[:5], "/")+"/activity_trace_activity.png") {
		t.Errorf("--plot-activity wrote no activity plot: %v", got)
	}
}

// TestRunPipelineUnknownKeyNote checks that a key binarynet does not
// read, misspelt here, is named in a note on stderr and otherwise kept:
// the run succeeds.
func TestRunPipelineUnknownKeyNote(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	code, _, errOut := runToolkit(t, "--config", toolkitSmall, "-out", out, "-O", "kapa=0.5", "-O", "binary.sed=4",
		"--simulation-steps", "2000", "-plots=false")
	if code != 0 {
		t.Fatalf("exit status %d, stderr %q", code, errOut)
	}
	for _, k := range []string{"kapa", "binary.sed"} {
		if !strings.Contains(errOut, "note: "+k+" is not a key binarynet reads") {
			t.Errorf("stderr %q does not name %s", errOut, k)
		}
	}
	params, err := os.ReadFile(filepath.Join(out, "params.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(params), "kapa: 0.5") {
		t.Errorf("params.yaml does not keep kapa:\n%s", params)
	}
}

// TestRunPipelineErrors checks that bad toolkit input gives one line
// naming the key and value, exit status 2, and writes nothing.
func TestRunPipelineErrors(t *testing.T) {
	root := t.TempDir()
	data := filepath.Join(root, "data")
	t.Setenv("EI_CLUSTER_DATA_ROOT", data)
	write := func(name, content string) string {
		p := filepath.Join(root, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	badYAML := write("bad.yaml", "N_E: [1,\n")
	plain := write("plain-file", "x")
	for _, tc := range []struct {
		name string
		args []string
		want []string // parts of the message
	}{
		{"missing R_Eplus", []string{"--config", "default"}, []string{"R_Eplus", "null"}},
		{"N_E not divisible by Q", []string{"-O", "N_E=8001"}, []string{"N_E", "8001", "Q = 20"}},
		{"kappa above 1", []string{"-O", "kappa=1.5"}, []string{"kappa", "1.5"}},
		{"kappa below 0", []string{"-O", "kappa=-0.5"}, []string{"kappa", "-0.5"}},
		{"unknown connection type", []string{"-O", "connection_type=lognormal"}, []string{"connection_type", "lognormal"}},
		{"override without =", []string{"-O", "R_Eplus"}, []string{"-O", "R_Eplus"}},
		{"list of the wrong length", []string{"-O", "binary.population_rate_init=[0.1, 0.2]"}, []string{"binary.population_rate_init", "[0.1, 0.2]", "40"}},
		{"flag list of the wrong length", []string{"--population-rate-init", "[0.1]"}, []string{"--population-rate-init", "[0.1]"}},
		{"non-numeric value", []string{"-O", "g=strong"}, []string{"g", "strong"}},
		{"non-numeric flag", []string{"--simulation-steps", "many"}, []string{"--simulation-steps", "many"}},
		{"zero sample interval", []string{"--sample-interval", "0"}, []string{"--sample-interval", "0"}},
		{"missing config", []string{"--config", filepath.Join(root, "missing.yaml")}, []string{"config", "missing.yaml"}},
		{"invalid YAML", []string{"--config", badYAML}, []string{"bad.yaml"}},
		{"JSON-only flag", []string{"-Q", "3"}, []string{"-Q", "-O"}},
		{"-out is a file", []string{"--config", toolkitSmall, "-out", plain}, []string{"-out", "plain-file"}},
		{"memory budget", []string{"-O", "binary.ram_budget_gb=0.01"}, []string{"GiB"}},
		{"field log unit", []string{"-O", "binary.field_log={units: [E0, E20]}"}, []string{"binary.field_log.units[1]", "E20"}},
		{"field log interval", []string{"-O", "binary.field_log={interval: 0}"}, []string{"binary.field_log.interval", "0"}},
		{"field log too large", []string{"--config", toolkitSmall, "-O", "binary.ram_budget_gb=0.1", "-O", "binary.field_log={interval: 1, split: true}"}, []string{"binary.field_log", "20000 samples of 500 units", "GiB"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, errOut := runToolkit(t, tc.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2 (stderr %q)", code, errOut)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "binarynet run: ") {
				t.Errorf("stderr %q, want one line", errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not name %q", errOut, w)
				}
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if files := listFiles(t, data); len(files) != 0 {
				t.Errorf("files written: %v", files)
			}
			if _, err := os.Stat(data); err == nil {
				t.Errorf("the data root %s was created", data)
			}
		})
	}
}

// TestRunPipelineInterruptResume interrupts a toolkit run (exit status 3,
// only the checkpoint and resume files left), resumes it with -resume and
// checks that the trace and weights files equal an uninterrupted run's,
// without and with a field log being recorded (binary.field_log).
func TestRunPipelineInterruptResume(t *testing.T) {
	for _, tc := range []struct {
		name  string
		extra []string
	}{
		{"plain", nil},
		{"field log", []string{"-O", "binary.field_log={units: [E0, I3, 450], interval: 50, split: true}"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			args := append([]string{"run", "--config", toolkitSmall, "--simulation-steps", "200000", "-plots=false"}, tc.extra...)
			ref := filepath.Join(root, "ref")
			if code, _, stderr := runCtx(context.Background(), append(slices.Clone(args), "-out", ref)...); code != 0 {
				t.Fatalf("uninterrupted run: exit %d: %s", code, stderr)
			}
			dir := filepath.Join(root, "run")
			// RunContext looks at the context before each batch of 200
			// updates (50 with the field log, whose samples cut them): the
			// run stops after 300 batches, in its recorded part.
			code, stdout, stderr := runCtx(newCountdown(300), append(slices.Clone(args), "-out", dir)...)
			if code != 3 || stdout != "" || !strings.Contains(stderr, "-resume") {
				t.Fatalf("interrupted run: exit %d, stdout %q, stderr %q; want 3 and how to resume", code, stdout, stderr)
			}
			if got := listFiles(t, dir); !slices.Equal(got, []string{"checkpoint.bin", "resume.yaml"}) {
				t.Errorf("the interrupted run left %v, want only checkpoint.bin and resume.yaml", got)
			}
			if code, _, stderr := runCtx(context.Background(), "run", "-resume", dir, "-q", "-plots=false"); code != 0 {
				t.Fatalf("-resume: exit %d: %s", code, stderr)
			}
			if got, want := listFiles(t, dir), listFiles(t, ref); !slices.Equal(got, want) {
				t.Errorf("resumed folder holds %v, want %v", got, want)
			}
			for _, name := range []string{"activity_trace.npz", "activity_trace_weights.npz", "params.yaml"} {
				a, err := os.ReadFile(filepath.Join(ref, name))
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(filepath.Join(dir, name))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a, b) {
					t.Errorf("%s of the resumed run differs from the uninterrupted run's", name)
				}
			}
		})
	}
}
