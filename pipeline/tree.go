package pipeline

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// A tree is a decoded YAML document with YAML's types kept: map[string]any
// for mappings, []any for sequences, and int64, float64, bool, string or
// nil for scalars. A YAML float stays a float64 even when its value is
// integral (1.0), and a YAML int stays an int64.

// decodeYAML parses one YAML document into a tree. Mapping keys are kept
// as the strings written.
func decodeYAML(data []byte) (any, error) {
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	return normalize(v)
}

// normalize converts what yaml.v3 decodes into the tree's types.
func normalize(v any) (any, error) {
	switch v := v.(type) {
	case nil, bool, string, float64:
		return v, nil
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case uint64:
		if v > math.MaxInt64 {
			return nil, fmt.Errorf("integer %d does not fit in 64 bits", v)
		}
		return int64(v), nil
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			y, err := normalize(x)
			if err != nil {
				return nil, err
			}
			out[k] = y
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			y, err := normalize(x)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k)] = y
		}
		return out, nil
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			y, err := normalize(x)
			if err != nil {
				return nil, err
			}
			out[i] = y
		}
		return out, nil
	}
	return fmt.Sprint(v), nil
}

// clone returns a deep copy of a tree.
func clone(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = clone(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = clone(x)
		}
		return out
	}
	return v
}

// merge merges src into dst key by key: where both hold a mapping, the
// mappings are merged recursively; otherwise src's value replaces dst's.
func merge(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				merge(dm, sm)
				continue
			}
			v = clone(sm)
		}
		dst[k] = v
	}
}

// encodeYAML writes a tree as a YAML document with sorted keys. Floats are
// always written with a decimal point (1.0, 1.0e+22), so that YAML 1.1
// readers such as PyYAML and YAML 1.2 readers alike read them back as
// floats and the tags stay the same.
func encodeYAML(v any) ([]byte, error) {
	var b strings.Builder
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(v)); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return []byte(b.String()), nil
}

func yamlNode(v any) *yaml.Node {
	scalar := func(tag, value string) *yaml.Node {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: value}
	}
	switch v := v.(type) {
	case nil:
		return scalar("!!null", "null")
	case bool:
		return scalar("!!bool", strconv.FormatBool(v))
	case int64:
		return scalar("!!int", strconv.FormatInt(v, 10))
	case int:
		return scalar("!!int", strconv.Itoa(v))
	case float64:
		return scalar("!!float", yamlFloat(v))
	case string:
		return scalar("!!str", v)
	case map[string]any:
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			n.Content = append(n.Content, scalar("!!str", k), yamlNode(v[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, x := range v {
			n.Content = append(n.Content, yamlNode(x))
		}
		return n
	case []float64:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
		for _, x := range v {
			n.Content = append(n.Content, yamlNode(x))
		}
		return n
	case []string:
		n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		for _, x := range v {
			n.Content = append(n.Content, yamlNode(x))
		}
		return n
	}
	return scalar("!!str", fmt.Sprint(v))
}

// yamlFloat formats a float so that both YAML 1.1 and 1.2 read it back as
// the same float: shortest round-trip digits with a decimal point.
func yamlFloat(v float64) string {
	switch {
	case math.IsNaN(v):
		return ".nan"
	case math.IsInf(v, 1):
		return ".inf"
	case math.IsInf(v, -1):
		return "-.inf"
	}
	s := strconv.FormatFloat(v, 'g', -1, 64)
	if strings.ContainsAny(s, ".") {
		return s
	}
	if i := strings.IndexByte(s, 'e'); i >= 0 {
		return s[:i] + ".0" + s[i:]
	}
	return s + ".0"
}

// formatValue writes a tree value as it would appear in YAML flow style,
// for error messages: null, true, 7.25, "text", [0.1, 0.2].
func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(v)
	case float64:
		return yamlFloat(v)
	case []any:
		parts := make([]string, len(v))
		for i, x := range v {
			parts[i] = formatValue(x)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := slices.Sorted(maps.Keys(v))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + formatValue(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
