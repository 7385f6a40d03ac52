package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/internal/atomicfile"
)

// The files an interrupted run leaves in its folder (with
// RunOptions.Checkpoint). Neither looks like an output of the toolkit.
const (
	CheckpointFile = "checkpoint.bin" // the network, binarynet's checkpoint format
	ResumeFile     = "resume.yaml"    // the job and the recording so far
)

// resumeFormat names the layout of ResumeFile.
const resumeFormat = "binarynet pipeline resume 1"

// save writes the checkpoint of the network and the resume file.
func (st *state) save() error {
	if err := st.nw.SaveCheckpoint(filepath.Join(st.dir, CheckpointFile)); err != nil {
		return err
	}
	var initial any
	if st.initial != nil {
		var b strings.Builder
		for _, s := range st.initial {
			b.WriteByte('0' + byte(s))
		}
		initial = b.String()
	}
	tree := map[string]any{
		"format":        resumeFormat,
		"config":        st.job.Config.Tree(),
		"settings":      st.job.Settings(),
		"binary_tag":    st.job.BinaryTag(),
		"save_states":   st.opts.SaveStates,
		"initial_state": initial,
		"steps":         st.nw.Steps(),
	}
	data, err := encodeYAML(tree)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(st.dir, ResumeFile), 0o644, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// CanResume reports whether dir holds an interrupted pipeline run.
func CanResume(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ResumeFile))
	return err == nil
}

// Resume continues the interrupted run saved in dir by a Run with
// RunOptions.Checkpoint, and writes its outputs there; they equal those of
// the uninterrupted run. o.SaveStates is taken from the saved run; the
// other options apply to the continuation. When the run completes, the
// checkpoint and resume files are removed.
func Resume(ctx context.Context, dir string, o RunOptions) (*Summary, error) {
	start := time.Now()
	data, err := os.ReadFile(filepath.Join(dir, ResumeFile))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, keyError("resume", dir, "no interrupted run here (no "+ResumeFile+")")
		}
		return nil, err
	}
	v, err := decodeYAML(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ResumeFile, err)
	}
	r, _ := v.(map[string]any)
	if r["format"] != resumeFormat {
		return nil, keyError(ResumeFile+" format", r["format"], "want "+resumeFormat)
	}
	tree, ok := r["config"].(map[string]any)
	settings, ok2 := r["settings"].(map[string]any)
	if !ok || !ok2 {
		return nil, keyError(ResumeFile, dir, "lacks config or settings")
	}
	j, err := Resolve(&Config{Source: filepath.Join(dir, ResumeFile), tree: tree}, flagsOf(settings))
	if err != nil {
		return nil, err
	}
	if j.BinaryTag() != r["binary_tag"] {
		return nil, keyError(ResumeFile+" binary_tag", r["binary_tag"], "does not match its configuration (tag "+j.BinaryTag()+")")
	}
	nw, err := binarynet.LoadCheckpoint(filepath.Join(dir, CheckpointFile), &binarynet.RestoreOptions{RAMBudgetGB: o.RAMBudgetGB})
	if err != nil {
		return nil, err
	}
	if nw.N() != j.Model.N() {
		return nil, fmt.Errorf("%s: %d units, the configuration has %d: %w", CheckpointFile, nw.N(), j.Model.N(), binarynet.ErrShape)
	}
	st := &state{job: j, dir: dir, nw: nw, opts: o, start: start, resumed: true}
	st.opts.SaveStates, _ = r["save_states"].(bool)
	if s, ok := r["initial_state"].(string); ok {
		if len(s) != nw.N() || strings.Trim(s, "01") != "" {
			return nil, keyError(ResumeFile+" initial_state", fmt.Sprintf("%d characters", len(s)), fmt.Sprintf("must be %d characters 0 or 1", nw.N()))
		}
		st.initial = make([]int8, len(s))
		for i := range s {
			st.initial[i] = int8(s[i] - '0')
		}
	}
	return st.run(ctx)
}

// flagsOf returns the flags that resolve a configuration to the given
// resolved settings.
func flagsOf(s map[string]any) Flags {
	var f Flags
	for key, dst := range map[string]**int64{
		"warmup_steps": &f.WarmupSteps, "simulation_steps": &f.SimulationSteps,
		"sample_interval": &f.SampleInterval, "batch_size": &f.BatchSize, "seed": &f.Seed,
	} {
		if v, ok := s[key].(int64); ok {
			*dst = &v
		}
	}
	if v, ok := s["output_name"].(string); ok {
		f.OutputName = &v
	}
	if v, ok := s["plot_activity"].(bool); ok {
		f.PlotActivity = &v
	}
	rate := formatValue(s["population_rate_init"])
	f.PopulationRateInit = &rate
	return f
}
