package pipeline

import (
	"math"
	"strings"
)

// The readers below fetch one known key of a configuration, check its type
// and return an error naming the key and the value when it is invalid. A
// key that is absent or null takes the default.

// numberAt returns the float at key, def when absent or null. Ints are
// accepted; other types, NaN and infinities are errors.
func (c *Config) numberAt(key string, def float64) (float64, error) {
	v, ok := c.lookup(key)
	if !ok || v == nil {
		return def, nil
	}
	return toNumber(key, v)
}

func toNumber(key string, v any) (float64, error) {
	var x float64
	switch v := v.(type) {
	case int64:
		x = float64(v)
	case float64:
		x = v
	default:
		return 0, keyError(key, v, "must be a number")
	}
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, keyError(key, v, "must be a finite number")
	}
	return x, nil
}

// toPositive is toNumber for a value that must be > 0.
func toPositive(key string, v any) (float64, error) {
	x, err := toNumber(key, v)
	if err == nil && !(x > 0) {
		err = keyError(key, v, "must be > 0")
	}
	return x, err
}

// intAt returns the integer at key, def when absent or null. A float with
// an integral value (8000.0) is accepted.
func (c *Config) intAt(key string, def int64) (int64, error) {
	v, ok := c.lookup(key)
	if !ok || v == nil {
		return def, nil
	}
	return toInt(key, v)
}

func toInt(key string, v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x), nil
		}
	}
	return 0, keyError(key, v, "must be an integer")
}

// boolAt returns the bool at key, def when absent or null.
func (c *Config) boolAt(key string, def bool) (bool, error) {
	v, ok := c.lookup(key)
	if !ok || v == nil {
		return def, nil
	}
	b, isBool := v.(bool)
	if !isBool {
		return false, keyError(key, v, "must be true or false")
	}
	return b, nil
}

// stringAt returns the string at key, def when absent or null.
func (c *Config) stringAt(key, def string) (string, error) {
	v, ok := c.lookup(key)
	if !ok || v == nil {
		return def, nil
	}
	s, isString := v.(string)
	if !isString {
		return "", keyError(key, v, "must be a string")
	}
	return s, nil
}

// choiceAt returns the string at key, lower-cased, which must be one of
// choices; def when absent or null.
func (c *Config) choiceAt(key, def string, choices ...string) (string, error) {
	s, err := c.stringAt(key, def)
	if err != nil {
		return "", err
	}
	l := strings.ToLower(strings.TrimSpace(s))
	for _, ch := range choices {
		if l == ch {
			return l, nil
		}
	}
	v, _ := c.lookup(key)
	return "", keyError(key, v, "must be one of "+strings.Join(choices, ", "))
}
