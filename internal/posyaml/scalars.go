package posyaml

import (
	"errors"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// ScalarText returns the text of a scalar node as written (decoded for
// quoted strings and block scalars), or "" for anything else, including an
// empty value.
func ScalarText(n ast.Node) string {
	switch v := n.(type) {
	case *ast.StringNode:
		return v.Value
	case *ast.LiteralNode:
		if v.Value != nil {
			return v.Value.Value
		}
		return ""
	case *ast.IntegerNode, *ast.FloatNode, *ast.BoolNode, *ast.InfinityNode, *ast.NanNode:
		if tk := n.GetToken(); tk != nil {
			return tk.Value
		}
	case *ast.NullNode:
		if tk := v.GetToken(); tk != nil && tk.Type != token.ImplicitNullType {
			return tk.Value
		}
	}
	return ""
}

// IsScalar reports whether n (resolved) is a scalar: a string, number,
// boolean or null, including an empty value.
func IsScalar(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode,
		*ast.BoolNode, *ast.NullNode, *ast.InfinityNode, *ast.NanNode:
		return true
	}
	return false
}

// Describe names what a node is, for "found ..." in messages: "a list",
// `string "x"`, "number 2", "no value".
func Describe(n ast.Node) string {
	switch v := n.(type) {
	case nil:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "string " + Quote(ScalarText(n))
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "number " + ScalarText(n)
	case *ast.BoolNode:
		return "boolean " + ScalarText(n)
	case *ast.NullNode:
		if tk := v.GetToken(); tk != nil && tk.Type == token.ImplicitNullType {
			return "no value"
		}
		return "null"
	case *ast.AnchorNode:
		return Describe(v.Value)
	case *ast.AliasNode:
		return "alias *" + ScalarText(v.Value)
	case *ast.TagNode:
		return "tagged value"
	}
	return "a " + n.Type().YAMLName()
}

// Str returns a string value: a quoted or plain string, or a block scalar.
// Another scalar (1, true) is reported with the advice to quote it; what
// names the value in messages ("title").
func (d *Decoder) Str(n ast.Node, what string) (string, bool) {
	n = d.Resolve(n)
	if n == nil {
		return "", false
	}
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		return ScalarText(n), true
	}
	if IsScalar(n) {
		if _, ok := n.(*ast.NullNode); !ok {
			d.Errorf(n, "%s: expected a string, found %s (quote it: %q)", what, Describe(n), ScalarText(n))
			return "", false
		}
	}
	d.Errorf(n, "%s: expected a string, found %s", what, Describe(n))
	return "", false
}

// Name returns the text of a scalar that names something (a point, option
// or party). Any scalar but null is accepted, since YAML reads an unquoted 1
// or true as a number or boolean while the name is the text.
func (d *Decoder) Name(n ast.Node, what string) (string, bool) {
	n = d.Resolve(n)
	if n == nil {
		return "", false
	}
	if !IsScalar(n) {
		d.Errorf(n, "%s: expected a name, found %s", what, Describe(n))
		return "", false
	}
	if _, ok := n.(*ast.NullNode); ok {
		d.Errorf(n, "%s: expected a name, found %s", what, Describe(n))
		return "", false
	}
	return ScalarText(n), true
}

// Text returns any scalar but null as its text (a strategy, a path, a URL:
// YAML may read an unquoted 1 or true as a number or boolean), which must
// not be empty or only white space.
func (d *Decoder) Text(n ast.Node, what string) (string, bool) {
	n = d.Resolve(n)
	if n == nil {
		return "", false
	}
	if _, null := n.(*ast.NullNode); null || !IsScalar(n) {
		d.Errorf(n, "%s: expected a string, found %s", what, Describe(n))
		return "", false
	}
	s := ScalarText(n)
	if strings.TrimSpace(s) == "" {
		d.Errorf(n, "%s: expected a non-empty string", what)
		return "", false
	}
	return s, true
}

// yamlFloat is YAML 1.2's float syntax, which the parser reads as a string
// when it has an exponent but no dot (1e6).
var yamlFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// Number returns a finite number (see NumberValue for what reads as one).
func (d *Decoder) Number(n ast.Node, what string) (float64, bool) {
	n = d.Resolve(n)
	if n == nil {
		return 0, false
	}
	v, ok := NumberValue(n)
	if !ok {
		d.Errorf(n, "%s: expected a number, found %s", what, Describe(n))
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.Errorf(n, "%s: expected a finite number, found %s", what, ScalarText(n))
		return 0, false
	}
	return v, true
}

// NumberValue reads a numeric scalar (resolved), quietly: a YAML integer or
// float (.inf and .nan included), or an unquoted string in YAML 1.2 float
// syntax (1e6). Integers beyond float64's range read as ±Inf.
func NumberValue(n ast.Node) (float64, bool) {
	switch v := n.(type) {
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return float64(x), true
		case uint64:
			return float64(x), true
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(ScalarText(n), "_", ""), 64)
		return f, err == nil || errors.Is(err, strconv.ErrRange)
	case *ast.FloatNode:
		return v.Value, true
	case *ast.InfinityNode:
		return v.Value, true
	case *ast.NanNode:
		return math.NaN(), true
	case *ast.StringNode:
		if v.Token != nil && v.Token.Type == token.StringType && yamlFloat.MatchString(v.Value) {
			f, err := strconv.ParseFloat(v.Value, 64)
			return f, err == nil || errors.Is(err, strconv.ErrRange)
		}
	}
	return 0, false
}

// Int returns a whole number within ±2^53 (written as an integer or not:
// 3.0 is 3).
func (d *Decoder) Int(n ast.Node, what string) (int64, bool) {
	v, ok := d.Number(n, what)
	if !ok {
		return 0, false
	}
	if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		d.Errorf(n, "%s: expected a whole number, found %s", what, ScalarText(d.Resolve(n)))
		return 0, false
	}
	return int64(v), true
}

// IntIn returns a whole number in [lo, hi], which must lie within ±2^53.
func (d *Decoder) IntIn(n ast.Node, what string, lo, hi int64) (int64, bool) {
	v, ok := d.Number(n, what)
	if !ok {
		return 0, false
	}
	if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		d.Errorf(n, "%s: expected a whole number from %d to %d, found %s", what, lo, hi, ScalarText(d.Resolve(n)))
		return 0, false
	}
	return int64(v), true
}

// Bool returns true or false.
func (d *Decoder) Bool(n ast.Node, what string) (bool, bool) {
	n = d.Resolve(n)
	if n == nil {
		return false, false
	}
	b, ok := n.(*ast.BoolNode)
	if !ok {
		d.Errorf(n, "%s: expected true or false, found %s", what, Describe(n))
		return false, false
	}
	return b.Value, true
}

// OneOf returns a scalar's text that must be one of choices; a near miss is
// reported with a suggestion.
func (d *Decoder) OneOf(n ast.Node, what string, choices []string) (string, bool) {
	r := d.Resolve(n)
	if r == nil {
		return "", false
	}
	if !IsScalar(r) {
		d.Errorf(r, "%s: expected %s, found %s", what, OrList(choices), Describe(r))
		return "", false
	}
	s := ScalarText(r)
	if !slices.Contains(choices, s) {
		d.Errorf(r, "%s: expected %s, found %s%s", what, OrList(choices), Describe(r), Suggest(s, choices))
		return "", false
	}
	return s, true
}
