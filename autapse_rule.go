package binarynet

import "fmt"

// AutapseRule says how a synapse from a population onto itself keeps a
// unit from connecting to itself when Options.Autapse is false.
//
// The two rules differ only for FixedIndegreeSynapse. A Bernoulli pair
// that is dropped is the same as one never drawn, and Poisson counts per
// pair are independent, so for those synapses the rules give networks of
// the same distribution (Bernoulli: the very same network).
type AutapseRule int

const (
	// AutapseExcludeSelf draws a unit's inputs from the other units of
	// the population only: a fixed-indegree unit keeps exactly K inputs.
	// It is the zero value.
	AutapseExcludeSelf AutapseRule = iota
	// AutapseDeleteSelf draws a unit's inputs from all units of the
	// population, the unit included, and then deletes the
	// self-connections, as the Python module does. A fixed-indegree unit
	// without multapses then keeps K-1 inputs with probability K/N (N the
	// population size) and K otherwise; with multapses each of its K draws
	// is lost with probability 1/N.
	AutapseDeleteSelf
)

// String returns "exclude-self" or "delete-self".
func (r AutapseRule) String() string {
	switch r {
	case AutapseExcludeSelf:
		return "exclude-self"
	case AutapseDeleteSelf:
		return "delete-self"
	}
	return fmt.Sprintf("AutapseRule(%d)", int(r))
}

// ParseAutapseRule reads "exclude-self" or "delete-self".
func ParseAutapseRule(s string) (AutapseRule, error) {
	switch s {
	case "exclude-self":
		return AutapseExcludeSelf, nil
	case "delete-self":
		return AutapseDeleteSelf, nil
	}
	return 0, paramError("autapse rule", fmt.Sprintf("%q", s), `must be "exclude-self" or "delete-self"`)
}

// MarshalText implements encoding.TextMarshaler.
func (r AutapseRule) MarshalText() ([]byte, error) {
	if r != AutapseExcludeSelf && r != AutapseDeleteSelf {
		return nil, paramError("autapse rule", int(r), "must be AutapseExcludeSelf or AutapseDeleteSelf")
	}
	return []byte(r.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseAutapseRule.
func (r *AutapseRule) UnmarshalText(b []byte) error {
	v, err := ParseAutapseRule(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}

// dropSelf removes the entries equal to r from the local pre indices of
// post row r, keeping the order of the others.
func dropSelf(pre []int32, r int) []int32 {
	out := pre[:0]
	for _, c := range pre {
		if int(c) != r {
			out = append(out, c)
		}
	}
	return out
}
