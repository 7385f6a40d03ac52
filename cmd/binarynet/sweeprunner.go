package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/pipeline"
	"github.com/binarynet/binarynet/sweep"
)

// pipelineRunner runs sweep tasks with the pipeline: the base YAML
// configuration with the task's overrides, as "binarynet run" would.
type pipelineRunner struct{}

// newPipelineRunner returns the Runner of binarynet sweep and task.
func newPipelineRunner() sweep.Runner { return pipelineRunner{} }

// knownKey reports whether key is read by the pipeline
// (pipeline.KnownKeys, or below initial_activity) or present in tree (a
// dotted path through nested mappings): a sweep key must be one of them,
// so that a misspelt key is an error instead of a silently different
// tag.
func knownKey(tree map[string]any, key string) bool {
	if slices.Contains(pipeline.KnownKeys(), key) || strings.HasPrefix(key, "initial_activity.") {
		return true
	}
	var cur any = tree
	for _, part := range strings.Split(key, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// job resolves the base configuration with the overrides.
func (pipelineRunner) job(base []byte, overrides []sweep.Override) (*pipeline.Job, error) {
	c, err := pipeline.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("base config: %w", err)
	}
	tree := c.Tree()
	for _, o := range overrides {
		if !knownKey(tree, o.Key) {
			return nil, &binarynet.ParameterError{Param: "key", Value: o.Key, Reason: "unknown: neither read by the pipeline nor present in the base config"}
		}
		if err := c.Override(o.String()); err != nil {
			return nil, err
		}
	}
	return pipeline.Resolve(c, pipeline.Flags{})
}

// Plan resolves the task's configuration: its folder is the pipeline's
// layout below the output root and its tag the binary tag.
func (r pipelineRunner) Plan(base []byte, overrides []sweep.Override) (sweep.Plan, error) {
	j, err := r.job(base, overrides)
	if err != nil {
		return sweep.Plan{}, err
	}
	return sweep.Plan{Tag: j.BinaryTag(), Dir: filepath.ToSlash(j.RelDir())}, nil
}

// Run runs the pipeline into job.Dir and computes the task's metrics from
// its outputs.
func (r pipelineRunner) Run(ctx context.Context, job sweep.Job) (sweep.Result, error) {
	base, err := os.ReadFile(job.Base)
	if err != nil {
		return sweep.Result{}, err
	}
	j, err := r.job(base, job.Overrides)
	if err != nil {
		return sweep.Result{}, err
	}
	// The metrics come from the run's own log, not from reading the trace
	// back (which would decompress it again).
	var run recorded
	keep := func(initial []int8, log binarynet.DiffLog, ranges []binarynet.Range) error {
		run = recorded{initial, log, ranges}
		return nil
	}
	sum, err := pipeline.Run(ctx, j, job.Dir, pipeline.RunOptions{Workers: job.Threads, Recorded: keep})
	if err != nil {
		return sweep.Result{}, err
	}
	return taskMetrics(j, sum, run)
}

// recorded is what a run recorded: the states when recording began, the
// diff log and the ranges of the populations.
type recorded struct {
	initial []int8
	log     binarynet.DiffLog
	ranges  []binarynet.Range
}

// sweepLeaderMargin is how far above the median E cluster rate the most
// active cluster must be to lead a sample (binarynet.Leaders): background
// rates are about 0.1 and active clusters 0.6 to 0.9 in the toolkit's
// model.
const sweepLeaderMargin = 0.2

// taskMetrics computes the columns of the collected table from a finished
// run: the mean E and I activities, the largest E cluster mean and the
// number above 0.2 (as the toolkit's statistics), the share of recorded
// updates that changed a state, and the switching statistics of the E
// clusters from the diff log of the run.
func taskMetrics(j *pipeline.Job, sum *pipeline.Summary, rec recorded) (sweep.Result, error) {
	flips := 0
	for _, d := range rec.log.Deltas {
		if d != 0 {
			flips++
		}
	}
	q := j.Model.Q
	if len(rec.ranges) < q {
		return sweep.Result{}, fmt.Errorf("the run has %d populations, want at least Q = %d", len(rec.ranges), q)
	}
	rates, err := binarynet.PopulationRatesFromDiffLogs(rec.initial, rec.log, int(j.Binary.SampleInterval), rec.ranges[:q], j.Binary.RAMBudgetGB)
	if err != nil {
		return sweep.Result{}, err
	}
	st, err := binarynet.Leaders(rates, sweepLeaderMargin)
	if err != nil {
		return sweep.Result{}, err
	}
	maxRate, above := 0.0, 0
	for _, name := range sum.Names[:q] {
		m := sum.MeanRates[name]
		maxRate = max(maxRate, m)
		if m > 0.2 {
			above++
		}
	}
	ledFraction := 0.0
	if st.Samples > 0 {
		ledFraction = float64(st.LedSamples) / float64(st.Samples)
	}
	return sweep.Result{Metrics: []sweep.Metric{
		{Name: "m_E", Value: sum.MeanE},
		{Name: "m_I", Value: sum.MeanI},
		{Name: "max_cluster_rate", Value: maxRate},
		{Name: "clusters_above_0_2", Value: float64(above)},
		{Name: "flip_fraction", Value: float64(flips) / float64(max(rec.log.Len(), 1))},
		{Name: "led_fraction", Value: ledFraction},
		{Name: "switches", Value: float64(st.Switches)},
		{Name: "mean_dwell_ms", Value: st.MeanDwell * float64(j.Binary.SampleInterval) * sum.StepMS},
		{Name: "distinct_leaders", Value: float64(st.Distinct)},
		{Name: "max_leader_share", Value: st.MaxShare},
	}}, nil
}
