package sweep

import "strings"

// Override sets one configuration key for a task, as binarynet run's
// -O KEY=VALUE does: Value is a YAML scalar.
type Override struct {
	Key, Value string
}

// String returns KEY=VALUE.
func (o Override) String() string { return o.Key + "=" + o.Value }

// ParseOverride parses KEY=VALUE. The key must be a dotted configuration
// path and the value must fit on one line without tabs; a missing "=" is
// an error.
func ParseOverride(s string) (Override, error) {
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return Override{}, inputError("override %q: want KEY=VALUE", s)
	}
	key, value = strings.TrimSpace(key), strings.TrimSpace(value)
	if err := checkKey(key); err != nil {
		return Override{}, err
	}
	if err := checkValue(value); err != nil {
		return Override{}, err
	}
	return Override{Key: key, Value: value}, nil
}
