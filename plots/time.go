package plots

import (
	"fmt"
	"math"
	"strconv"

	"github.com/binarynet/binarynet"
	"gonum.org/v1/plot"
)

// Time describes the time axis of a picture: update steps are shown in
// sweeps and, when StepsPerUnit is set, in model time as well.
type Time struct {
	// N is the number of units of the network; one sweep is N update
	// steps. It must be at least 1.
	N int
	// StepsPerUnit is the number of update steps per unit of model time:
	// sum_k N_k/tau_k over the populations (StepsPerTimeUnit), which is
	// 1,200 per ms for the toolkit's default model. Zero means time is
	// shown in sweeps only.
	StepsPerUnit float64
	// Unit names the unit of model time; empty means "ms".
	Unit string
}

// StepsPerTimeUnit returns sum_k sizes[k]/taus[k], the number of update
// steps per unit of time in which the taus are given: a population of
// size N and time constant tau is drawn with probability proportional to
// N/tau, so each of its units is updated once per tau on average.
func StepsPerTimeUnit(sizes []int, taus []float64) (float64, error) {
	if len(sizes) != len(taus) {
		return 0, fmt.Errorf("plots: %d population sizes for %d taus: %w", len(sizes), len(taus), binarynet.ErrShape)
	}
	var s float64
	for k, n := range sizes {
		tau := taus[k]
		if n < 0 || !(tau > 0) || math.IsInf(tau, 0) {
			return 0, fmt.Errorf("plots: population %d: size %d and tau %v must be >= 0 and positive finite: %w", k, n, tau, binarynet.ErrInvalidParameter)
		}
		s += float64(n) / tau
	}
	if s == 0 {
		return 0, fmt.Errorf("plots: no units to update: %w", binarynet.ErrInvalidParameter)
	}
	return s, nil
}

func (t Time) check() error {
	if t.N < 1 {
		return fmt.Errorf("plots: time axis: unit count N = %d must be >= 1: %w", t.N, binarynet.ErrInvalidParameter)
	}
	if s := t.StepsPerUnit; s < 0 || math.IsNaN(s) || math.IsInf(s, 0) {
		return fmt.Errorf("plots: time axis: StepsPerUnit = %v must be >= 0 and finite: %w", s, binarynet.ErrInvalidParameter)
	}
	return nil
}

func (t Time) unit() string {
	if t.Unit == "" {
		return "ms"
	}
	return t.Unit
}

// modelTime reports whether the axis is in model time.
func (t Time) modelTime() bool { return t.StepsPerUnit > 0 }

// x returns the position of an update step on the axis: model time when
// it is known, else sweeps.
func (t Time) x(step float64) float64 {
	if t.modelTime() {
		return step / t.StepsPerUnit
	}
	return step / float64(t.N)
}

// label is the axis label.
func (t Time) label() string {
	sweeps := fmt.Sprintf("sweeps of N = %s updates", groupDigits(t.N))
	if !t.modelTime() {
		return "time (" + sweeps + ")"
	}
	return fmt.Sprintf("time: %s (upper numbers, τ in %s) and %s (lower numbers)", t.unit(), t.unit(), sweeps)
}

// Ticks implements plot.Ticker: niceTicks in the axis unit, each label
// followed on a second line by the same time in sweeps when the axis is
// in model time.
func (t Time) Ticks(min, max float64) []plot.Tick {
	ticks := niceTicks(min, max)
	for i := range ticks {
		if ticks[i].Label == "" {
			continue
		}
		if t.modelTime() {
			ticks[i].Label += "\n" + formatNumber(roundSignificant(ticks[i].Value*t.StepsPerUnit/float64(t.N), 3))
		}
	}
	return ticks
}

// niceTicks returns labelled ticks at multiples of 1, 2, 2.5 or 5 times a
// power of ten, the finest step that gives at most 7 of them, and
// unlabelled ticks at a fifth (or a quarter, for 2 and 2.5) of that step.
func niceTicks(min, max float64) []plot.Tick {
	if !(max > min) || math.IsInf(max-min, 0) {
		return []plot.Tick{{Value: min, Label: formatNumber(min)}}
	}
	const most = 7
	raw := (max - min) / (most - 1)
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	step, minor := 10*p, 2*p
	for _, m := range []struct{ step, minor float64 }{{1, 0.2}, {2, 0.5}, {2.5, 0.5}, {5, 1}} {
		if m.step*p >= raw*(1-1e-9) {
			step, minor = m.step*p, m.minor*p
			break
		}
	}
	var ticks []plot.Tick
	for i := math.Ceil(min/minor - 1e-9); i*minor <= max*(1+1e-12)+1e-300; i++ {
		v := i * minor
		r := v / step
		if math.Abs(r-math.Round(r)) < 1e-6 {
			v = math.Round(r) * step
			ticks = append(ticks, plot.Tick{Value: v, Label: formatNumber(roundSignificant(v, 12))})
		} else {
			ticks = append(ticks, plot.Tick{Value: v})
		}
	}
	return ticks
}

// formatNumber writes v in its shortest form, "2500" rather than
// "2500.00".
func formatNumber(v float64) string {
	if v == 0 {
		return "0" // not "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// roundSignificant rounds v to d significant digits.
func roundSignificant(v float64, d int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	p := math.Pow(10, float64(d)-math.Ceil(math.Log10(math.Abs(v))))
	return math.Round(v*p) / p
}

// groupDigits writes n with thousands separators: 5,001.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	start := 0
	if n < 0 {
		start = 1
	}
	for i := len(s) - 3; i > start; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// plainTicks are niceTicks, for axes other than time.
type plainTicks struct{}

// Ticks implements plot.Ticker.
func (plainTicks) Ticks(min, max float64) []plot.Tick { return niceTicks(min, max) }

// NetworkTime returns the time axis of the pictures of nw: its number of
// units, and the update steps per unit of time of its populations' taus
// (StepsPerTimeUnit over every population, as the network recorded them
// when they were added), which are ms for the clustered toolkit's models.
func NetworkTime(nw *binarynet.Network) (Time, error) {
	specs := nw.PopulationSpecs()
	sizes := make([]int, len(specs))
	taus := make([]float64, len(specs))
	for k, s := range specs {
		sizes[k], taus[k] = s.N, s.Tau
	}
	per, err := StepsPerTimeUnit(sizes, taus)
	if err != nil {
		return Time{}, err
	}
	return Time{N: nw.N(), StepsPerUnit: per}, nil
}
