// Package pipeline runs the binary-network step of the clustered E/I
// research toolkit that the Python module BinaryNetwork.py serves: it reads
// the toolkit's YAML configuration with its -O dotted.path=value
// overrides, builds the clustered model with binarynet, runs it and writes
// the NumPy files, summary and parameter file that the toolkit's analysis
// reads, in the toolkit's folder layout.
//
// # Configuration
//
// [Load] or [Parse] read a YAML mapping into a [Config]; [Config.Override]
// applies one override. The loaded tree keeps YAML's types: 1.0 is a float
// and 1 an int, which matters because both go into the tags. Keys the
// pipeline does not know are kept (they go into params.yaml and the tags)
// and otherwise ignored; [Job.Unknown] names those outside the analysis
// section, so that a misspelt key can be reported. A known key with an
// invalid value is an error naming the key and the value, wrapping
// binarynet.ErrInvalidParameter.
// Beyond the toolkit's keys, adaptation gives adaptive thresholds and
// [StimulusKey] a schedule of step inputs to populations; without them a
// configuration, its tags and the outputs are the toolkit's.
//
// # Tags and folders
//
// [Resolve] turns a configuration and the command-line settings into a
// [Job]: the model parameters, the resolved binary settings with every key
// present, and the two tags of the folder layout
// <data root>/<Connection type>/Rj<R_j>/<tag>/binary/<binary tag>/.
// A tag ([Tag]) is the first digits of the SHA-1 of a canonical JSON form
// of the tree: keys sorted, no spaces, ASCII only, floats written as
// {"__float__": "%.17g"}.
//
// # Outputs
//
// [Run] writes <output_name>.npz, <output_name>_weights.npz,
// <output_name>_summary.yaml and params.yaml into a folder, each through a
// temporary file that is renamed only when the whole run succeeded.
//
// # Recorded fields
//
// binary.field_log (see [FieldLog]) adds the input fields of chosen units,
// sampled every interval steps of the recorded run, to <output_name>.npz:
// field_interval, field_steps, field_units, fields, field_thresholds and
// field_drive, and with split: true field_part_names (E, I) and
// field_parts; the summary lists them under field_log. Without the key
// the tags and every file are as before it existed.
package pipeline
