package pipeline

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// ClusteredParams returns the binarynet model of the job: the
// configuration's keys mapped onto binarynet.ClusteredParams, with
// initial_activity and population_rate_init.
func (j *Job) ClusteredParams() (binarynet.ClusteredParams, error) {
	m, b := j.Model, &j.Binary
	p := binarynet.DefaultClusteredParams()
	p.NE, p.NI, p.Q = m.NE, m.NI, m.Q
	p.VTh, p.G = m.VTh, m.G
	p.P0EE, p.P0EI, p.P0IE, p.P0II = m.P0[0][0], m.P0[0][1], m.P0[1][0], m.P0[1][1]
	p.TauE = m.TauE
	tauI, rePlus := m.TauI, m.REPlus
	p.TauI, p.REPlus = &tauI, &rePlus
	p.Rj, p.Kappa = m.RJ, m.Kappa
	ct, err := binarynet.ParseConnectionType(m.Connection)
	if err != nil {
		return p, keyError("connection_type", m.ConnectionName, err.Error())
	}
	p.ConnectionType = ct
	p.Multapses, p.MX = m.Multapses, m.MX
	p.AdaptationE, p.AdaptationI = m.AdaptE, m.AdaptI
	if p.InitialActivity, err = initialActivity(j.Config); err != nil {
		return p, err
	}
	if b.PopulationRateInit != nil {
		p.PopulationRateInit = append([]float64(nil), b.PopulationRateInit...)
	}
	return p, nil
}

// Options returns the engine options of the job: its seeds, weight mode
// and type, RAM budget (ramGB when > 0, else binary.ram_budget_gb) and
// self-connection rule.
func (j *Job) Options(ramGB float64, workers int) (binarynet.Options, error) {
	b := &j.Binary
	o := binarynet.Options{Seed: b.Seed, RAMBudgetGB: b.RAMBudgetGB, Workers: workers, NetworkSeed: b.NetworkSeed, InitSeed: b.InitSeed,
		ContinuousTime: b.ContinuousTime}
	if ramGB > 0 {
		o.RAMBudgetGB = ramGB
	}
	var err error
	if o.WeightMode, err = binarynet.ParseWeightMode(b.WeightMode); err != nil {
		return o, keyError("binary.weight_mode", b.WeightMode, err.Error())
	}
	o.WeightType = binarynet.Float32
	if b.WeightDtype == "float64" {
		o.WeightType = binarynet.Float64
	}
	if o.AutapseRule, err = binarynet.ParseAutapseRule(b.AutapseRule); err != nil {
		return o, keyError("binary.autapse_rule", b.AutapseRule, err.Error())
	}
	return o, nil
}

// initialActivity converts the configuration's initial_activity section
// (already checked by readModel) into binarynet's form, or nil when the
// section is absent.
func initialActivity(c *Config) (*binarynet.InitialActivity, error) {
	v, ok := c.lookup("initial_activity")
	if !ok || v == nil {
		return nil, nil
	}
	sec := v.(map[string]any)
	a := &binarynet.InitialActivity{}
	if s, ok := sec["mode"].(string); ok {
		a.Mode = s
	}
	dst := map[string]**binarynet.ActivityEntry{
		"default": &a.Default, "excitatory": &a.Excitatory, "inhibitory": &a.Inhibitory,
		"excitatory_by_cluster": &a.ExcitatoryByCluster, "inhibitory_by_cluster": &a.InhibitoryByCluster,
	}
	for _, ent := range initialEntries {
		key := "initial_activity." + ent.key
		val := sec[ent.key]
		if val == nil {
			continue
		}
		e := &binarynet.ActivityEntry{}
		if m, isMap := val.(map[string]any); isMap {
			if s, ok := m["mode"].(string); ok {
				e.Mode = s
			}
			val = m["values"]
			if val == nil {
				val = m["value"]
			}
		}
		list, isList := val.([]any)
		if !isList {
			list = []any{val}
		}
		for i, x := range list {
			f, err := toNumber(fmt.Sprintf("%s[%d]", key, i), x)
			if err != nil {
				return nil, err
			}
			e.Values = append(e.Values, f)
		}
		*dst[ent.key] = e
	}
	return a, nil
}
