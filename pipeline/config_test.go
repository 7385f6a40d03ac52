package pipeline

import (
	"errors"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/binarynet/binarynet"
)

func mustConfig(t *testing.T, text string, overrides ...string) *Config {
	t.Helper()
	c, err := Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range overrides {
		if err := c.Override(o); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestOverride checks the toolkit's -O semantics: YAML scalars, nested
// mappings merged key by key, paths created where missing, int and float
// kept apart.
func TestOverride(t *testing.T) {
	base := "a: 1\nb: {x: 1, y: 2}\nc: [1, 2]\n"
	for _, tc := range []struct {
		name     string
		override string
		want     map[string]any
	}{
		{"int", "a=7", map[string]any{"a": int64(7)}},
		{"float stays float", "a=7.0", map[string]any{"a": 7.0}},
		{"exponent", "a=1.0e-3", map[string]any{"a": 0.001}},
		{"bool", "a=true", map[string]any{"a": true}},
		{"null", "a=null", map[string]any{"a": nil}},
		{"empty is null", "a=", map[string]any{"a": nil}},
		{"string", "a=fixed-indegree", map[string]any{"a": "fixed-indegree"}},
		{"list", "a=[0.1, 2]", map[string]any{"a": []any{0.1, int64(2)}}},
		{"nested key", "b.x=5", map[string]any{"b": map[string]any{"x": int64(5), "y": int64(2)}}},
		{"mapping merged", "b={y: 3, z: 4}", map[string]any{"b": map[string]any{"x": int64(1), "y": int64(3), "z": int64(4)}}},
		{"new path", "d.e.f=1.5", map[string]any{"d": map[string]any{"e": map[string]any{"f": 1.5}}}},
		{"scalar replaced by mapping", "a.b=1", map[string]any{"a": map[string]any{"b": int64(1)}}},
		{"value with =", "s=a=b", map[string]any{"s": "a=b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustConfig(t, base, tc.override)
			got := c.Tree()
			for k, w := range tc.want {
				if !reflect.DeepEqual(got[k], w) {
					t.Errorf("after -O %s: %s = %#v, want %#v", tc.override, k, got[k], w)
				}
			}
		})
	}
}

// TestOverrideErrors checks that malformed overrides name the override.
func TestOverrideErrors(t *testing.T) {
	for _, o := range []string{"R_Eplus", "=1", "a..b=1", "a=[1,"} {
		c := mustConfig(t, "a: 1\n")
		err := c.Override(o)
		if !errors.Is(err, binarynet.ErrInvalidParameter) {
			t.Errorf("-O %q: error %v, want ErrInvalidParameter", o, err)
			continue
		}
		if !strings.Contains(err.Error(), "-O") && !strings.Contains(err.Error(), "a") {
			t.Errorf("-O %q: error %q does not name the override", o, err)
		}
	}
}

// TestUnknownKeysKept checks that keys the pipeline does not know are kept
// in params.yaml's tree and in the tags, and otherwise ignored.
func TestUnknownKeysKept(t *testing.T) {
	c := mustConfig(t, "R_Eplus: 7.25\nanalysis: {bins: 10}\n")
	j, err := Resolve(c, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	p := j.Params()["parameter"].(map[string]any)
	if !reflect.DeepEqual(p["analysis"], map[string]any{"bins": int64(10)}) {
		t.Errorf("params.yaml parameter.analysis = %v, want {bins: 10}", p["analysis"])
	}
	j2, err := Resolve(mustConfig(t, "R_Eplus: 7.25\n"), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if j.Tag() == j2.Tag() {
		t.Errorf("an extra section left the tag %s unchanged", j.Tag())
	}
	if j.Model.Connection != "bernoulli" || j.Model.Kappa != 0 || j.Model.TauI != 5 {
		t.Errorf("defaults for absent keys: connection %s, kappa %g, tau_i %g; want bernoulli, 0, 5", j.Model.Connection, j.Model.Kappa, j.Model.TauI)
	}
}

// TestResolveErrors feeds invalid values: each error names the key and
// the value and wraps ErrInvalidParameter.
func TestResolveErrors(t *testing.T) {
	const base = "R_Eplus: 7.25\n"
	for _, tc := range []struct {
		name      string
		config    string
		overrides []string
		flags     Flags
		want      []string // substrings of the message
	}{
		{"missing R_Eplus", "Q: 20\n", nil, Flags{}, []string{"R_Eplus", "null"}},
		{"R_Eplus null", "R_Eplus: null\n", nil, Flags{}, []string{"R_Eplus", "null"}},
		{"N_E not divisible", base, []string{"N_E=8001"}, Flags{}, []string{"N_E", "8001", "Q = 20"}},
		{"N_I not divisible", base, []string{"Q=3"}, Flags{}, []string{"N_E", "8000", "Q = 3"}},
		{"kappa above 1", base, []string{"kappa=1.5"}, Flags{}, []string{"kappa", "1.5"}},
		{"kappa negative", base, []string{"kappa=-0.1"}, Flags{}, []string{"kappa", "-0.1"}},
		{"unknown connection", base, []string{"connection_type=lognormal"}, Flags{}, []string{"connection_type", `"lognormal"`}},
		{"non-numeric", base, []string{"g=strong"}, Flags{}, []string{"g", `"strong"`}},
		{"bool for number", base, []string{"V_th=true"}, Flags{}, []string{"V_th", "true"}},
		{"float for int", base, []string{"Q=2.5"}, Flags{}, []string{"Q", "2.5"}},
		{"rate list length", base, []string{"binary.population_rate_init=[0.1, 0.2]"}, Flags{}, []string{"binary.population_rate_init", "[0.1, 0.2]", "40"}},
		{"rate out of range", base, []string{"binary.population_rate_init=1.5"}, Flags{}, []string{"binary.population_rate_init", "1.5"}},
		{"init list length", base, []string{"initial_activity={excitatory: [0.1]}"}, Flags{}, []string{"initial_activity.excitatory", "[0.1]"}},
		{"init mode", base, []string{"initial_activity={mode: poisson, default: 0.2}"}, Flags{}, []string{"initial_activity.mode", `"poisson"`}},
		{"weight mode", base, []string{"binary.weight_mode=csr"}, Flags{}, []string{"binary.weight_mode", `"csr"`}},
		{"negative seed flag", base, nil, Flags{Seed: ptr(int64(-1))}, []string{"--seed", "-1"}},
		{"zero interval flag", base, nil, Flags{SampleInterval: ptr(int64(0))}, []string{"--sample-interval", "0"}},
		{"output name", base, []string{"binary.output_name=a/b"}, Flags{}, []string{"binary.output_name", `"a/b"`}},
		{"tau_e zero", base, []string{"tau_e=0"}, Flags{}, []string{"tau_e", "0"}},
		{"R_Eplus above Q", base, []string{"R_Eplus=25"}, Flags{}, []string{"R_Eplus", "25"}},
		{"multapses", base, []string{"multapses=maybe"}, Flags{}, []string{"multapses", `"maybe"`}},
		{"not a mapping", "- 1\n", nil, Flags{}, []string{"config"}},
		{"adaptation without tau", base, []string{"adaptation.E.theta_q=0.1"}, Flags{}, []string{"adaptation.E", "tau_theta"}},
		{"adaptation with two taus", base, []string{"adaptation.I={theta_q: 0.1, tau_theta: 5, tau_theta_ms: 1.0}"}, Flags{}, []string{"adaptation.I", "not both"}},
		{"adaptation tau negative", base, []string{"adaptation.E={theta_q: 0.1, tau_theta_ms: -1.0}"}, Flags{}, []string{"adaptation.E.tau_theta_ms", "-1.0"}},
		{"adaptation step non-numeric", base, []string{"adaptation.E={theta_q: big, tau_theta: 5}"}, Flags{}, []string{"adaptation.E.theta_q", `"big"`}},
		{"adaptation not a mapping", base, []string{"adaptation=3"}, Flags{}, []string{"adaptation", "3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.config))
			if err == nil {
				for _, o := range tc.overrides {
					if err = c.Override(o); err != nil {
						t.Fatal(err)
					}
				}
				_, err = Resolve(c, tc.flags)
			}
			if !errors.Is(err, binarynet.ErrInvalidParameter) {
				t.Fatalf("error %v, want ErrInvalidParameter", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// TestAutoWeightMode checks the toolkit's auto rule on both sides of each
// threshold.
func TestAutoWeightMode(t *testing.T) {
	for _, tc := range []struct {
		name      string
		overrides []string
		want      string
	}{
		{"default run is sparse", nil, "sparse"},
		{"short run is dense", []string{"binary.simulation_steps=299999"}, "dense"},
		{"500,000 steps is sparse", []string{"binary.simulation_steps=300000"}, "sparse"},
		{"small network is dense", []string{"N_E=3180", "N_I=800"}, "dense"},
		{"dense connectivity", []string{"p0_ee=0.45", "p0_ie=0.45", "p0_ei=0.45", "p0_ii=0.45"}, "dense"},
		{"no connectivity", []string{"p0_ee=0", "p0_ie=0", "p0_ei=0", "p0_ii=0"}, "dense"},
		{"does not fit the budget", []string{"binary.simulation_steps=10", "binary.ram_budget_gb=0.5"}, "sparse"},
		{"requested dense", []string{"binary.weight_mode=dense"}, "dense"},
	} {
		c := mustConfig(t, "R_Eplus: 7.25\n", tc.overrides...)
		j, err := Resolve(c, Flags{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if j.Binary.WeightMode != tc.want {
			t.Errorf("%s: weight mode %s, want %s", tc.name, j.Binary.WeightMode, tc.want)
		}
	}
}

// TestFlagsInSettings checks that flags go into the resolved settings
// (and so the binary tag) but not into the configuration tree.
func TestFlagsInSettings(t *testing.T) {
	c := mustConfig(t, "R_Eplus: 7.25\n")
	j0, err := Resolve(c, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	j, err := Resolve(c, Flags{Seed: ptr(int64(9)), PopulationRateInit: ptr("null"), OutputName: ptr("x")})
	if err != nil {
		t.Fatal(err)
	}
	s := j.Settings()
	if s["seed"] != int64(9) || s["population_rate_init"] != nil || s["output_name"] != "x" {
		t.Errorf("settings %v: want seed 9, population_rate_init null, output_name x", s)
	}
	if j.Binary.PopulationRateInit != nil {
		t.Errorf("population_rate_init null: got %v, want disabled", j.Binary.PopulationRateInit)
	}
	if j.Tag() != j0.Tag() || j.BinaryTag() == j0.BinaryTag() {
		t.Errorf("tags %s/%s vs %s/%s: want the same tag and another binary tag", j.Tag(), j.BinaryTag(), j0.Tag(), j0.BinaryTag())
	}
	want := []string{"batch_size", "output_name", "plot_activity", "population_rate_init", "ram_budget_gb", "requested_weight_mode", "sample_interval", "seed", "simulation_steps", "state_chunk_size", "warmup_steps", "weight_dtype", "weight_mode"}
	if len(s) != len(want) {
		t.Errorf("settings have %d keys, want %d: %v", len(s), len(want), s)
	}
	for _, k := range want {
		if _, ok := s[k]; !ok {
			t.Errorf("settings lack %s", k)
		}
	}
}

// TestInitialActivity checks the order in which entries apply and the
// forms of an entry.
func TestInitialActivity(t *testing.T) {
	c := mustConfig(t, `R_Eplus: 1.5
Q: 2
N_E: 4
N_I: 2
initial_activity:
  mode: bernoulli
  default: 0.5
  excitatory: {mode: deterministic, value: 0.25}
  inhibitory_by_cluster: [1.5, -1]
`)
	j, err := Resolve(c, Flags{})
	if err != nil {
		t.Fatal(err)
	}
	want := []PopulationInit{{true, true, 0.25}, {true, true, 0.25}, {true, false, 1}, {true, false, 0}}
	if !reflect.DeepEqual(j.Model.Init, want) {
		t.Errorf("init %v, want %v", j.Model.Init, want)
	}
	// The example config's mode poisson has no entry: no effect, no error.
	c, err = Load("testdata/example_config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Override("R_Eplus=7.25"); err != nil {
		t.Fatal(err)
	}
	if j, err = Resolve(c, Flags{}); err != nil {
		t.Fatal(err)
	}
	for k, p := range j.Model.Init {
		if p.Set {
			t.Errorf("population %d has an initial activity %v; the example sets none", k, p)
		}
	}
}

// TestYAMLRoundTrip checks that params.yaml reads back to the same tree
// (so the tags stay the same), floats with integral values included.
func TestYAMLRoundTrip(t *testing.T) {
	tree := map[string]any{"a": 1.0, "b": int64(1), "c": 1e22, "d": 2.5e-7, "e": "true", "f": []any{0.1, nil}, "g": map[string]any{"h": "x: y"}, "i": ""}
	data, err := encodeYAML(tree)
	if err != nil {
		t.Fatal(err)
	}
	back, err := decodeYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, tree) {
		t.Errorf("round trip of\n%s gave %#v, want %#v", data, back, tree)
	}
	if !strings.Contains(string(data), "a: 1.0\n") || !strings.Contains(string(data), "c: 1.0e+22\n") {
		t.Errorf("floats not written with a decimal point:\n%s", data)
	}
}

// TestLoadBuiltin checks that the built-in default is the toolkit's
// default configuration.
func TestLoadBuiltin(t *testing.T) {
	c, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Load("testdata/example_config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c.Tree(), ref.Tree()) {
		t.Errorf("builtin default differs from the example configuration")
	}
	if _, err := Load("no-such-config"); !errors.Is(err, binarynet.ErrInvalidParameter) || !strings.Contains(err.Error(), "no-such-config") {
		t.Errorf("Load(no-such-config): %v", err)
	}
}

// TestDemoConfig checks that the built-in demo is the toolkit's default
// configuration with R_Eplus = 7.25, kappa = 0.875 and R_j = 0.8, and
// nothing else.
func TestDemoConfig(t *testing.T) {
	demo, err := Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	def, err := Load("default")
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range []string{"R_Eplus=7.25", "kappa=0.875", "R_j=0.8"} {
		if err := def.Override(o); err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(demo.Tree(), def.Tree()) {
		t.Errorf("demo = %v\nwant  %v", demo.Tree(), def.Tree())
	}
	if got := BuiltinNames(); !reflect.DeepEqual(got, []string{"default", "demo"}) {
		t.Errorf("BuiltinNames() = %v", got)
	}
}

// TestUnknownKeys checks which keys Job.Unknown names: keys the pipeline
// does not read, outside the analysis section and the built-in default
// configuration, as dotted paths into sections.
func TestUnknownKeys(t *testing.T) {
	const base = "R_Eplus: 7.25\n"
	for _, tc := range []struct {
		name      string
		config    string
		overrides []string
		want      []string
	}{
		{"none", base, nil, nil},
		{"top level", base + "nosuch: 1\n", nil, []string{"nosuch"}},
		{"override", base, []string{"kapa=1.0"}, []string{"kapa"}},
		{"in the binary section", base + "binary: {seed: 4, sed: 4}\n", nil, []string{"binary.sed"}},
		{"nested", base + "extra: {a: 1, b: {c: 2}}\n", nil, []string{"extra.a", "extra.b.c"}},
		{"empty section", base + "extra: {}\n", nil, []string{"extra"}},
		{"list", base + "extra: [1, 2]\n", nil, []string{"extra"}},
		{"analysis section", base + "analysis: {bins: 10, focus: {a: 1}}\n", nil, nil},
		{"default configuration's key", base + "collapse_types: false\n", nil, nil},
		{"known sections", base + "adaptation: {E: {theta_q: 0.1, tau_theta: 100}}\ninitial_activity: {mode: poisson}\nbinary: {field_log: {units: [E0], interval: 10}}\n", nil, nil},
		{"unknown inside a known key", base + "initial_activity: {mode: poisson, modes: 3}\n", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			j, err := Resolve(mustConfig(t, tc.config, tc.overrides...), Flags{})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(j.Unknown, tc.want) {
				t.Errorf("Unknown = %q, want %q", j.Unknown, tc.want)
			}
		})
	}
	for _, name := range BuiltinNames() {
		c, err := Load(name)
		if err != nil {
			t.Fatal(err)
		}
		j, err := Resolve(c, Flags{})
		if err != nil { // R_Eplus must be given
			if err := c.Override("R_Eplus=7.25"); err != nil {
				t.Fatal(err)
			}
			if j, err = Resolve(c, Flags{}); err != nil {
				t.Fatal(err)
			}
		}
		if len(j.Unknown) > 0 {
			t.Errorf("built-in configuration %s: Unknown = %q, want none", name, j.Unknown)
		}
	}
	// A file named "default" in the working directory is not the
	// built-in default configuration that Unknown consults.
	t.Chdir(t.TempDir())
	if err := os.WriteFile("default", []byte("unrelated: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := Resolve(mustConfig(t, base+"collapse_types: false\n"), Flags{})
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Unknown) > 0 {
		t.Errorf("with a file named default here: Unknown = %q, want none", j.Unknown)
	}
}
