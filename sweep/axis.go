package sweep

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// MaxAxisValues bounds the number of values of one axis, so that a typo in
// a range (a step of 1e-9) is an error rather than an exhausted memory.
const MaxAxisValues = 1_000_000

// Axis is one swept key and its values, in order. Values are YAML scalars
// as written on the command line (ranges expanded, see ParseAxis).
type Axis struct {
	Key    string
	Values []string
}

// keyPattern is a dotted configuration path: kappa, R_j, binary.seed.
var keyPattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$`)

// decimalPattern is a decimal number as written: an optional sign, digits
// with an optional fraction, an optional exponent.
var decimalPattern = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

// ParseAxis parses KEY=VALUES. VALUES is either a range start:stop:step or
// a comma-separated list (a single value is a list of one; commas inside
// brackets, as in [0.1, 0.2], do not split).
//
// A range runs from start in steps of step while it does not pass stop, so
// the stop is included when the steps reach it. It is computed exactly, in
// decimal arithmetic on the written digits: 0:1:0.125 gives 0.0, 0.125,
// 0.25, ..., 0.875, 1.0, and 0.2:0.3:0.05 gives 0.2, 0.25, 0.3. If any of
// start, stop and step is written with a decimal point or an exponent,
// every value is written as a float (with at least one decimal: 1.0), so
// that its YAML type does not change along the axis; otherwise values are
// integers. A negative step runs down from start. An empty range (1:0:0.1),
// a zero step, a non-numeric bound or more than MaxAxisValues values is an
// error naming the axis and the value.
func ParseAxis(s string) (Axis, error) {
	key, spec, ok := strings.Cut(s, "=")
	if !ok {
		return Axis{}, inputError("axis %q: want KEY=VALUES, e.g. kappa=0:1:0.125 or R_j=0.75,0.8", s)
	}
	key = strings.TrimSpace(key)
	if err := checkKey(key); err != nil {
		return Axis{}, fmt.Errorf("axis %q: %w", s, err)
	}
	spec = strings.TrimSpace(spec)
	parts := splitList(spec)
	if len(parts) == 1 && strings.Contains(spec, ":") && !strings.ContainsAny(spec[:1], "[{\"'") {
		values, err := expandRange(spec)
		if err != nil {
			return Axis{}, fmt.Errorf("axis %s: %w", key, err)
		}
		return Axis{Key: key, Values: values}, nil
	}
	for i, p := range parts {
		if p == "" {
			return Axis{}, inputError("axis %s=%s: value %d of the list is empty", key, spec, i+1)
		}
		if err := checkValue(p); err != nil {
			return Axis{}, fmt.Errorf("axis %s: %w", key, err)
		}
	}
	if len(parts) > MaxAxisValues {
		return Axis{}, inputError("axis %s: %d values, more than %d", key, len(parts), MaxAxisValues)
	}
	return Axis{Key: key, Values: parts}, nil
}

// checkKey reports whether key is a dotted configuration path.
func checkKey(key string) error {
	if !keyPattern.MatchString(key) {
		return inputError("key %q is not a configuration path (letters, digits, _ and -, parts separated by dots)", key)
	}
	return nil
}

// checkValue reports whether v can be stored in a task file: one line,
// no tabs.
func checkValue(v string) error {
	if strings.ContainsAny(v, "\t\n\r") {
		return inputError("value %q contains a tab or line break", v)
	}
	return nil
}

// splitList splits s at the commas outside brackets and braces and trims
// the parts.
func splitList(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	return append(parts, strings.TrimSpace(s[start:]))
}

// expandRange expands start:stop:step exactly (see ParseAxis).
func expandRange(spec string) ([]string, error) {
	fields := strings.Split(spec, ":")
	if len(fields) != 3 {
		return nil, inputError("range %q: want start:stop:step", spec)
	}
	var r [3]*big.Rat
	isFloat := false
	for i, name := range []string{"start", "stop", "step"} {
		f := strings.TrimSpace(fields[i])
		if !decimalPattern.MatchString(f) {
			return nil, inputError("range %q: %s %q is not a decimal number", spec, name, f)
		}
		if e := strings.IndexAny(f, "eE"); e >= 0 && len(strings.TrimLeft(f[e+1:], "+-0")) > 3 {
			return nil, inputError("range %q: %s %q has an exponent beyond 999", spec, name, f)
		}
		v, ok := new(big.Rat).SetString(f)
		if !ok {
			return nil, inputError("range %q: %s %q is not a decimal number", spec, name, f)
		}
		r[i] = v
		isFloat = isFloat || strings.ContainsAny(f, ".eE")
	}
	start, stop, step := r[0], r[1], r[2]
	if step.Sign() == 0 {
		return nil, inputError("range %q: step is 0", spec)
	}
	// count - 1 = floor((stop - start) / step), exact in rationals.
	q := new(big.Rat).Sub(stop, start)
	q.Quo(q, step)
	if q.Sign() < 0 {
		return nil, inputError("range %q is empty: %s cannot reach stop %s in steps of %s",
			spec, strings.TrimSpace(fields[0]), strings.TrimSpace(fields[1]), strings.TrimSpace(fields[2]))
	}
	last := new(big.Int).Quo(q.Num(), q.Denom()) // q >= 0, so Quo is floor
	if !last.IsInt64() || last.Int64() >= MaxAxisValues {
		return nil, inputError("range %q has more than %d values", spec, MaxAxisValues)
	}
	n := int(last.Int64()) + 1
	digits := max(fractionDigits(start), fractionDigits(step))
	values := make([]string, n)
	v := new(big.Rat)
	for i := range n {
		v.Mul(step, new(big.Rat).SetInt64(int64(i)))
		v.Add(v, start)
		values[i] = formatDecimal(v, digits, isFloat)
	}
	return values, nil
}

// fractionDigits is the number of decimal digits after the point that r
// needs: the smallest d with r * 10^d an integer. r comes from a decimal
// literal, so its denominator divides a power of ten.
func fractionDigits(r *big.Rat) int {
	d, p := 0, big.NewInt(1)
	ten := big.NewInt(10)
	rem := new(big.Int)
	for rem.Rem(p, r.Denom()).Sign() != 0 {
		p.Mul(p, ten)
		d++
	}
	return d
}

// formatDecimal writes v, which has at most digits decimals, exactly. As a
// float it keeps at least one decimal and drops trailing zeros beyond it;
// as an integer it has none.
func formatDecimal(v *big.Rat, digits int, isFloat bool) string {
	s := v.FloatString(digits)
	if s == "-0" || strings.HasPrefix(s, "-0.") && strings.Trim(s[3:], "0") == "" {
		s = s[1:] // no negative zero
	}
	if !isFloat {
		return s
	}
	if digits == 0 {
		return s + ".0"
	}
	s = strings.TrimRight(s, "0")
	if strings.HasSuffix(s, ".") {
		s += "0"
	}
	return s
}
