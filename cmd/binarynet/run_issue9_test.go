package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeTemp writes content to a file name in a new temporary directory
// and returns its path.
func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// clusteredFile returns a model file with one small clustered model whose
// "clustered" object has the given extra keys (a JSON fragment beginning
// with a comma, or "").
func clusteredFile(t *testing.T, extra string) string {
	t.Helper()
	return writeTemp(t, "model.json", `{"scenarios": {"m": {"clustered": {"Q": 2, "N_E": 8, "N_I": 2,
		"R_Eplus": 1.5`+extra+`}, "sweeps": 2}}}`)
}

// checkUsageError asserts the shape of every input error: exit status 2,
// one line on stderr that names want, nothing on stdout, no output
// directory.
func checkUsageError(t *testing.T, args []string, want ...string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runRun(t, append([]string{"-out", out}, args...)...)
	if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "binarynet run: ") {
		t.Errorf("%q: exit %d, stdout %q, stderr %q; want status 2 and one line", args, code, stdout, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("%q: stderr %q does not name %s", args, stderr, w)
		}
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%q: output directory exists after an error: %v", args, err)
	}
	return stderr
}

// TestIssue9MessagesNameWhatWasTyped checks that errors name the flag or
// the JSON key the user wrote, not the Go field, say "binarynet" once,
// and describe a malformed config without Go types.
func TestIssue9MessagesNameWhatWasTyped(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"flag", []string{"-kappa", "2"}, []string{"-kappa 2: must be in [0, 1]"}},
		{"int flag", []string{"-NE", "-3"}, []string{"-NE -3: must be >= 1"}},
		{"tau flag", []string{"-tauE", "-1"}, []string{"-tauE -1: must be positive"}},
		{"probability flag", []string{"-p", "1.5"}, []string{"-p 1.5: must be in (0, 1]"}},
		{"derived R_I+", []string{"-Rj", "5"}, []string{"-Rj 5: gives R_I+"}},
		{"not a number", []string{"-REplus", "many"}, []string{"-REplus many: not a number"}},
		{"connection type", []string{"-connection", "gauss"}, []string{`-connection gauss: must be "bernoulli"`}},
		{"key", []string{"-config", clusteredFile(t, `, "kappa": 2`)}, []string{`scenario "m": "kappa": 2: must be in [0, 1]`}},
		{"probability key", []string{"-config", clusteredFile(t, `, "p0_ei": -1`)}, []string{`"p0_ei": -1: must be in (0, 1]`}},
		{"missing R_Eplus", []string{"-config", writeTemp(t, "m.json", `{"scenarios": {"m": {"clustered": {"Q": 2, "N_E": 8, "N_I": 2}, "sweeps": 2}}}`)},
			[]string{`"R_Eplus": must be set`}},
		{"not divisible", []string{"-config", clusteredFile(t, `, "N_I": 3`)}, []string{`"N_I": 3: must be divisible by Q=2`}},
		{"wrong JSON type", []string{"-config", writeTemp(t, "m.json", `{"scenarios": {"m": {"clustered": {"Q": "many"}, "sweeps": 1}}}`)},
			[]string{`"clustered.Q": got a string, want an integer`}},
		{"wrong JSON type in a scenario", []string{"-config", writeTemp(t, "m.json", `{"scenarios": {"m": {"populations": [{"name": "E", "N": 1.5}]}}}`)},
			[]string{`"populations.N": got the number 1.5, want an integer`}},
		{"truncated JSON", []string{"-config", writeTemp(t, "m.json", `{"scenarios": {"m": {`)}, []string{"m.json: invalid JSON"}},
		{"unknown key", []string{"-config", clusteredFile(t, `, "R_jj": 1`)}, []string{`unknown key "R_jj"`}},
		{"weight mode key", []string{"-config", writeTemp(t, "m.json", `{"scenarios": {"m": {"clustered": {"Q": 1}, "weight_mode": "diag", "sweeps": 1}}}`)},
			[]string{`"weight_mode" "diag": want dense, sparse or auto`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			msg := checkUsageError(t, tc.args, tc.want...)
			if n := strings.Count(msg, "binarynet"); n != 1 {
				t.Errorf("stderr %q says binarynet %d times, want once", msg, n)
			}
			for _, goName := range []string{"RJ", "ClusteredParams", "clusteredModel", "Go struct", "Go value", "of type", "unmarshal", "float64", "<nil>"} {
				if strings.Contains(msg, goName) {
					t.Errorf("stderr %q names the Go code (%q)", msg, goName)
				}
			}
		})
	}
}

// TestIssue9ExplicitZeroIsNotDefault checks that an explicit zero for a
// parameter whose zero the library replaces by a default is an error, on
// the command line and in a -config file, while an unset parameter takes
// the default.
func TestIssue9ExplicitZeroIsNotDefault(t *testing.T) {
	t.Parallel()
	for _, flagName := range []string{"tauE", "tauI"} {
		checkUsageError(t, []string{"-" + flagName, "0"}, "-"+flagName+" 0: must be positive")
	}
	for _, flagName := range []string{"Q", "NE", "NI"} {
		checkUsageError(t, []string{"-" + flagName, "0"}, "-"+flagName+" 0: must be >= 1")
	}
	for _, key := range []string{"tau_e", "tau_i"} {
		checkUsageError(t, []string{"-config", clusteredFile(t, `, "`+key+`": 0`)}, `"`+key+`": 0: must be positive`)
	}
	// Unset: the defaults (tau_e 10, tau_i = tau_e/2 = 5).
	dir := t.TempDir()
	if code, _, stderr := runRun(t, "-out", dir, "-config", clusteredFile(t, ""), "-plots=false"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	c := readSummary(t, dir).Clustered
	if c == nil || c.TauE != 10 || c.TauI == nil || *c.TauI != 5 || c.Kappa != 0 || c.Rj != 0.75 {
		t.Errorf("unset parameters: %+v, want tau_e 10, tau_i 5, kappa 0, R_j 0.75", c)
	}
	// Explicit valid values are taken.
	dir = t.TempDir()
	if code, _, stderr := runRun(t, "-out", dir, "-config", clusteredFile(t, `, "tau_e": 3`), "-tauI", "2", "-plots=false"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if c := readSummary(t, dir).Clustered; c == nil || c.TauE != 3 || c.TauI == nil || *c.TauI != 2 {
		t.Errorf("explicit taus: %+v, want tau_E 3, tau_I 2", c)
	}
}

// TestIssue9RAMFlag checks that -ram sets the budget: a network or log
// that does not fit is refused before anything runs, naming -ram.
func TestIssue9RAMFlag(t *testing.T) {
	t.Parallel()
	// The default model's sparse weights take about 1.9 M synapses * 8
	// bytes = 0.014 GiB, its dense ones 2500^2 * 4 bytes = 0.023 GiB.
	checkUsageError(t, []string{"-ram", "0.01", "-plots=false"}, "budget is 0.01 GiB (-ram 0.01)")
	checkUsageError(t, []string{"-ram", "0.02", "-mode", "dense", "-plots=false"}, "budget is 0.02 GiB (-ram 0.02)")
	// 20,000 sweeps of 2,500 updates need a 0.23 GiB diff log.
	checkUsageError(t, []string{"-ram", "0.2", "-sweeps", "20000"}, "diff log", "more than -ram 0.2")
	for _, bad := range []string{"0", "-1", "NaN", "+Inf"} {
		checkUsageError(t, []string{"-ram", bad}, "-ram")
	}
	dir := t.TempDir()
	if code, _, stderr := runRun(t, "-out", dir, "-config", runModels, "-scenario", "tiny", "-ram", "0.01", "-plots=false"); code != 0 {
		t.Fatalf("a small run within -ram 0.01: exit %d: %s", code, stderr)
	}
}

// TestIssue9SkipPictures checks that -plots=false writes everything but
// the pictures.
func TestIssue9SkipPictures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, stderr := runRun(t, "-out", dir, "-config", runModels, "-scenario", "tiny", "-plots=false"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"difflog.npz", "summary.json"}) {
		t.Errorf("files %v, want difflog.npz and summary.json only", got)
	}
}

// dirNames returns the sorted names in dir.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestIssue9BadOutBeforeRun checks that an -out that cannot be written is
// found before the run, with status 2: it used to be found after the whole
// simulation, with status 1.
func TestIssue9BadOutBeforeRun(t *testing.T) {
	t.Parallel()
	file := writeTemp(t, "plain", "x")
	for _, out := range []string{file, filepath.Join(file, "sub", "dir"), "/proc/binarynet-out"} {
		// The default model would run for seconds before writing.
		code, stdout, stderr := runRun(t, "-out", out)
		if code != 2 || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "-out "+out) {
			t.Errorf("-out %s: exit %d, stdout %q, stderr %q; want status 2 and one line naming -out", out, code, stdout, stderr)
		}
	}
	if got, err := os.ReadFile(file); err != nil || string(got) != "x" {
		t.Errorf("the plain file was changed: %q, %v", got, err)
	}
}

// TestIssue9LargeNetworkFailsFast checks that a clustered network too large
// for the budget is refused from an estimate, before its synapse blocks
// are built: -Q 1000 took 98 s and 1.1 GB before its memory error.
func TestIssue9LargeNetworkFailsFast(t *testing.T) {
	t.Parallel()
	// The old command's sizes: 200 E and 50 I units per cluster.
	checkUsageError(t, []string{"-Q", "1000", "-NE", "200000", "-NI", "50000", "-p", "0.1", "-REplus", "1"}, "250000 units", "(-ram 12)")
	checkUsageError(t, []string{"-Q", "100000", "-NE", "20000000", "-NI", "5000000", "-p", "0.1", "-REplus", "1"}, "(-ram 12)")
	checkUsageError(t, []string{"-Q", "1000", "-NE", "200000", "-NI", "50000", "-p", "0.1", "-REplus", "1", "-mode", "dense"}, "(-ram 12)")
}

// TestIssue9ImageBounds checks that the picture size is bounded with an
// error naming the flag and the limit, instead of an out-of-memory crash.
func TestIssue9ImageBounds(t *testing.T) {
	t.Parallel()
	checkUsageError(t, []string{"-width", "100000000"}, "-width 100000000", "10000")
	checkUsageError(t, []string{"-height", "200000", "-width", "200000"}, "200000", "10000")
	checkUsageError(t, []string{"-height", "99"}, "-height 99", "[100, 10000]")
	// 10000 x 10000 pictures take about 2.2 GiB to draw.
	checkUsageError(t, []string{"-height", "10000", "-width", "10000", "-ram", "1"}, "-width 10000 -height 10000", "more than -ram 1")
}

// TestIssue9NoHalfMadeDirectory checks that a failing output leaves
// neither the directories writeAll created nor temporary files.
func TestIssue9NoHalfMadeDirectory(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	boom := errors.New("disk full")
	err := writeAll(dir, []output{
		{"one.txt", func(w io.Writer) error { _, err := io.WriteString(w, "one"); return err }},
		{"two.txt", func(w io.Writer) error { io.WriteString(w, "half"); return boom }},
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeAll error %v, want %v", err, boom)
	}
	if got := dirNames(t, root); len(got) != 0 {
		t.Errorf("after a failed write %s holds %v, want nothing", root, got)
	}
	// Success: the files have their content and mode 0644.
	if err := writeAll(dir, []output{{"one.txt", func(w io.Writer) error { _, err := io.WriteString(w, "one"); return err }}}); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "one.txt"))
	if err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("one.txt: %v, %v; want mode 0644", fi, err)
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"one.txt"}) {
		t.Errorf("files %v, want one.txt only", got)
	}
}

// TestIssue9TitlesFitTheModel checks that a model without clusters gets no
// switching ("leader") statistics and a rates picture about populations.
func TestIssue9TitlesFitTheModel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args     []string
		title    string
		clusters bool
	}{
		{[]string{"-config", runModels, "-scenario", "tiny"}, "Population activity", false},
		{[]string{"-config", runModels, "-scenario", "small-clusters"}, "E cluster activity", true},
	} {
		p, err := parseRun(tc.args)
		if err != nil {
			t.Fatal(err)
		}
		s, err := p.simulate(t.Context(), newProgress(io.Discard, true), nil)
		if err != nil {
			t.Fatal(err)
		}
		a, err := p.analyse(s)
		if err != nil {
			t.Fatal(err)
		}
		if (a.summary.Switching != nil) != tc.clusters {
			t.Errorf("%v: switching statistics %+v, want them only for clusters", tc.args, a.summary.Switching)
		}
		if led := strings.Contains(a.headline(), "led"); led != tc.clusters {
			t.Errorf("%v: headline %q", tc.args, a.headline())
		}
		pl, err := ratesPlot(s, a, 0)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(pl.Title.Text, tc.title) {
			t.Errorf("%v: rates.png title %q, want %q", tc.args, pl.Title.Text, tc.title)
		}
	}
}
