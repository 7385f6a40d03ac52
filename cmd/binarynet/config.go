package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"

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
	// binarynet.ClusteredParams (Q, N_E, N_I, p, g, threshold_E, ...).
	Clustered binarynet.ClusteredParams `json:"clustered"`
	// WeightMode is "dense", "sparse" or "auto" (empty means auto).
	WeightMode string `json:"weight_mode,omitempty"`
	// WarmupSweeps and Sweeps count sweeps of N updates, N the number of
	// units: the warm-up is simulated but not recorded.
	WarmupSweeps int `json:"warmup_sweeps"`
	Sweeps       int `json:"sweeps"`
}

// readModelFile decodes a -config file. Unknown keys are errors, so that a
// misspelt parameter is not silently ignored.
func readModelFile(r io.Reader) (*modelFile, error) {
	var raw struct {
		About     string                     `json:"about"`
		Scenarios map[string]json.RawMessage `json:"scenarios"`
	}
	if err := decodeStrict(r, &raw); err != nil {
		return nil, err
	}
	if len(raw.Scenarios) == 0 {
		return nil, fmt.Errorf(`no models: want {"scenarios": {"name": {...}}}`)
	}
	f := &modelFile{About: raw.About, Models: make(map[string]model, len(raw.Scenarios))}
	for name, msg := range raw.Scenarios {
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(msg, &keys); err != nil {
			return nil, fmt.Errorf("scenario %q: %v", name, err)
		}
		var m model
		if _, ok := keys["clustered"]; ok {
			m.clustered = new(clusteredModel)
			if err := decodeStrict(bytes.NewReader(msg), m.clustered); err != nil {
				return nil, fmt.Errorf("scenario %q: %v", name, err)
			}
			if m.clustered.WarmupSweeps < 0 || m.clustered.Sweeps < 0 {
				return nil, fmt.Errorf("scenario %q: warmup_sweeps %d and sweeps %d must be >= 0", name, m.clustered.WarmupSweeps, m.clustered.Sweeps)
			}
		} else {
			m.scenario = new(binarynet.Scenario)
			if err := decodeStrict(bytes.NewReader(msg), m.scenario); err != nil {
				return nil, fmt.Errorf("scenario %q: %v", name, err)
			}
		}
		f.Models[name] = m
	}
	return f, nil
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
