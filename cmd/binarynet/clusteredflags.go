package main

import (
	"errors"
	"flag"
	"strconv"
	"strings"

	"github.com/binarynet/binarynet"
)

// clusteredParam is one parameter of binarynet.ClusteredParams as the
// user names it: on the command line (-Rj) and in a -config file ("R_j",
// the toolkit's key, which the library's errors name too).
type clusteredParam struct {
	flag  string // the run command's flag
	key   string // the JSON key
	usage string
	// set parses the flag's text into c.
	set func(c *binarynet.ClusteredParams, s string) error
}

// setInt and setFloat return setters of an int or float64 field.
func setInt(field func(c *binarynet.ClusteredParams) *int) func(*binarynet.ClusteredParams, string) error {
	return func(c *binarynet.ClusteredParams, s string) error {
		v, err := strconv.Atoi(s)
		if err != nil {
			return errors.New("not an integer")
		}
		*field(c) = v
		return nil
	}
}

func setFloat(field func(c *binarynet.ClusteredParams) *float64) func(*binarynet.ClusteredParams, string) error {
	return func(c *binarynet.ClusteredParams, s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return errors.New("not a number")
		}
		*field(c) = v
		return nil
	}
}

// clusteredParams are the parameters of a clustered model, in the order of
// the flags' documentation.
var clusteredParams = []clusteredParam{
	{"Q", "Q", "number of clusters Q", setInt(func(c *binarynet.ClusteredParams) *int { return &c.Q })},
	{"NE", "N_E", "total number of excitatory units N_E, a multiple of Q", setInt(func(c *binarynet.ClusteredParams) *int { return &c.NE })},
	{"NI", "N_I", "total number of inhibitory units N_I, a multiple of Q", setInt(func(c *binarynet.ClusteredParams) *int { return &c.NI })},
	{"p", "p0_ee", "base connection probability p0 of all four blocks", func(c *binarynet.ClusteredParams, s string) error {
		var v float64
		if err := setFloat(func(*binarynet.ClusteredParams) *float64 { return &v })(c, s); err != nil {
			return err
		}
		c.P0EE, c.P0EI, c.P0IE, c.P0II = v, v, v, v
		return nil
	}},
	{"g", "g", "relative inhibition g onto E units", setFloat(func(c *binarynet.ClusteredParams) *float64 { return &c.G })},
	{"Vth", "V_th", "threshold V_th before the external drive is folded in", setFloat(func(c *binarynet.ClusteredParams) *float64 { return &c.VTh })},
	{"tauE", "tau_e", "time constant tau_e of the E units", setFloat(func(c *binarynet.ClusteredParams) *float64 { return &c.TauE })},
	{"tauI", "tau_i", "time constant tau_i of the I units (unset: tau_e/2)", func(c *binarynet.ClusteredParams, s string) error {
		c.TauI = new(0.0)
		return setFloat(func(c *binarynet.ClusteredParams) *float64 { return c.TauI })(c, s)
	}},
	{"REplus", "R_Eplus", "clustering strength R_Eplus", func(c *binarynet.ClusteredParams, s string) error {
		c.REPlus = new(0.0)
		return setFloat(func(c *binarynet.ClusteredParams) *float64 { return c.REPlus })(c, s)
	}},
	{"Rj", "R_j", "share R_j of the clustering given to I: R_I+ = 1 + R_j (R_Eplus - 1)", setFloat(func(c *binarynet.ClusteredParams) *float64 { return &c.Rj })},
	{"kappa", "kappa", "wiring-weight mixing kappa in [0, 1] (0: probabilities, 1: weights)", setFloat(func(c *binarynet.ClusteredParams) *float64 { return &c.Kappa })},
	{"mX", "m_X", "external rate m_X folded into the thresholds", setFloat(func(c *binarynet.ClusteredParams) *float64 { return &c.MX })},
	{"connection", "connection_type", "connection type: bernoulli, poisson or fixed-indegree", func(c *binarynet.ClusteredParams, s string) error {
		ct, err := binarynet.ParseConnectionType(s)
		if err != nil {
			var pe *binarynet.ParameterError
			if errors.As(err, &pe) {
				return errors.New(pe.Reason)
			}
			return err
		}
		c.ConnectionType = ct
		return nil
	}},
	{"multapses", "multapses", "multapses of fixed-indegree blocks: true or false", func(c *binarynet.ClusteredParams, s string) error {
		v, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("not true or false")
		}
		c.Multapses = v
		return nil
	}},
}

// defineClusteredFlags defines the clustered flags on fs, storing their
// text in raw by flag name; applyClusteredFlags parses them.
func defineClusteredFlags(fs *flag.FlagSet, raw map[string]string) {
	for _, cp := range clusteredParams {
		name := cp.flag
		usage := "clustered model: " + cp.usage + " (default: the model's)"
		store := func(s string) error {
			raw[name] = s
			return nil
		}
		if name == "multapses" {
			fs.BoolFunc(name, usage, store)
		} else {
			fs.Func(name, usage, store)
		}
	}
}

// applyClusteredFlags copies the clustered flags that were given into the
// model. The library checks the values; an invalid one, zero included, is
// an error naming the flag.
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
	for _, cp := range given {
		raw := p.f.clustered[cp.flag]
		if err := cp.set(&m.Clustered, raw); err != nil {
			return usagef("-%s %s: %v", cp.flag, raw, err)
		}
		m.fromFlag[cp.key] = true
		if cp.flag == "p" {
			for _, k := range []string{"p0_ei", "p0_ie", "p0_ii"} {
				m.fromFlag[k] = true
			}
		}
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
	key, _, _ := strings.Cut(pe.Param, "[")
	if c.fromFlag[key] {
		for _, cp := range clusteredParams {
			if cp.key == key || (cp.flag == "p" && strings.HasPrefix(key, "p0_")) {
				return usagef("-%s %v: %s", cp.flag, pe.Value, pe.Reason)
			}
		}
	}
	if pe.Value == nil { // a missing value: nothing to quote
		return usagef("%s: scenario %q: %q: %s", p.configLabel(), p.name, pe.Param, pe.Reason)
	}
	return usagef("%s: scenario %q: %q: %v: %s", p.configLabel(), p.name, pe.Param, pe.Value, pe.Reason)
}
