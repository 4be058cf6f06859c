package scenario

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/internal/posyaml"
)

// This file holds what the sections of a scenario file share: the input
// limits, the decoder (package posyaml's positioned decoder plus the state
// that crosses sections) and helpers for ids and messages. load.go reads the
// top level; points.go, parties.go, profiles.go, decision.go, format.go and
// implementation.go read one section each.

// Input limits. The YAML parser's cost grows with the square of the nesting
// depth and of the number of keys in one block mapping, so those are bounded
// before it runs; a real scenario file is far below every limit. Aliases
// expand to at most posyaml.MaxExpansion (1,048,576) nodes.
const (
	// MaxFileSize is the largest scenario file Parse and Load accept, in bytes.
	MaxFileSize = 16 << 20
	// MaxDepth bounds how deeply collections may nest (a scenario needs about 8).
	MaxDepth = 100
	// MaxKeys bounds the number of keys of one block mapping.
	MaxKeys = 10000
)

// fileFormat is what posyaml needs to know of scenario files.
var fileFormat = posyaml.Format{
	Name:     "scenario file",
	Contents: "a mapping with keys parley, name, points and parties",
	MaxSize:  MaxFileSize,
	MaxDepth: MaxDepth,
	MaxKeys:  MaxKeys,
	Anchors:  true,
}

// decoder turns a YAML AST into a scenario, collecting problems with
// positions (the accessors of posyaml.Decoder).
type decoder struct {
	*posyaml.Decoder

	stepRefs []stepRef // ratification steps' commitments, checked once the plan is read
}

// optStr decodes an optional string field.
func (d *decoder) optStr(o posyaml.Object, key string, dst *string) {
	if o.Has(key) {
		if v, ok := d.Str(o.Value(key), key); ok {
			*dst = v
		}
	}
}

// peekID returns the id of a mapping, quietly, to name it in messages about
// its other keys: `party "ukraine"` rather than `party`.
func (d *decoder) peekID(n ast.Node, kind string) string {
	values, _ := posyaml.MappingValues(n)
	for _, mv := range values {
		if mv.Key != nil && posyaml.ScalarText(mv.Key) == "id" {
			if s, ok := mv.Value.(*ast.StringNode); ok && s.Value != "" && !hasControl(s.Value) {
				return fmt.Sprintf("%s %s", kind, posyaml.Quote(s.Value))
			}
		}
	}
	return kind
}

// checkID reports an id that is empty, padded with spaces or holds control
// characters.
func (d *decoder) checkID(n ast.Node, what, id string) bool {
	msg := ""
	switch {
	case id == "":
		msg = "is empty"
	case id != trimSpace(id):
		msg = "starts or ends with white space"
	case hasControl(id):
		msg = "contains a line break or control character"
	default:
		return true
	}
	d.Errorf(d.Resolve(n), "%s %s %s (expected a non-empty name without surrounding spaces)", what, posyaml.Quote(id), msg)
	return false
}

func trimSpace(s string) string {
	start, end := 0, len(s)
	for start < end && isSpace(s[start]) {
		start++
	}
	for end > start && isSpace(s[end-1]) {
		end--
	}
	return s[start:end]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0x2028 || r == 0x2029 {
			return true
		}
	}
	return false
}

// fmtNum formats a number for a message.
func fmtNum(v float64) string { return strconv.FormatFloat(v, 'g', 10, 64) }

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// quotedList formats ids as `"a", "b" and "c"`, eliding after 8.
func quotedList(ids []string) string {
	q := make([]string, 0, min(len(ids), 9))
	for i, id := range ids {
		if i == 8 {
			q = append(q, fmt.Sprintf("%d more", len(ids)-8))
			break
		}
		q = append(q, strconv.Quote(id))
	}
	if len(q) == 1 {
		return q[0]
	}
	return joinAnd(q)
}

func joinAnd(q []string) string {
	s := ""
	for i, x := range q {
		switch {
		case i == 0:
		case i == len(q)-1:
			s += " and "
		default:
			s += ", "
		}
		s += x
	}
	return s
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
