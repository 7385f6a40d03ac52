package pipeline

import (
	"math"
	"path/filepath"
	"testing"
)

// TestTagVectors reproduces the toolkit's tag test vectors, computed with
// its code on testdata/example_config.yaml with every flag at its default.
func TestTagVectors(t *testing.T) {
	if got, want := Tag(map[string]any{"binary": map[string]any{"seed": int64(3)}}, 8), "da4c7220"; got != want {
		t.Errorf(`Tag({"binary": {"seed": 3}}, 8) = %s, want %s`, got, want)
	}
	for _, tc := range []struct {
		name      string
		overrides []string
		dir       string
		mode      string
	}{
		{"kappa 0.5", []string{"R_Eplus=7.25", "kappa=0.5"}, "Poisson/Rj00_75/68bfc949f6/binary/faeaa406f2", "sparse"},
		{"fixed-indegree", []string{"R_Eplus=8", "kappa=0", "connection_type=fixed-indegree", "binary.seed=7"}, "Fixed-indegree/Rj00_75/d588b10f0f/binary/0accc82c15", "sparse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load("testdata/example_config.yaml")
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range tc.overrides {
				if err := c.Override(o); err != nil {
					t.Fatal(err)
				}
			}
			j, err := Resolve(c, Flags{})
			if err != nil {
				t.Fatal(err)
			}
			if got := j.Binary.WeightMode; got != tc.mode {
				t.Errorf("weight mode %s, want %s", got, tc.mode)
			}
			if got := j.RelDir(); got != filepath.FromSlash(tc.dir) {
				t.Errorf("folder %s, want %s", got, tc.dir)
			}
			if got, want := j.Dir("root"), filepath.Join("root", filepath.FromSlash(tc.dir)); got != want {
				t.Errorf("Dir(root) = %s, want %s", got, want)
			}
		})
	}
}

// TestCanonicalJSON checks the canonical form against strings written by
// hand from the definition: sorted keys, no spaces, ASCII escapes, floats
// as {"__float__": "%.17g"}.
func TestCanonicalJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"int vs float", map[string]any{"b": int64(1), "a": 1.0}, `{"a":{"__float__":"1"},"b":1}`},
		{"17 digits", 0.3, `{"__float__":"0.29999999999999999"}`},
		{"exponent", 1e-5, `{"__float__":"1.0000000000000001e-05"}`},
		{"large", 1e22, `{"__float__":"1e+22"}`},
		{"nan", math.NaN(), `{"__float__":"NaN"}`},
		{"inf", math.Inf(1), `{"__float__":"Infinity"}`},
		{"-inf", math.Inf(-1), `{"__float__":"-Infinity"}`},
		{"null bool", []any{nil, true, false}, `[null,true,false]`},
		{"escapes", "a\"b\\c\nd\te\x01\x7f", `"a\"b\\c\nd\te\u0001\u007f"`},
		{"non-ascii", "é€😀", `"\u00e9\u20ac\ud83d\ude00"`},
		{"nested", map[string]any{"z": []any{map[string]any{"y": "x"}}, "Z": nil}, `{"Z":null,"z":[{"y":"x"}]}`},
		{"other", []string{"a"}, `"[a]"`},
	} {
		if got := CanonicalJSON(tc.v); got != tc.want {
			t.Errorf("%s: CanonicalJSON = %s, want %s", tc.name, got, tc.want)
		}
	}
}

// TestTagHandComputed checks two tags against SHA-1 digests of canonical
// strings computed by hand (sha1sum of the literal text).
func TestTagHandComputed(t *testing.T) {
	// printf '%s' '{"a":{"__float__":"1"},"b":1}' | sha1sum
	// printf '%s' '{"kappa":{"__float__":"0.5"}}' | sha1sum
	for _, tc := range []struct {
		v    any
		want string
	}{
		{map[string]any{"b": int64(1), "a": 1.0}, "19092b9771"},
		{map[string]any{"kappa": 0.5}, "2fc5f1fc5d"},
	} {
		if got := Tag(tc.v, 10); got != tc.want {
			t.Errorf("Tag(%s) = %s, want %s", CanonicalJSON(tc.v), got, tc.want)
		}
	}
}
