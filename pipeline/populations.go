package pipeline

import (
	"fmt"

	"github.com/binarynet/binarynet"
)

// population is one population of the clustered model, as the output
// files describe it.
type population struct {
	Name    string // E<k> or I<k>
	Cell    string // "E" or "I"
	Cluster int
	Range   binarynet.Range
}

// populations returns the model's 2Q populations in index order, E0..E(Q-1)
// then I0..I(Q-1), each cluster N_E/Q or N_I/Q units.
func (m *Model) populations() []population {
	out := make([]population, 0, 2*m.Q)
	start := 0
	for _, c := range []struct {
		cell string
		size int
	}{{"E", m.NE / m.Q}, {"I", m.NI / m.Q}} {
		for k := range m.Q {
			out = append(out, population{c.cell + fmt.Sprint(k), c.cell, k, binarynet.Range{Start: start, End: start + c.size}})
			start += c.size
		}
	}
	return out
}

// ranges returns the unit ranges of pops.
func ranges(pops []population) []binarynet.Range {
	out := make([]binarynet.Range, len(pops))
	for i, p := range pops {
		out[i] = p.Range
	}
	return out
}

// checkLayout checks that the network built has the populations the
// output files will describe.
func checkLayout(l *binarynet.ClusteredLayout, pops []population) error {
	if len(l.Populations) != len(pops) {
		return fmt.Errorf("pipeline: the network has %d populations, the model %d", len(l.Populations), len(pops))
	}
	for i, p := range l.Populations {
		want := pops[i]
		if p.Population.Name != want.Name || p.CellType.String() != want.Cell || p.Cluster != want.Cluster || p.Range != want.Range {
			return fmt.Errorf("pipeline: population %d of the network is %s %s %d %v, the model's %+v", i, p.Population.Name, p.CellType, p.Cluster, p.Range, want)
		}
	}
	return nil
}
