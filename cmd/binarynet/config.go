package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/binarynet/binarynet"
)

// defaultConfig is the model that "binarynet run" simulates without
// -config: a clustered E/I network tuned for visible winnerless
// competition.
//
//go:embed default.json
var defaultConfig []byte

// modelFile is a -config file. It has the schema of a binarynet scenarios
// file, {"about": "...", "scenarios": {"name": {...}}}, in which an entry is
// either a binarynet.Scenario (populations and synapses) or a clustered
// model, recognised by its "clustered" key.
type modelFile struct {
	About  string
	Models map[string]model
}

// model is one entry of a modelFile: exactly one of scenario and clustered
// is set.
type model struct {
	scenario  *binarynet.Scenario
	clustered *clusteredModel
}

// clusteredModel is a clustered network and its run length.
type clusteredModel struct {
	// Clustered are the network's parameters, with the JSON names of
	// binarynet.ClusteredParams (the toolkit's keys: N_E, N_I, Q, R_Eplus,
	// kappa, ...); absent keys take binarynet.DefaultClusteredParams.
	Clustered binarynet.ClusteredParams `json:"clustered"`
	// WeightMode is "dense", "sparse" or "auto" (empty means auto).
	WeightMode string `json:"weight_mode,omitempty"`
	// WarmupSweeps and Sweeps count sweeps of N updates, N the number of
	// units: the warm-up is simulated but not recorded.
	WarmupSweeps int `json:"warmup_sweeps"`
	Sweeps       int `json:"sweeps"`
	// Stimuli are step inputs to populations during the recording.
	Stimuli []sweepStimulus `json:"stimuli,omitempty"`

	// fromFlag records the keys of Clustered that a flag set, so that
	// errors name the flag rather than the JSON key.
	fromFlag map[string]bool
}

// readModelFile decodes a -config file; label names it in errors. Unknown
// keys are errors, so that a misspelt parameter is not silently ignored;
// an explicit zero where zero is invalid is the library's error.
func readModelFile(r io.Reader, label string) (*modelFile, error) {
	var raw struct {
		About     string                     `json:"about"`
		Scenarios map[string]json.RawMessage `json:"scenarios"`
	}
	if err := decodeStrict(r, &raw); err != nil {
		return nil, fmt.Errorf("%s: %v", label, jsonError(err))
	}
	if len(raw.Scenarios) == 0 {
		return nil, fmt.Errorf(`%s: no models: want {"scenarios": {"name": {...}}}`, label)
	}
	f := &modelFile{About: raw.About, Models: make(map[string]model, len(raw.Scenarios))}
	for name, msg := range raw.Scenarios {
		m, err := decodeModel(msg)
		if err != nil {
			return nil, fmt.Errorf("%s: scenario %q: %v", label, name, err)
		}
		f.Models[name] = m
	}
	return f, nil
}

// decodeModel decodes one entry of a model file.
func decodeModel(msg json.RawMessage) (model, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(msg, &keys); err != nil {
		return model{}, jsonError(err)
	}
	var m model
	if _, ok := keys["clustered"]; !ok {
		m.scenario = new(binarynet.Scenario)
		if err := decodeStrict(bytes.NewReader(msg), m.scenario); err != nil {
			return model{}, jsonError(err)
		}
		return m, nil
	}
	m.clustered = &clusteredModel{Clustered: binarynet.DefaultClusteredParams()}
	if err := decodeStrict(bytes.NewReader(msg), m.clustered); err != nil {
		return model{}, jsonError(err)
	}
	c := m.clustered
	if c.WarmupSweeps < 0 {
		return model{}, fmt.Errorf(`"warmup_sweeps": %d: must be >= 0`, c.WarmupSweeps)
	}
	if c.Sweeps < 0 {
		return model{}, fmt.Errorf(`"sweeps": %d: must be >= 0`, c.Sweeps)
	}
	for i, st := range c.Stimuli {
		if err := st.check(); err != nil {
			return model{}, fmt.Errorf(`"stimuli"[%d]: %v`, i, err)
		}
	}
	return m, nil
}

// decodeStrict decodes one JSON value, rejecting unknown fields and
// trailing data.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("unexpected data after the JSON value")
	}
	return nil
}

// jsonError rewrites an error of encoding/json in the terms of the file:
// the key and the kind of value expected, not the Go types.
func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		want := "a value of another kind"
		switch te.Type.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			want = "an integer"
		case reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.String:
			want = "a string"
		case reflect.Bool:
			want = "true or false"
		case reflect.Slice, reflect.Array:
			want = "an array"
		case reflect.Struct, reflect.Map:
			want = "an object"
		}
		if te.Field == "" {
			return fmt.Errorf("got %s, want %s", jsonKind(te.Value), want)
		}
		return fmt.Errorf("%q: got %s, want %s", te.Field, jsonKind(te.Value), want)
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("invalid JSON: unexpected end of the file")
	}
	msg := strings.TrimPrefix(err.Error(), "json: ")
	if k, ok := strings.CutPrefix(msg, "unknown field "); ok {
		return fmt.Errorf("unknown key %s", k)
	}
	return errors.New(msg)
}

// jsonKind names the kind of JSON value that UnmarshalTypeError.Value
// describes ("string", "number", "number 1.5", "array", "object", "bool").
func jsonKind(v string) string {
	switch {
	case v == "number":
		return "a number"
	case strings.HasPrefix(v, "number "):
		return "the number " + strings.TrimPrefix(v, "number ")
	case v == "array", v == "object":
		return "an " + v
	case v == "bool":
		return "true or false"
	}
	return "a " + v
}

// names returns the model names in sorted order.
func (f *modelFile) names() []string {
	return slices.Sorted(maps.Keys(f.Models))
}

// pick returns the named model, or the only one when name is empty.
func (f *modelFile) pick(name string) (string, model, error) {
	if name == "" {
		if len(f.Models) != 1 {
			return "", model{}, fmt.Errorf("the file has %d models, choose one with -scenario (known: %v)", len(f.Models), f.names())
		}
		name = f.names()[0]
	}
	m, ok := f.Models[name]
	if !ok {
		return "", model{}, fmt.Errorf("-scenario %q is not in the file (known: %v)", name, f.names())
	}
	return name, m, nil
}
