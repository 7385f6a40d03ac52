package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
)

const runModels = "testdata/run_models.json"

// runRun runs the run command and returns its exit status, stdout and
// stderr.
func runRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	// Without -config, run takes the toolkit's configuration; these tests
	// are about the JSON models, whose default is default.json.
	if !slices.ContainsFunc(args, func(a string) bool {
		return slices.Contains([]string{"-config", "--config", "-resume", "--resume"}, strings.SplitN(a, "=", 2)[0])
	}) {
		args = append([]string{"-config", "default.json"}, args...)
	}
	var stdout, stderr bytes.Buffer
	code := dispatch(context.Background(), append([]string{"run"}, args...), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func readSummary(t *testing.T, dir string) summary {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// checkWinnerless asserts winnerless competition among the E clusters: at
// least 3 clusters each lead for at least 1 % of the led samples (20 sweeps
// of a default run; the issue asks for 3 clusters that lead at all), no
// cluster leads more than 80 % of them, most samples have a clear leader,
// and the lead changes hands often.
func checkWinnerless(t *testing.T, seed uint64, sw *switching) {
	t.Helper()
	if sw == nil {
		t.Fatalf("seed %d: no switching statistics for a clustered model", seed)
	}
	t.Logf("seed %d: %d of %d samples led, %d distinct leaders (%d with >= 5%%), max share %.3f (%s), %d switches, mean dwell %.1f sweeps",
		seed, sw.LedSamples, sw.Samples, sw.DistinctLeaders, sw.LeadersWith5Percent, sw.MaxShare, sw.MaxShareGroup, sw.Switches, sw.MeanDwellSweeps)
	lasting := 0
	for _, share := range sw.Shares {
		if share >= 0.01 {
			lasting++
		}
	}
	if sw.DistinctLeaders < 3 || lasting < 3 {
		t.Errorf("seed %d: %d clusters led (%d of them >= 1%% of the time), want >= 3", seed, sw.DistinctLeaders, lasting)
	}
	if sw.MaxShare > 0.8 {
		t.Errorf("seed %d: %s led %.0f%% of the time, want <= 80%%", seed, sw.MaxShareGroup, 100*sw.MaxShare)
	}
	if float64(sw.LedSamples) < 0.5*float64(sw.Samples) {
		t.Errorf("seed %d: a cluster clearly led only %d of %d samples, want at least half", seed, sw.LedSamples, sw.Samples)
	}
	if sw.Switches < 20 {
		t.Errorf("seed %d: %d switches of the leading cluster, want >= 20", seed, sw.Switches)
	}
}

// TestRunDefault runs the command with no model flags, as the quick start
// does, and checks its outputs and that the default model shows winnerless
// competition.
func TestRunDefault(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	code, out, errOut := runRun(t, "-out", dir)
	if code != 0 {
		t.Fatalf("exit status %d, stderr %q", code, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr is not a terminal, so no progress bar; got %q", errOut)
	}
	if !strings.Contains(out, "clusters led") || strings.Count(out, "\n") != 1 {
		t.Errorf("stdout %q, want one summary line", out)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "difflog.npz raster.png rates.png summary.json" {
		t.Errorf("output files %v, want exactly difflog.npz raster.png rates.png summary.json", names)
	}
	s := readSummary(t, dir)
	if s.Clustered == nil || s.Clustered.Q != 10 || s.Clustered.REPlus == nil || *s.Clustered.REPlus != 3.7 || s.Seed != 1 || s.Units != 2500 {
		t.Fatalf("summary model %+v, seed %d, units %d", s.Clustered, s.Seed, s.Units)
	}
	if s.Steps != 3000*2500 || s.Sweeps != 3000 || s.WarmupSteps != 20*2500 {
		t.Errorf("steps %d (%v sweeps), warm-up %d; want 3000 sweeps and 20 of warm-up", s.Steps, s.Sweeps, s.WarmupSteps)
	}
	checkWinnerless(t, 1, s.Switching)

	// The diff log replays to the mean rates of the summary.
	rec, err := npz.LoadDiffLog(filepath.Join(dir, "difflog.npz"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Log.Len() != s.Steps || len(rec.Names) != 20 || rec.Names[10] != "I0" || rec.Names[19] != "I9" {
		t.Fatalf("difflog: %d steps, names %v", rec.Log.Len(), rec.Names)
	}
	rates, err := binarynet.PopulationRatesFromDiffLogs(rec.Initial, rec.Log, s.Units, rec.Ranges, 0)
	if err != nil {
		t.Fatal(err)
	}
	for k, pop := range s.Populations {
		var mean float64
		for _, row := range rates {
			mean += row[k]
		}
		mean /= float64(len(rates))
		if math.Abs(mean-pop.MeanRate) > 1e-6 {
			t.Errorf("%s: mean rate from difflog.npz %v, summary %v", pop.Name, mean, pop.MeanRate)
		}
	}
	for _, name := range []string{"raster.png", "rates.png"} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := png.DecodeConfig(f)
		f.Close()
		if err != nil || cfg.Width != 1400 || cfg.Height != 800 {
			t.Errorf("%s: %dx%d, %v; want a 1400x800 PNG", name, cfg.Width, cfg.Height, err)
		}
	}
}

// TestDefaultModelSeeds checks winnerless competition of the default model
// for more seeds, through the command's simulation and analysis without
// writing files.
func TestDefaultModelSeeds(t *testing.T) {
	t.Parallel()
	for _, seed := range []string{"2", "3"} {
		t.Run("seed "+seed, func(t *testing.T) {
			t.Parallel()
			p, err := parseRun([]string{"-seed", seed})
			if err != nil {
				t.Fatal(err)
			}
			sim, err := p.simulate(context.Background(), newProgress(io.Discard, true), nil)
			if err != nil {
				t.Fatal(err)
			}
			a, err := p.analyse(sim)
			if err != nil {
				t.Fatal(err)
			}
			checkWinnerless(t, p.f.seed, a.summary.Switching)
		})
	}
}

func TestRunModels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		args  []string
		check func(t *testing.T, s summary)
	}{
		{"plain scenario", []string{"-config", runModels, "-scenario", "tiny", "-width", "300", "-height", "200"}, func(t *testing.T, s summary) {
			if s.Model == nil || s.Clustered != nil || s.Units != 100 || s.Steps != 2000 || s.WarmupSteps != 500 || s.WeightMode != "dense" {
				t.Errorf("summary %+v", s)
			}
			if s.Switching != nil || s.Populations[1].Name != "I" {
				t.Errorf("switching %+v (want none without clusters), populations %+v", s.Switching, s.Populations)
			}
		}},
		{"plain scenario in sweeps", []string{"-config", runModels, "-scenario", "tiny", "-sweeps", "3", "-warmup-sweeps", "0", "-width", "300", "-height", "200"}, func(t *testing.T, s summary) {
			if s.Steps != 300 || s.WarmupSteps != 0 {
				t.Errorf("steps %d, warm-up %d; want 300 and 0", s.Steps, s.WarmupSteps)
			}
		}},
		{"clustered entry", []string{"-config", runModels, "-scenario", "small-clusters", "-seed", "5", "-width", "300", "-height", "200"}, func(t *testing.T, s summary) {
			if s.Clustered == nil || s.Clustered.Q != 4 || s.Units != 200 || s.Steps != 30*200 || s.WarmupSteps != 2*200 || s.Seed != 5 {
				t.Errorf("summary %+v", s)
			}
			if len(s.Switching.Groups) != 4 || len(s.Switching.Shares) != 4 || s.Matrices == nil {
				t.Errorf("switching %+v", s.Switching)
			}
		}},
		{"clustered flags", []string{"-Q", "3", "-NE", "90", "-NI", "24", "-p", "0.2", "-g", "1.4", "-REplus", "2", "-kappa", "0.25", "-Rj", "0.5",
			"-Vth", "2", "-mX", "0.01", "-tauE", "4", "-tauI", "2", "-connection", "Fixed_Indegree", "-multapses=false",
			"-steps", "5000", "-mode", "dense", "-width", "300", "-height", "200"}, func(t *testing.T, s summary) {
			want := binarynet.ClusteredParams{
				Q: 3, NE: 90, NI: 24, P0EE: 0.2, P0EI: 0.2, P0IE: 0.2, P0II: 0.2, G: 1.4,
				VTh: 2, MX: 0.01, TauE: 4, TauI: new(2.0), REPlus: new(2.0), Kappa: 0.25, Rj: 0.5,
				ConnectionType: binarynet.ConnectFixedIndegree,
			}
			if s.Clustered == nil || !reflect.DeepEqual(*s.Clustered, want) || s.Steps != 5000 || s.Units != 114 || s.WeightMode != "dense" {
				t.Errorf("summary clustered %+v, steps %d, units %d, mode %s; want %+v", s.Clustered, s.Steps, s.Units, s.WeightMode, want)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			code, _, errOut := runRun(t, append([]string{"-out", dir}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit status %d, stderr %q", code, errOut)
			}
			tc.check(t, readSummary(t, dir))
			if _, err := npz.LoadDiffLog(filepath.Join(dir, "difflog.npz")); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestRunErrors checks that invalid flags, files and parameters give one
// line on stderr, exit status 2, and no output directory.
func TestRunErrors(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(tmp, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	badJSON := write("bad.json", `{"scenarios": {`)
	unknown := write("unknown.json", `{"scenarios": {"m": {"clustered": {"Q": 2, "N_E": 10, "N_I": 2, "R_Eplus": 1, "R_jj": 1}, "sweeps": 1}}}`)
	empty := write("empty.json", `{"scenarios": {}}`)
	badModel := write("badmodel.json", `{"scenarios": {"m": {"clustered": {"Q": 2, "N_E": 10, "N_I": 2, "R_Eplus": 1, "p0_ee": 0}, "sweeps": 1}}}`)
	noSteps := write("nosteps.json", `{"scenarios": {"m": {"clustered": {"Q": 2, "N_E": 10, "N_I": 2, "R_Eplus": 1}}}}`)
	for _, tc := range []struct {
		name string
		args []string
		msg  string // part of the message
	}{
		{"unknown flag", []string{"-bogus"}, "-bogus"},
		{"argument", []string{"extra"}, `"extra"`},
		{"steps and sweeps", []string{"-steps", "10", "-sweeps", "1"}, "-steps and -sweeps"},
		{"negative sweeps", []string{"-sweeps", "-1"}, "-sweeps -1"},
		{"tiny image", []string{"-width", "10"}, "-width 10"},
		{"bad number", []string{"-Q", "many"}, "-Q"},
		{"Q zero", []string{"-Q", "0"}, "-Q 0: must be >= 1"},
		{"N_E not divisible", []string{"-NE", "2001"}, "-NE 2001: must be divisible by Q=10"},
		{"R_I+ too large", []string{"-Rj", "5"}, "-Rj 5: gives R_I+"},
		{"R_Eplus above Q", []string{"-REplus", "30"}, "-REplus 30: must be <= Q=10"},
		{"kappa above one", []string{"-kappa", "1.5"}, "-kappa 1.5: must be in [0, 1]"},
		{"connection type", []string{"-connection", "gauss"}, "-connection gauss"},
		{"probability above one", []string{"-p", "1.5"}, "-p 1.5: must be in (0, 1]"},
		{"weight mode", []string{"-mode", "diagonal"}, `-mode "diagonal": want dense, sparse or auto`},
		{"missing config", []string{"-config", filepath.Join(tmp, "missing.json")}, "missing.json"},
		{"invalid JSON", []string{"-config", badJSON}, "bad.json"},
		{"unknown key", []string{"-config", unknown}, "R_jj"},
		{"no models", []string{"-config", empty}, "no models"},
		{"invalid model", []string{"-config", badModel}, `badmodel.json: scenario "m": "p0_ee": 0: must be in (0, 1]`},
		{"nothing to record", []string{"-config", noSteps}, "0 steps"},
		{"diff log too large", []string{"-sweeps", "2000000"}, "-ram 12"}, // on 32-bit platforms: "more bytes than this platform can index"
		{"two models, no choice", []string{"-config", runModels}, "choose one with -scenario"},
		{"unknown model", []string{"-config", runModels, "-scenario", "huge"}, `"huge"`},
		{"clustered flag on a scenario", []string{"-config", runModels, "-scenario", "tiny", "-Q", "3"}, "-Q"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out := filepath.Join(tmp, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
			code, stdout, errOut := runRun(t, append([]string{"-out", out}, tc.args...)...)
			if code != 2 {
				t.Errorf("exit status %d, want 2 (stderr %q)", code, errOut)
			}
			if strings.Count(errOut, "\n") != 1 || !strings.HasPrefix(errOut, "binarynet run: ") || !strings.Contains(errOut, tc.msg) {
				t.Errorf("stderr %q, want one line naming %s", errOut, tc.msg)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("output directory exists after an error: %v", err)
			}
		})
	}
}

// parseRun parses a run command line as the command does, without running
// it.
func parseRun(args []string) (*plan, error) {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := newRunFlags(fs)
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, err
	}
	f.set, f.args = map[string]bool{}, args
	fs.Visit(func(fl *flag.Flag) { f.set[fl.Name] = true })
	return newPlan(f, rest)
}

// TestWriteAllAtomic checks that a failing output leaves neither its
// temporary files nor any output file behind, and that existing outputs
// are replaced only when all writes succeed.
func TestWriteAllAtomic(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ok := func(text string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, text); return err }
	}
	if err := writeAll(dir, []output{{"a.txt", ok("old a")}, {"b.txt", ok("old b")}}); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("disk full")
	err := writeAll(dir, []output{
		{"a.txt", ok("new a")},
		{"b.txt", func(w io.Writer) error { io.WriteString(w, "half"); return boom }},
	})
	if !errors.Is(err, boom) {
		t.Fatalf("writeAll error = %v, want %v", err, boom)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d entries after a failed write, want the 2 old files (temporary files removed)", len(entries))
	}
	for name, want := range map[string]string{"a.txt": "old a", "b.txt": "old b"} {
		if got, _ := os.ReadFile(filepath.Join(dir, name)); string(got) != want {
			t.Errorf("%s = %q after a failed write, want %q", name, got, want)
		}
	}
}

func TestProgressLine(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	quiet := newProgress(&buf, false) // a buffer is not a terminal
	quiet.start(100)
	quiet.add(50)
	quiet.finish()
	if buf.Len() != 0 {
		t.Errorf("progress on a non-terminal wrote %q", buf.String())
	}
	p := &progress{total: 10_000_000, done: 2_500_000}
	p.begin = p.begin.Add(0)
	now := p.begin.Add(1e9) // one second later
	line := p.line(now)
	for _, want := range []string{"[=======>", " 25%", "2.50M/10.00M updates", "2.50M/s", "ETA 3s"} {
		if !strings.Contains(line, want) {
			t.Errorf("progress line %q lacks %q", line, want)
		}
	}
}
