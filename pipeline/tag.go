package pipeline

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// TagDigits is the number of hexadecimal digits of the folder tags.
const TagDigits = 10

// Tag returns the first digits hexadecimal digits of the SHA-1 of the
// canonical JSON form of a tree (see [CanonicalJSON]), as the toolkit
// names its folders. digits is clipped to [1, 40].
func Tag(v any, digits int) string {
	sum := sha1.Sum([]byte(CanonicalJSON(v)))
	return hex.EncodeToString(sum[:])[:min(max(digits, 1), 2*sha1.Size)]
}

// CanonicalJSON returns the toolkit's canonical JSON form of a tree:
// mapping keys sorted, separators "," and ":" without spaces, ASCII only
// (other characters as \uXXXX escapes), every float written as
// {"__float__": "<%.17g>"} (NaN and infinities as "NaN", "Infinity" and
// "-Infinity"), ints and bools as themselves, null as null, sequences
// element by element and any other value as a string.
func CanonicalJSON(v any) string {
	var b strings.Builder
	writeCanonical(&b, v)
	return b.String()
}

func writeCanonical(b *strings.Builder, v any) {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case int64:
		b.WriteString(strconv.FormatInt(v, 10))
	case int:
		b.WriteString(strconv.Itoa(v))
	case float64:
		var s string
		switch {
		case math.IsNaN(v):
			s = "NaN"
		case math.IsInf(v, 1):
			s = "Infinity"
		case math.IsInf(v, -1):
			s = "-Infinity"
		default:
			s = strconv.FormatFloat(v, 'g', 17, 64)
		}
		b.WriteString(`{"__float__":`)
		writeJSONString(b, s)
		b.WriteString("}")
	case string:
		writeJSONString(b, v)
	case map[string]any:
		b.WriteByte('{')
		for i, k := range slices.Sorted(maps.Keys(v)) {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			writeCanonical(b, v[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, x := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, x)
		}
		b.WriteByte(']')
	default:
		writeJSONString(b, fmt.Sprint(v))
	}
}

// writeJSONString writes s as a JSON string the way Python's json module
// does with ensure_ascii: \" \\ \n \r \t \b \f, and \uXXXX (lower-case
// hex, surrogate pairs above U+FFFF) for every other character outside
// the printable ASCII range.
func writeJSONString(b *strings.Builder, s string) {
	const hexDigits = "0123456789abcdef"
	u4 := func(r rune) {
		b.WriteString(`\u`)
		for shift := 12; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[(r>>shift)&0xf])
		}
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r >= 0x20 && r <= 0x7e:
			b.WriteRune(r)
		case r > 0xffff:
			r1, r2 := utf16.EncodeRune(r)
			u4(r1)
			u4(r2)
		default:
			u4(r)
		}
	}
	b.WriteByte('"')
}
