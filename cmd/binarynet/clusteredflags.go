package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/binarynet/binarynet"
)

// clusteredParam is one parameter of binarynet.ClusteredParams as the
// user names it: on the command line (-Rj) and in a -config file ("R_j").
type clusteredParam struct {
	flag  string // the run command's flag
	key   string // the JSON key
	field string // the Go field, as the library's errors name it
	usage string
	// zeroDefault marks the fields whose zero value the library replaces
	// by a default: an explicit zero there must be refused by the
	// command, or it would silently become the default.
	zeroDefault bool
	// ptr returns the field in c: an *int or a *float64. For "p" it is
	// the EE probability, which the flag copies to all four blocks.
	ptr func(c *binarynet.ClusteredParams) any
}

// clusteredParams are the parameters of a clustered model, in the order of
// the flags' documentation.
var clusteredParams = []clusteredParam{
	{"Q", "Q", "Q", "number of E and of I clusters", false, func(c *binarynet.ClusteredParams) any { return &c.Q }},
	{"NE", "N_E", "NE", "units per excitatory cluster", false, func(c *binarynet.ClusteredParams) any { return &c.NE }},
	{"NI", "N_I", "NI", "units per inhibitory cluster", false, func(c *binarynet.ClusteredParams) any { return &c.NI }},
	{"p", "p", "P", "connection probability of all four blocks", false, func(c *binarynet.ClusteredParams) any { return &c.P[0][0] }},
	{"g", "g", "G", "relative inhibition strength g", false, func(c *binarynet.ClusteredParams) any { return &c.G }},
	{"thetaE", "threshold_E", "ThresholdE", "threshold of the E units", false, func(c *binarynet.ClusteredParams) any { return &c.ThresholdE }},
	{"thetaI", "threshold_I", "ThresholdI", "threshold of the I units", false, func(c *binarynet.ClusteredParams) any { return &c.ThresholdI }},
	{"tauE", "tau_E", "TauE", "time constant of the E units (default: the model's, else 10)", true, func(c *binarynet.ClusteredParams) any { return &c.TauE }},
	{"tauI", "tau_I", "TauI", "time constant of the I units (default: the model's, else 5)", true, func(c *binarynet.ClusteredParams) any { return &c.TauI }},
	{"JEplus", "J_E_plus", "JEPlus", "weight clustering factor J_E+ (default: the model's, else 1: none)", true, func(c *binarynet.ClusteredParams) any { return &c.JEPlus }},
	{"pEplus", "p_E_plus", "PEPlus", "probability clustering factor p_E+ (default: the model's, else 1: none)", true, func(c *binarynet.ClusteredParams) any { return &c.PEPlus }},
	{"Rj", "R_j", "RJ", "inhibitory clustering ratio R_j in [0, 1]", false, func(c *binarynet.ClusteredParams) any { return &c.RJ }},
	{"drive", "drive", "Drive", "weight of the background unit onto every unit", false, func(c *binarynet.ClusteredParams) any { return &c.Drive }},
}

// defineClusteredFlags defines the clustered flags on fs, storing their
// values in c.
func defineClusteredFlags(fs *flag.FlagSet, c *binarynet.ClusteredParams) {
	for _, cp := range clusteredParams {
		usage := "clustered model: " + cp.usage
		if !strings.HasSuffix(usage, ")") {
			usage += " (default: the model's)"
		}
		switch v := cp.ptr(c).(type) {
		case *int:
			fs.IntVar(v, cp.flag, 0, usage)
		case *float64:
			fs.Float64Var(v, cp.flag, 0, usage)
		}
	}
}

// applyClusteredFlags copies the clustered flags that were given into the
// model. An explicit zero for a parameter whose zero means "default" is
// an error: the flag asked for zero, and zero is invalid there.
func (p *plan) applyClusteredFlags() error {
	var given []clusteredParam
	for _, cp := range clusteredParams {
		if p.f.set[cp.flag] {
			given = append(given, cp)
		}
	}
	if len(given) == 0 {
		return nil
	}
	if p.model.clustered == nil {
		names := make([]string, len(given))
		for i, cp := range given {
			names[i] = "-" + cp.flag
		}
		return usagef("%s apply to clustered models only; scenario %q has populations and synapses", strings.Join(names, ", "), p.name)
	}
	m := *p.model.clustered
	m.fromFlag = map[string]bool{}
	dst, src := &m.Clustered, &p.f.clustered
	for _, cp := range given {
		switch v := cp.ptr(src).(type) {
		case *int:
			*cp.ptr(dst).(*int) = *v
		case *float64:
			if cp.zeroDefault && *v == 0 {
				return usagef("-%s 0: must be positive (leave the flag out for the model's value)", cp.flag)
			}
			*cp.ptr(dst).(*float64) = *v
		}
		if cp.flag == "p" {
			pp := src.P[0][0]
			dst.P = [2][2]float64{{pp, pp}, {pp, pp}}
		}
		m.fromFlag[cp.field] = true
	}
	p.model.clustered = &m
	return nil
}

// clusteredError rewrites a *binarynet.ParameterError about a clustered
// parameter so that it names what the user typed: the flag when the value
// came from one, else the JSON key of the model file. Other errors are
// returned unchanged.
func (p *plan) clusteredError(err error) error {
	var pe *binarynet.ParameterError
	c := p.model.clustered
	if c == nil || !errors.As(err, &pe) {
		return err
	}
	field, ok := strings.CutPrefix(pe.Param, "clustered ")
	if !ok {
		return err
	}
	field, index, _ := strings.Cut(field, "[")
	for _, cp := range clusteredParams {
		if cp.field != field {
			continue
		}
		if c.fromFlag[cp.field] {
			return usagef("-%s %v: %s", cp.flag, pe.Value, pe.Reason)
		}
		key := fmt.Sprintf("%q", cp.key)
		if index != "" {
			// P[EE]: the block of the 2x2 matrix, [post][pre].
			names := map[string]string{"EE]": "[0][0]", "EI]": "[0][1]", "IE]": "[1][0]", "II]": "[1][1]"}
			key += names[index]
		}
		return usagef("%s: scenario %q: %s: %v: %s", p.configLabel(), p.name, key, pe.Value, pe.Reason)
	}
	return err
}
