package plots

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/binarynet/binarynet"
)

// Group is a set of units drawn in one colour, such as one cluster.
type Group struct {
	// Name labels the group.
	Name string
	// Range holds the unit ids of the group.
	Range binarynet.Range
	// Color is the group's colour; nil means black.
	Color color.Color
	// Inhibitory marks a group of inhibitory units. The raster draws a
	// line between the excitatory groups and the inhibitory ones above
	// them, and StackedRates pairs inhibitory with excitatory groups.
	Inhibitory bool
}

// ClusterColors returns q colours with hues spread evenly around the colour
// circle; neighbouring indices alternate between a brighter and a darker
// shade so that adjacent clusters stay distinguishable when q is large.
func ClusterColors(q int) []color.Color {
	c := make([]color.Color, max(q, 0))
	for k := range c {
		c[k] = clusterColor(k, q, false)
	}
	return c
}

// clusterColor is the colour of cluster k of q: E clusters in saturated
// hues, I clusters in a darker, less saturated shade of the same hue, so
// that the I cluster of an E cluster is recognisable beside it.
func clusterColor(k, q int, inhibitory bool) color.NRGBA {
	h := float64(k) / float64(max(q, 1))
	if inhibitory {
		return hsv(h, 0.6, 0.45)
	}
	v := 0.85
	if k%2 == 1 {
		v = 0.6
	}
	return hsv(h, 0.9, v)
}

// ClusterGroups returns the groups of the clusters of a clustered E/I
// network from its population names and ranges (as Network.Populations
// and PopulationRange give them): every population named E<k> or I<k>
// (k = 0, 1, ...), as the clustered model names them, becomes a group,
// excitatory or inhibitory, coloured by its cluster index k; other
// populations (background units) and empty ones are left out.
func ClusterGroups(names []string, ranges []binarynet.Range) ([]Group, error) {
	if len(names) != len(ranges) {
		return nil, fmt.Errorf("plots: %d population names for %d ranges: %w", len(names), len(ranges), binarynet.ErrShape)
	}
	q := 0
	for _, name := range names {
		if k, _, ok := clusterOf(name); ok {
			q = max(q, k+1)
		}
	}
	var groups []Group
	for i, name := range names {
		k, inh, ok := clusterOf(name)
		if !ok || ranges[i].End <= ranges[i].Start {
			continue
		}
		groups = append(groups, Group{Name: name, Range: ranges[i], Color: clusterColor(k, q, inh), Inhibitory: inh})
	}
	return groups, nil
}

// PopulationGroups returns one group per non-empty population, in the
// colours of ClusterColors, for a network without clusters. A population
// named "I" or "I<k>" is marked inhibitory.
func PopulationGroups(names []string, ranges []binarynet.Range) ([]Group, error) {
	if len(names) != len(ranges) {
		return nil, fmt.Errorf("plots: %d population names for %d ranges: %w", len(names), len(ranges), binarynet.ErrShape)
	}
	colors := ClusterColors(len(names))
	var groups []Group
	for i, name := range names {
		if ranges[i].End <= ranges[i].Start {
			continue
		}
		_, inh, _ := clusterOf(name)
		groups = append(groups, Group{Name: name, Range: ranges[i], Color: colors[i], Inhibitory: inh || name == "I"})
	}
	return groups, nil
}

// clusterOf parses a cluster name E<k> or I<k>.
func clusterOf(name string) (k int, inhibitory, ok bool) {
	if len(name) < 2 || (name[0] != 'E' && name[0] != 'I') {
		return 0, false, false
	}
	for _, c := range name[1:] {
		if c < '0' || c > '9' {
			return 0, false, false
		}
	}
	k, err := strconv.Atoi(name[1:])
	if err != nil {
		return 0, false, false
	}
	return k, name[0] == 'I', true
}

// eiBoundary returns the unit id between the excitatory and the
// inhibitory groups when every excitatory group lies below every
// inhibitory one and both kinds exist.
func eiBoundary(groups []Group) (int, bool) {
	eHi, iLo := math.MinInt, math.MaxInt
	for _, g := range groups {
		if g.Inhibitory {
			iLo = min(iLo, g.Range.Start)
		} else {
			eHi = max(eHi, g.Range.End)
		}
	}
	if eHi == math.MinInt || iLo == math.MaxInt || eHi > iLo {
		return 0, false
	}
	return eHi, true
}

// hsv converts a colour given by hue, saturation and value in [0, 1].
func hsv(h, s, v float64) color.NRGBA {
	h = math.Mod(h, 1) * 6
	i := math.Floor(h)
	f := h - i
	p, q, t := v*(1-s), v*(1-s*f), v*(1-s*(1-f))
	var r, g, b float64
	switch int(i) {
	case 0:
		r, g, b = v, t, p
	case 1:
		r, g, b = q, v, p
	case 2:
		r, g, b = p, v, t
	case 3:
		r, g, b = p, q, v
	case 4:
		r, g, b = t, p, v
	default:
		r, g, b = v, p, q
	}
	return color.NRGBA{uint8(math.Round(r * 255)), uint8(math.Round(g * 255)), uint8(math.Round(b * 255)), 255}
}

// blend mixes white with a channel value v in proportion f.
func blend(v, f float64) uint8 {
	return uint8(math.Round(255*(1-f) + v*f))
}

// rgb returns the 8-bit channels of c, black for nil.
func rgb(c color.Color) (r, g, b float64) {
	if c == nil {
		return 0, 0, 0
	}
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return float64(n.R), float64(n.G), float64(n.B)
}

// fade returns c blended with white, keeping the fraction f of c.
func fade(c color.Color, f float64) color.Color {
	r, g, b := rgb(c)
	return color.NRGBA{blend(r, f), blend(g, f), blend(b, f), 255}
}

// orBlack returns c, or black for nil.
func orBlack(c color.Color) color.Color {
	if c == nil {
		return color.Black
	}
	return c
}

// groupSpan checks the groups against a network of n units and returns the
// lowest start and highest end of their ranges.
func groupSpan(groups []Group, n int) (lo, hi int, err error) {
	if len(groups) == 0 {
		return 0, 0, fmt.Errorf("plots: no groups to draw: %w", binarynet.ErrInvalidParameter)
	}
	lo, hi = n, 0
	for k, g := range groups {
		r := g.Range
		if r.Start < 0 || r.End <= r.Start || r.End > n {
			return 0, 0, fmt.Errorf("plots: group %d (%q) range %v must satisfy 0 <= Start < End <= %d: %w",
				k, g.Name, r, n, binarynet.ErrInvalidParameter)
		}
		lo, hi = min(lo, r.Start), max(hi, r.End)
	}
	return lo, hi, nil
}
