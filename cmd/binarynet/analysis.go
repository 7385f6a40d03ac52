package main

import (
	"encoding/json"
	"fmt"
	"image/png"
	"io"
	"math"
	"strings"
	"time"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
	"github.com/binarynet/binarynet/plots"
	"gonum.org/v1/plot"
)

// leaderMargin is how far above the median cluster rate the most active
// cluster must be to count as leading a sample (see binarynet.Leaders).
// Background rates are about 0.1 and active clusters 0.6 to 0.9 in the
// default model.
const leaderMargin = 0.2

// minLeaderShare is the share of the led samples from which a cluster
// counts in summary.json's leaders_with_5_percent.
const minLeaderShare = 0.05

// summary is the content of summary.json.
type summary struct {
	// Args are the command-line arguments of the run.
	Args   []string `json:"args"`
	Config string   `json:"config"`
	// ConfigPath is the absolute path of the -config file, and
	// ConfigSHA256 the hash of the model file's content: -resume reads
	// the same file and checks that it did not change.
	ConfigPath   string                     `json:"config_path,omitempty"`
	ConfigSHA256 string                     `json:"config_sha256"`
	Scenario     string                     `json:"scenario"`
	Clustered    *binarynet.ClusteredParams `json:"clustered,omitempty"`
	Matrices     *binarynet.ClusterMatrices `json:"matrices,omitempty"`
	Model        *binarynet.Scenario        `json:"model,omitempty"`
	WeightMode   string                     `json:"weight_mode"`
	Seed         uint64                     `json:"seed"`
	Units        int                        `json:"units"`
	Synapses     int64                      `json:"synapses"`
	WarmupSteps  int                        `json:"warmup_steps"`
	// Steps is the planned length of the recording.
	Steps int `json:"steps"`
	// Complete is false for a run stopped by a signal: then StepsTaken
	// (warm-up and recorded) and RecordedSteps are how far it got, the
	// outputs hold the recorded steps, Recording says whether the
	// recording (and difflog.npz) had begun, and Resume is the command
	// that continues the run.
	Complete      bool   `json:"complete"`
	StepsTaken    int64  `json:"steps_taken"`
	RecordedSteps int    `json:"recorded_steps"`
	Recording     bool   `json:"recording"`
	Resume        string `json:"resume,omitempty"`
	// Sweeps is RecordedSteps in sweeps of N updates.
	Sweeps float64 `json:"sweeps"`
	// Populations gives each population's unit range and its activity
	// averaged over the recorded run (one sample per sweep).
	Populations []populationSummary `json:"populations"`
	// Switching measures how the E clusters of a clustered model take
	// turns; other models have no clusters and no switching statistics.
	Switching *switching `json:"switching,omitempty"`
	// Stimuli is the network's stimulus schedule, in update steps of the
	// whole run (warm-up included).
	Stimuli  []stimulusSummary `json:"stimuli,omitempty"`
	WallTime wallTime          `json:"wall_time_s"`
	// UpdatesPerSecond counts the warm-up and recorded updates of this
	// invocation (of the part after the checkpoint when resumed).
	UpdatesPerSecond float64 `json:"updates_per_second"`
}

// stimulusSummary is one stimulus of the schedule: units Start to End-1
// get Delta during the updates at step counts OnStep <= t < OffStep.
type stimulusSummary struct {
	Start   int     `json:"start"`
	End     int     `json:"end"`
	OnStep  int64   `json:"on_step"`
	OffStep int64   `json:"off_step"`
	Delta   float64 `json:"delta"`
}

type populationSummary struct {
	Name     string  `json:"name"`
	Start    int     `json:"start"`
	End      int     `json:"end"`
	MeanRate float64 `json:"mean_rate"`
}

// switching reports binarynet.Leaders over the E clusters of a clustered
// model.
type switching struct {
	Groups              []string  `json:"groups"`
	SampleIntervalSteps int       `json:"sample_interval_steps"`
	Margin              float64   `json:"margin"`
	Samples             int       `json:"samples"`
	LedSamples          int       `json:"led_samples"`
	DistinctLeaders     int       `json:"distinct_leaders"`
	LeadersWith5Percent int       `json:"leaders_with_5_percent"`
	MaxShare            float64   `json:"max_share"`
	MaxShareGroup       string    `json:"max_share_group"`
	Shares              []float64 `json:"shares"`
	Switches            int       `json:"switches"`
	MeanDwellSweeps     float64   `json:"mean_dwell_sweeps"`
}

type wallTime struct {
	Build    float64 `json:"build"`
	Warmup   float64 `json:"warmup"`
	Run      float64 `json:"run"`
	Analysis float64 `json:"analysis"`
	Outputs  float64 `json:"outputs"`
	Total    float64 `json:"total"`
}

// analysis holds the results computed from a simulation.
type analysis struct {
	summary summary
	groups  []plots.Group // all populations but background units, for the raster
	shown   []plots.Group // the groups of rates.png: E clusters, or all populations
	rates   [][]float64   // rates of shown, one sample per sweep
}

// analyse computes population rates and, for a clustered model, the
// switching statistics of its E clusters.
func (p *plan) analyse(s *simulation) (*analysis, error) {
	n := s.nw.N()
	a := &analysis{}
	sum := &a.summary
	*sum = summary{
		Args:          p.args,
		Config:        p.configLabel(),
		ConfigPath:    p.configPath,
		ConfigSHA256:  p.configSum,
		Scenario:      p.name,
		WeightMode:    s.nw.Options().WeightMode.String(),
		Seed:          p.f.seed,
		Units:         n,
		Synapses:      s.synapses,
		WarmupSteps:   s.warmup,
		Steps:         s.steps,
		Complete:      s.complete(),
		StepsTaken:    s.nw.Steps(),
		RecordedSteps: s.log.Len(),
		Recording:     s.initial != nil,
		Sweeps:        float64(s.log.Len()) / float64(n),
		WallTime:      wallTime{Build: s.buildS, Warmup: s.warmupS, Run: s.runS},
	}
	if !sum.Complete {
		sum.Resume = "binarynet run -resume " + shellQuote(p.f.out)
	}
	for _, st := range s.nw.Stimuli() {
		sum.Stimuli = append(sum.Stimuli, stimulusSummary{Start: st.Units.Start, End: st.Units.End, OnStep: st.On, OffStep: st.Off, Delta: st.Delta})
	}
	if t := s.warmupS + s.runS; t > 0 {
		sum.UpdatesPerSecond = math.Round(float64(s.nw.Steps()-s.firstStep) / t)
	}
	if l := s.layout; l != nil {
		params := l.Params
		sum.Clustered, sum.Matrices = &params, &l.Matrices
		groups, err := plots.ClusterGroups(s.names, s.ranges)
		if err != nil {
			return nil, err
		}
		a.groups = groups
		a.shown = a.groups[:len(l.E)]
	} else {
		sum.Model = p.model.scenario
		groups, err := plots.PopulationGroups(s.names, s.ranges)
		if err != nil {
			return nil, err
		}
		a.groups, a.shown = groups, groups
	}
	if !sum.Recording {
		return a, nil
	}
	all, err := binarynet.PopulationRatesFromDiffLogs(s.initial, s.log, n, s.ranges, p.f.ramGB)
	if err != nil {
		return nil, err
	}
	for k, name := range s.names {
		var mean float64
		for _, row := range all {
			mean += row[k]
		}
		if len(all) > 0 {
			mean /= float64(len(all))
		}
		sum.Populations = append(sum.Populations, populationSummary{Name: name, Start: s.ranges[k].Start, End: s.ranges[k].End, MeanRate: round6(mean)})
	}
	ranges := make([]binarynet.Range, len(a.shown))
	names := make([]string, len(a.shown))
	for k, g := range a.shown {
		ranges[k], names[k] = g.Range, g.Name
	}
	if a.rates, err = binarynet.PopulationRatesFromDiffLogs(s.initial, s.log, n, ranges, p.f.ramGB); err != nil {
		return nil, err
	}
	if s.layout == nil {
		return a, nil
	}
	st, err := binarynet.Leaders(a.rates, leaderMargin)
	if err != nil {
		return nil, err
	}
	sw := &switching{
		Groups: names, SampleIntervalSteps: n, Margin: leaderMargin,
		Samples: st.Samples, LedSamples: st.LedSamples,
		DistinctLeaders: st.Distinct, LeadersWith5Percent: st.LeadersWithShare(minLeaderShare),
		MaxShare: round6(st.MaxShare), Switches: st.Switches, MeanDwellSweeps: round6(st.MeanDwell),
	}
	for k := range names {
		sw.Shares = append(sw.Shares, round6(st.Share(k)))
		if st.LedSamples > 0 && st.Share(k) == st.MaxShare && sw.MaxShareGroup == "" {
			sw.MaxShareGroup = names[k]
		}
	}
	sum.Switching = sw
	return a, nil
}

// headline is the part of the run command's closing line that sums up
// the dynamics.
func (a *analysis) headline() string {
	if sw := a.summary.Switching; sw != nil {
		return fmt.Sprintf("%d of %d E clusters led, largest share %.2f, %d switches",
			sw.DistinctLeaders, len(sw.Groups), sw.MaxShare, sw.Switches)
	}
	var parts []string
	for _, pop := range a.summary.Populations {
		if pop.End > pop.Start {
			parts = append(parts, fmt.Sprintf("%s %.3f", pop.Name, pop.MeanRate))
		}
	}
	return "mean rates " + strings.Join(parts, ", ")
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// render returns the pictures and the diff log of a run, which has begun
// its recording.
func (p *plan) render(s *simulation, a *analysis) ([]output, error) {
	rec, err := npz.NewRecording(s.nw, s.initial, s.log)
	if err != nil {
		return nil, err
	}
	data := output{"difflog.npz", func(wr io.Writer) error { return npz.WriteDiffLog(wr, rec) }}
	if !p.f.plots || s.log.Len() == 0 {
		return []output{data}, nil
	}
	w, h := p.f.width, p.f.height
	opts, err := plotOptions(s, "Unit activity")
	if err != nil {
		return nil, err
	}
	raster, err := plots.RasterImage(s.initial, s.log, a.groups, w, h, opts)
	if err != nil {
		return nil, fmt.Errorf("raster.png: %w", err)
	}
	rates, err := ratesPlot(s, a, p.f.ramGB)
	if err != nil {
		return nil, fmt.Errorf("rates.png: %w", err)
	}
	return []output{
		{"raster.png", func(wr io.Writer) error { return png.Encode(wr, raster) }},
		{"rates.png", func(wr io.Writer) error { return plots.WritePNG(wr, rates, w, h) }},
		data,
	}, nil
}

// ratesPlot returns the plot of rates.png, titled for the model: E and I
// clusters for a clustered model, populations for any other. ramGB is the
// memory budget of the rates it computes.
func ratesPlot(s *simulation, a *analysis, ramGB float64) (*plot.Plot, error) {
	ranges := make([]binarynet.Range, len(a.groups))
	for k, g := range a.groups {
		ranges[k] = g.Range
	}
	n := s.nw.N()
	rates, err := binarynet.PopulationRatesFromDiffLogs(s.initial, s.log, n, ranges, ramGB)
	if err != nil {
		return nil, err
	}
	title := "Population activity"
	if s.layout != nil {
		title = "E cluster activity (filled), I cluster of the same index (line)"
	}
	opts, err := plotOptions(s, title)
	if err != nil {
		return nil, err
	}
	return plots.StackedRates(rates, n, a.groups, opts)
}

// plotOptions returns the title and time axis (ms and sweeps) of a
// picture of s that shows what.
func plotOptions(s *simulation, what string) (plots.Options, error) {
	title := fmt.Sprintf("%s: network %q", what, s.nw.Name)
	if l := s.layout; l != nil {
		title = fmt.Sprintf("%s: clustered E/I network, Q = %d", what, len(l.E))
	}
	t, err := plots.NetworkTime(s.nw)
	return plots.Options{Title: title, Time: t}, err
}

// outputs returns the files of a run: for an interrupted one the
// checkpoint first, then the pictures and the diff log of what was
// recorded, and summary.json last, so that its wall times include the
// writing of the other files. start is when the command began.
func (p *plan) outputs(s *simulation, start time.Time) ([]output, *analysis, error) {
	t := time.Now()
	a, err := p.analyse(s)
	if err != nil {
		return nil, nil, err
	}
	var files []output
	if !s.complete() {
		files = append(files, output{checkpointFile, s.nw.WriteCheckpoint})
	}
	if a.summary.Recording {
		data, err := p.render(s, a)
		if err != nil {
			return nil, nil, err
		}
		files = append(files, data...)
	}
	a.summary.WallTime.Analysis = time.Since(t).Seconds()
	t = time.Now()
	files = append(files, output{"summary.json", func(w io.Writer) error {
		a.summary.WallTime.Outputs = time.Since(t).Seconds()
		a.summary.WallTime.Total = time.Since(start).Seconds()
		sum, err := json.MarshalIndent(a.summary, "", "  ")
		if err != nil {
			return err
		}
		_, err = w.Write(append(sum, '\n'))
		return err
	}})
	return files, a, nil
}
