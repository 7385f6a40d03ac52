package pipeline

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/binarynet/binarynet"
)

// builtin holds the configurations that [Load] knows by name.
//
//go:embed configs/*.yaml
var builtin embed.FS

// BuiltinNames returns the names of the built-in configurations, sorted.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(builtin, "configs")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	slices.Sort(names)
	return names
}

// Config is a loaded configuration: a YAML mapping, after the overrides
// applied so far. It is not safe for concurrent modification.
type Config struct {
	// Source names where the configuration came from: a file name or
	// "builtin:<name>".
	Source string
	tree   map[string]any
}

// Load reads a configuration: a YAML file when nameOrPath names an
// existing file, else the built-in configuration of that name (see
// [BuiltinNames]; "default" is the toolkit's default model, in which
// R_Eplus must still be set).
func Load(nameOrPath string) (*Config, error) {
	data, err := os.ReadFile(nameOrPath)
	if errors.Is(err, fs.ErrNotExist) && !strings.ContainsRune(nameOrPath, os.PathSeparator) {
		if c, e := loadBuiltin(nameOrPath); !errors.Is(e, fs.ErrNotExist) {
			return c, e
		}
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, keyError("config", nameOrPath, fmt.Sprintf("no such file and no built-in configuration of that name (built in: %s)", strings.Join(BuiltinNames(), ", ")))
		}
		return nil, fmt.Errorf("config %q: %w", nameOrPath, err)
	}
	return parseSource(data, nameOrPath)
}

// loadBuiltin returns the built-in configuration of that name (with or
// without .yaml), never a file.
func loadBuiltin(name string) (*Config, error) {
	name = strings.TrimSuffix(name, ".yaml")
	data, err := builtin.ReadFile(path.Join("configs", name+".yaml"))
	if err != nil {
		return nil, err
	}
	return parseSource(data, "builtin:"+name)
}

// parseSource is Parse for a configuration read from source, which it
// records and names in errors.
func parseSource(data []byte, source string) (*Config, error) {
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", source, err)
	}
	c.Source = source
	return c, nil
}

// Parse reads a configuration from YAML text, which must hold one
// mapping.
func Parse(data []byte) (*Config, error) {
	v, err := decodeYAML(data)
	if err != nil {
		return nil, fmt.Errorf("%v: %w", strings.TrimPrefix(err.Error(), "yaml: "), binarynet.ErrInvalidParameter)
	}
	if v == nil {
		v = map[string]any{}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, keyError("config", v, "must be a YAML mapping of parameters")
	}
	return &Config{tree: m}, nil
}

// Override applies one override "dotted.path=value", as the toolkit's -O
// flag does: the value is parsed as a YAML scalar or flow value (true,
// null, 0.001, [0.1, 0.2], {mode: bernoulli}), the path's mappings are
// created where missing, and a mapping value is merged into an existing
// mapping key by key. A missing "=" or an empty path element is an error.
func (c *Config) Override(assignment string) error {
	p, text, ok := strings.Cut(assignment, "=")
	if !ok {
		return keyError("-O", assignment, `must be dotted.path=value (no "=")`)
	}
	keys := strings.Split(strings.TrimSpace(p), ".")
	if slices.Contains(keys, "") {
		return keyError("-O", assignment, "the path must be dot-separated non-empty keys")
	}
	v, err := decodeYAML([]byte(text))
	if err != nil {
		return keyError(strings.Join(keys, "."), text, "not a YAML value: "+strings.TrimPrefix(err.Error(), "yaml: "))
	}
	var patch any = v
	for i := len(keys) - 1; i >= 0; i-- {
		patch = map[string]any{keys[i]: patch}
	}
	if c.tree == nil {
		c.tree = map[string]any{}
	}
	merge(c.tree, patch.(map[string]any))
	return nil
}

// Set sets one dotted path to a tree value, creating mappings where
// missing, and merging mappings as Override does.
func (c *Config) Set(dotted string, v any) {
	keys := strings.Split(dotted, ".")
	var patch any = clone(v)
	for i := len(keys) - 1; i >= 0; i-- {
		patch = map[string]any{keys[i]: patch}
	}
	if c.tree == nil {
		c.tree = map[string]any{}
	}
	merge(c.tree, patch.(map[string]any))
}

// Tree returns a deep copy of the configuration tree: map[string]any,
// []any, int64, float64, bool, string and nil values.
func (c *Config) Tree() map[string]any {
	return clone(c.tree).(map[string]any)
}

// Clone returns an independent copy of the configuration.
func (c *Config) Clone() *Config {
	return &Config{Source: c.Source, tree: c.Tree()}
}

// lookup returns the value at a dotted path and whether it is present.
func (c *Config) lookup(dotted string) (any, bool) {
	var cur any = c.tree
	for _, k := range strings.Split(dotted, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// keyError returns an error naming a configuration key (or flag) and the
// value given, wrapping binarynet.ErrInvalidParameter.
func keyError(key string, v any, reason string) error {
	return &binarynet.ParameterError{Param: key, Value: formatValue(v), Reason: reason}
}
