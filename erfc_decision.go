package binarynet

import "math"

// erfcDecision decides the state of a unit with an ErfcGain from the
// uniform number u of its update, mostly without evaluating erfc: it
// compares u with Prob read from a table of 0.5 erfc(-d) over d = (h -
// theta) / (sqrt(2) Sigma), linearly interpolated, and leaves the decision
// to Prob itself only when u lies within the table's error of the value
// read (a fraction of about 2*erfcTableError of the updates) or is 0. Its
// decisions are those of u < Prob(h, theta), bit for bit, so trajectories
// do not change.
type erfcDecision struct {
	scale float64   // 1 / (sqrt(2) Sigma)
	p     erfcTable // shared by the populations of a network
}

// erfcTable holds 0.5 erfc(-d) at d = -erfcSpan + i/erfcStepsPerUnit; it
// does not depend on Sigma.
type erfcTable []float64

const (
	// erfcSpan bounds the table: for d >= erfcSpan, Prob rounds to exactly
	// 1, which every u is below; for d <= -erfcSpan it is below 1e-19, which
	// every u but 0 exceeds.
	erfcSpan = 6.5
	// erfcStepsPerUnit is the number of table steps per unit of d.
	erfcStepsPerUnit = 64
	// erfcTableError bounds the difference between the interpolated table
	// and Prob: linear interpolation errs by at most step^2/8 max|p''| =
	// (1/64)^2/8 * sqrt(2/pi) exp(-1/2) = 1.48e-5, and the rounding of the
	// table, of d and of Prob adds less than 1e-14.
	erfcTableError = 2e-5
)

// newErfcTable returns the table of erfcDecision.
func newErfcTable() erfcTable {
	p := make(erfcTable, 2*erfcSpan*erfcStepsPerUnit+1)
	for i := range p {
		d := -erfcSpan + float64(i)/erfcStepsPerUnit
		p[i] = 0.5 * math.Erfc(-d)
	}
	return p
}

// newErfcDecision returns the decision of ErfcGain{Sigma: sigma}, sigma
// positive and finite, reading table p.
func newErfcDecision(sigma float64, p erfcTable) *erfcDecision {
	return &erfcDecision{scale: 1 / (math.Sqrt2 * sigma), p: p}
}

// decide returns whether u < Prob for a unit whose field exceeds its
// threshold by x (not NaN), and ok = false when it cannot tell without
// evaluating Prob.
func (e *erfcDecision) decide(u, x float64) (on, ok bool) {
	d := x * e.scale
	switch {
	case d >= erfcSpan:
		return true, true
	case d <= -erfcSpan:
		return false, u != 0
	}
	t := (d + erfcSpan) * erfcStepsPerUnit
	i := int(t)
	if i >= len(e.p)-1 { // d just below erfcSpan, rounded up by the sum
		return false, false
	}
	f := t - float64(i)
	p := e.p[i] + f*(e.p[i+1]-e.p[i])
	// Without a branch on the decision itself, which the processor cannot
	// foresee: u is on the same side of Prob as of p when it is at least
	// erfcTableError away from p.
	return u < p, math.Abs(u-p) >= erfcTableError
}
