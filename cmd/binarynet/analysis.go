package main

import (
	"fmt"
	"image/png"
	"io"
	"math"

	"github.com/binarynet/binarynet"
	"github.com/binarynet/binarynet/npz"
	"github.com/binarynet/binarynet/plots"
)

// summary is the content of summary.json.
type summary struct {
	// Args are the command-line arguments of the run.
	Args        []string                   `json:"args"`
	Config      string                     `json:"config"`
	Scenario    string                     `json:"scenario"`
	Clustered   *binarynet.ClusteredParams `json:"clustered,omitempty"`
	Matrices    *binarynet.ClusterMatrices `json:"matrices,omitempty"`
	Model       *binarynet.Scenario        `json:"model,omitempty"`
	WeightMode  string                     `json:"weight_mode"`
	Seed        uint64                     `json:"seed"`
	Units       int                        `json:"units"`
	Synapses    int64                      `json:"synapses"`
	WarmupSteps int                        `json:"warmup_steps"`
	Steps       int                        `json:"steps"`
	Sweeps      float64                    `json:"sweeps"`
	// Populations gives each population's unit range and its activity
	// averaged over the recorded run (one sample per sweep).
	Populations []populationSummary `json:"populations"`
	Switching   switching           `json:"switching"`
	WallTime    wallTime            `json:"wall_time_s"`
	// UpdatesPerSecond counts warm-up and recorded updates.
	UpdatesPerSecond float64 `json:"updates_per_second"`
}

type populationSummary struct {
	Name     string  `json:"name"`
	Start    int     `json:"start"`
	End      int     `json:"end"`
	MeanRate float64 `json:"mean_rate"`
}

// switching reports binarynet.Leaders over the competing groups: the E
// clusters of a clustered model, all populations of a scenario.
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
	compete []plots.Group // the competing groups, for rates.png
	rates   [][]float64   // rates of compete, one sample per sweep
}

// analyse computes population rates and switching statistics.
func (p *plan) analyse(s *simulation) (*analysis, error) {
	n := s.nw.N()
	a := &analysis{}
	sum := &a.summary
	*sum = summary{
		Args:        p.args,
		Config:      p.configLabel(),
		Scenario:    p.name,
		WeightMode:  s.nw.Options().WeightMode.String(),
		Seed:        p.f.seed,
		Units:       n,
		Synapses:    s.synapses,
		WarmupSteps: s.warmup,
		Steps:       s.steps,
		Sweeps:      float64(s.steps) / float64(n),
		WallTime:    wallTime{Build: s.buildS, Warmup: s.warmupS, Run: s.runS},
	}
	if t := s.warmupS + s.runS; t > 0 {
		sum.UpdatesPerSecond = math.Round(float64(s.warmup+s.steps) / t)
	}
	if l := s.layout; l != nil {
		params := l.Params
		sum.Clustered, sum.Matrices = &params, &l.Matrices
		a.groups = plots.ClusterGroups(l)
		a.compete = a.groups[:len(l.E)]
	} else {
		sum.Model = p.model.scenario
		colors := plots.ClusterColors(len(s.names))
		for k, name := range s.names {
			if s.ranges[k].End > s.ranges[k].Start {
				a.groups = append(a.groups, plots.Group{Name: name, Range: s.ranges[k], Color: colors[k]})
			}
		}
		a.compete = a.groups
	}
	all, err := binarynet.PopulationRatesFromDiffLogs(s.initial, s.log, n, s.ranges)
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
	ranges := make([]binarynet.Range, len(a.compete))
	names := make([]string, len(a.compete))
	for k, g := range a.compete {
		ranges[k], names[k] = g.Range, g.Name
	}
	if a.rates, err = binarynet.PopulationRatesFromDiffLogs(s.initial, s.log, n, ranges); err != nil {
		return nil, err
	}
	st, err := binarynet.Leaders(a.rates, leaderMargin)
	if err != nil {
		return nil, err
	}
	sw := switching{
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

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// render returns the plot and data outputs of a run.
func (p *plan) render(s *simulation, a *analysis) ([]output, error) {
	w, h := p.f.width, p.f.height
	rec, err := npz.NewRecording(s.nw, s.initial, s.log)
	if err != nil {
		return nil, err
	}
	raster, err := plots.RasterImage(s.initial, s.log, a.groups, w, h)
	if err != nil {
		return nil, fmt.Errorf("raster.png: %w", err)
	}
	rates, err := plots.StackedRates(a.rates, s.nw.N(), s.nw.N(), a.compete)
	if err != nil {
		return nil, fmt.Errorf("rates.png: %w", err)
	}
	return []output{
		{"raster.png", func(wr io.Writer) error { return png.Encode(wr, raster) }},
		{"rates.png", func(wr io.Writer) error { return plots.WritePNG(wr, rates, w, h) }},
		{"difflog.npz", func(wr io.Writer) error { return npz.WriteDiffLog(wr, rec) }},
	}, nil
}
