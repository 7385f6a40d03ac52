package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

const tinyScenarios = "testdata/tiny_scenarios.json"

// runBench runs the bench command and returns its exit status, stdout and
// stderr.
func runBench(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), append([]string{"bench"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestBenchJSONLine(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"tiny-dense", "tiny-sparse"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runBench(t, "-scenarios", tinyScenarios, "-batch", "7", "-seed", "3", name)
			if code != 0 {
				t.Fatalf("exit status %d, stderr %q", code, errOut)
			}
			if strings.Count(out, "\n") != 1 || !strings.HasSuffix(out, "\n") {
				t.Fatalf("want exactly one line, got %q", out)
			}
			var res map[string]any
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			// The keys of the Python reference's bench_reference.py.
			for _, key := range []string{"scenario", "N", "synapses", "init_s", "steps", "run_s",
				"ns_per_update", "flips", "ns_per_flip", "rates", "peak_rss_mb"} {
				if _, ok := res[key]; !ok {
					t.Errorf("key %q missing from %s", key, out)
				}
			}
			if res["scenario"] != name || res["N"] != 100.0 || res["steps"] != 2000.0 || res["batch"] != 7.0 || res["seed"] != 3.0 {
				t.Errorf("scenario, N, steps, batch or seed wrong: %s", out)
			}
			if s := res["synapses"].(float64); s <= 0 || s > 100*99 {
				t.Errorf("synapses = %v, want in (0, 9900]", s)
			}
			if f := res["flips"].(float64); f < 0 || f > 2000 {
				t.Errorf("flips = %v, want in [0, 2000]", f)
			}
			rates := res["rates"].(map[string]any)
			if len(rates) != 2 {
				t.Errorf("rates = %v, want E and I", rates)
			}
			for pop, r := range rates {
				if r := r.(float64); r < 0 || r > 1 {
					t.Errorf("rate of %s = %v, want in [0, 1]", pop, r)
				}
			}
		})
	}
}

// TestBenchDeterministic checks that the measured quantities other than
// times and memory depend only on the seed, not on the batch size or the
// number of build workers.
func TestBenchDeterministic(t *testing.T) {
	t.Parallel()
	pick := func(args ...string) [4]any {
		code, out, errOut := runBench(t, append([]string{"-scenarios", tinyScenarios}, args...)...)
		if code != 0 {
			t.Fatalf("exit status %d, stderr %q", code, errOut)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		rates, _ := json.Marshal(res["rates"])
		return [4]any{res["synapses"], res["flips"], string(rates), res["steps"]}
	}
	a := pick("-batch", "1", "-workers", "1", "tiny-sparse")
	b := pick("-batch", "1000", "-workers", "3", "tiny-sparse")
	if a != b {
		t.Errorf("batch 1, 1 worker gives %v; batch 1000, 3 workers gives %v", a, b)
	}
}

// TestBenchRAM checks that -ram is the build's memory budget: a budget
// too small for the network is refused, naming it, and a budget that
// fits gives the same network and run as the default.
func TestBenchRAM(t *testing.T) {
	t.Parallel()
	code, out, errOut := runBench(t, "-scenarios", tinyScenarios, "-ram", "0.00001", "tiny-sparse")
	if code != 2 || out != "" || !strings.Contains(errOut, "(-ram 1e-05)") || strings.Contains(errOut, "Options.") {
		t.Errorf("-ram 0.00001: exit status %d, stdout %q, stderr %q; want 2, nothing and the flag named", code, out, errOut)
	}
	pick := func(args ...string) string {
		code, out, errOut := runBench(t, append([]string{"-scenarios", tinyScenarios}, args...)...)
		if code != 0 {
			t.Fatalf("%v: exit status %d, stderr %q", args, code, errOut)
		}
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatal(err)
		}
		same, _ := json.Marshal([]any{res["synapses"], res["flips"], res["rates"]})
		return string(same)
	}
	if a, b := pick("tiny-sparse"), pick("-ram", "0.0001", "tiny-sparse"); a != b {
		t.Errorf("default budget gives %s, -ram 0.0001 gives %s", a, b)
	}
}

func TestBenchNoSteps(t *testing.T) {
	t.Parallel()
	code, out, errOut := runBench(t, "-scenarios", tinyScenarios, "tiny-build")
	if code != 0 {
		t.Fatalf("exit status %d, stderr %q", code, errOut)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"scenario", "N", "synapses", "init_s", "peak_rss_mb"} {
		if _, ok := res[key]; !ok {
			t.Errorf("key %q missing from %s", key, out)
		}
	}
	// Like the reference, a scenario without steps reports no run keys.
	if _, ok := res["run_s"]; ok {
		t.Errorf("run_s present for a scenario without steps: %s", out)
	}
}

func TestBenchErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want string // substring of the error line
	}{
		{"no name", []string{"-scenarios", tinyScenarios}, "one scenario name"},
		{"two names", []string{"-scenarios", tinyScenarios, "tiny-dense", "tiny-sparse"}, "one scenario name"},
		{"unknown name", []string{"-scenarios", tinyScenarios, "nope"}, `"nope"`},
		{"unknown flag", []string{"-frobnicate", "tiny-dense"}, "frobnicate"},
		{"bad batch", []string{"-scenarios", tinyScenarios, "-batch", "0", "tiny-dense"}, "-batch 0"},
		{"bad batch syntax", []string{"-scenarios", tinyScenarios, "-batch", "x", "tiny-dense"}, "-batch"},
		{"negative workers", []string{"-scenarios", tinyScenarios, "-workers", "-1", "tiny-dense"}, "-workers -1"},
		{"bad seed", []string{"-scenarios", tinyScenarios, "-seed", "-1", "tiny-dense"}, "-seed"},
		{"zero ram", []string{"-scenarios", tinyScenarios, "-ram", "0", "tiny-dense"}, "-ram 0"},
		{"negative ram", []string{"-scenarios", tinyScenarios, "-ram", "-2", "tiny-dense"}, "-ram -2"},
		{"NaN ram", []string{"-scenarios", tinyScenarios, "-ram", "NaN", "tiny-dense"}, "-ram NaN"},
		{"infinite ram", []string{"-scenarios", tinyScenarios, "-ram", "+Inf", "tiny-dense"}, "-ram +Inf"},
		{"missing file", []string{"-scenarios", "testdata/no-such-file.json", "tiny-dense"}, "no-such-file.json"},
		{"bad weight mode", []string{"-scenarios", tinyScenarios, "bad-mode"}, "weight_mode"},
		{"malformed file", []string{"-scenarios", "testdata/run_models.json", "tiny"}, `unknown key "clustered"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runBench(t, tc.args...)
			if code != 2 {
				t.Errorf("exit status %d, want 2", code)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want one line containing %q", errOut, tc.want)
			}
		})
	}
}

// TestIssue9BenchFromAnywhere checks that the repository's scenarios file
// is built in: without -scenarios, bench finds its scenarios although the
// tests run in cmd/binarynet, not at the repository root.
func TestIssue9BenchFromAnywhere(t *testing.T) {
	t.Parallel()
	code, _, errOut := runBench(t, "no-such-scenario")
	if code != 2 {
		t.Fatalf("exit status %d, want 2", code)
	}
	for _, name := range []string{"dense-5k", "sparse-50k", "build-50k-bernoulli", "sparse-1m"} {
		if !strings.Contains(errOut, name) {
			t.Errorf("scenario %s not listed in %q", name, errOut)
		}
	}
	if strings.Contains(errOut, "open") {
		t.Errorf("bench tried to open a file: %q", errOut)
	}
}

// TestIssue9BenchFlagsAfterName checks that flags after the scenario name
// are parsed, not taken as further scenario names.
func TestIssue9BenchFlagsAfterName(t *testing.T) {
	t.Parallel()
	code, out, errOut := runBench(t, "tiny-dense", "-scenarios", tinyScenarios, "-batch", "7", "-seed", "3")
	if code != 0 {
		t.Fatalf("exit status %d, stderr %q", code, errOut)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res["scenario"] != "tiny-dense" || res["batch"] != 7.0 || res["seed"] != 3.0 {
		t.Errorf("scenario, batch or seed not taken from the flags after the name: %s", out)
	}
}

// TestIssue9BenchMessagesWithoutGoTypes checks that a malformed scenarios
// file is described by its keys, not by the Go types it decodes into.
func TestIssue9BenchMessagesWithoutGoTypes(t *testing.T) {
	t.Parallel()
	file := writeTemp(t, "s.json", `{"scenarios": {"x": {"populations": [{"name": "E", "N": "many"}]}}}`)
	code, out, errOut := runBench(t, "-scenarios", file, "x")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 2 and one line", code, out, errOut)
	}
	if !strings.Contains(errOut, `"scenarios.populations.N": got a string, want an integer`) || strings.Contains(errOut, "Go struct") {
		t.Errorf("stderr %q, want the key and the kinds of value, no Go types", errOut)
	}
}
