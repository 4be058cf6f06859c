package tournament

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/parley-negotiation/parley/scenario"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// This file holds the YAML plumbing of the config parser: input limits,
// parsing with positions, and typed access to AST nodes that records every
// problem with its line and column (the same style as scenario files).

// Input limits of a tournament config. The YAML parser's cost grows with the
// square of the nesting depth, so depth is bounded before it runs.
const (
	// MaxConfigSize is the largest config file accepted, in bytes.
	MaxConfigSize = 1 << 20
	// maxIndent bounds the indentation of any line, and maxFlow the nesting
	// of [ and { (a config needs a handful of levels).
	maxIndent = 256
	maxFlow   = 32
	// maxErrors bounds the problems reported for one file, as for scenarios.
	maxErrors = scenario.MaxErrors
)

// Error is one problem found in a tournament config: the same type as a
// scenario file's problems ("FILE:LINE:COL: MSG", or "FILE: MSG" without a
// position), so that tools handle both alike.
type Error = scenario.Error

// ErrorList is every problem found in one config file, sorted by position.
// ParseConfig and LoadConfig return a non-empty ErrorList whenever a file
// is rejected for its content.
type ErrorList = scenario.ErrorList

// decoder turns a YAML AST into a Config, collecting positioned problems.
type decoder struct {
	file string
	errs ErrorList
}

func (d *decoder) errAt(line, col int, format string, args ...any) {
	if len(d.errs) > maxErrors {
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) errorf(n ast.Node, format string, args ...any) {
	line, col := position(n)
	d.errAt(line, col, format, args...)
}

// result returns the problems sorted by position, or nil.
func (d *decoder) result() error {
	if len(d.errs) == 0 {
		return nil
	}
	out := append(ErrorList(nil), d.errs[:min(len(d.errs), maxErrors)]...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Col < out[j].Col
	})
	if len(d.errs) > maxErrors {
		out = append(out, &Error{File: d.file, Msg: fmt.Sprintf("too many problems: checking stopped after the first %d", maxErrors)})
	}
	return out
}

// position returns the 1-based line and column where node n starts.
func position(n ast.Node) (line, col int) {
	if n == nil {
		return 0, 0
	}
	var tk *token.Token
	switch v := n.(type) {
	case *ast.MappingNode:
		if len(v.Values) > 0 && !v.IsFlowStyle {
			return position(v.Values[0].Key)
		}
		tk = v.Start
	case *ast.MappingValueNode:
		return position(v.Key)
	case *ast.LiteralNode:
		tk = v.Start
	default:
		tk = n.GetToken()
	}
	if tk == nil || tk.Position == nil {
		return 0, 0
	}
	return tk.Position.Line, tk.Position.Column
}

// parse checks the limits and parses data into one document body, or
// records why not and returns nil.
func (d *decoder) parse(data []byte) ast.Node {
	if len(data) > MaxConfigSize {
		d.errAt(0, 0, "file is %d bytes, larger than the %d KiB limit for tournament configs", len(data), MaxConfigSize>>10)
		return nil
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		d.errAt(0, 0, "invalid UTF-8 (tournament configs must be UTF-8 text)")
		return nil
	}
	if line, msg := checkDepth(data); msg != "" {
		d.errAt(line, 1, "%s", msg)
		return nil
	}
	f, err := safeParse(data)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
			p := ye.GetToken().Position
			d.errAt(p.Line, p.Column, "YAML syntax: %s", ye.GetMessage())
		} else {
			msg := err.Error()
			if i := strings.IndexByte(msg, '\n'); i >= 0 {
				msg = msg[:i]
			}
			d.errAt(0, 0, "YAML syntax: %s", msg)
		}
		return nil
	}
	var bodies []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			bodies = append(bodies, doc.Body)
		}
	}
	if len(bodies) == 0 {
		d.errAt(0, 0, "empty file: expected a mapping with keys agents and scenarios")
		return nil
	}
	if len(bodies) > 1 {
		d.errorf(bodies[1], "a second YAML document: a tournament config holds exactly one")
	}
	return bodies[0]
}

// checkDepth rejects text whose indentation or bracket nesting is beyond
// anything a config needs, before the parser (quadratic in depth) sees it.
func checkDepth(data []byte) (line int, msg string) {
	flow := 0
	for i, ln := range bytes.Split(data, []byte("\n")) {
		indent := 0
		for indent < len(ln) && (ln[indent] == ' ' || ln[indent] == '\t' || ln[indent] == '-') {
			indent++
		}
		if indent > maxIndent {
			return i + 1, fmt.Sprintf("indented more than %d columns", maxIndent)
		}
		for _, c := range ln {
			switch c {
			case '[', '{':
				flow++
				if flow > maxFlow {
					return i + 1, fmt.Sprintf("brackets nested more than %d deep", maxFlow)
				}
			case ']', '}':
				flow = max(flow-1, 0)
			}
		}
	}
	return 0, ""
}

// safeParse runs the YAML parser, turning a panic inside it into an error.
func safeParse(data []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	return parser.ParseBytes(data, 0)
}

// resolve strips comments around a value and rejects anchors, aliases and
// tags, which configs do not use. It returns nil after reporting.
func (d *decoder) resolve(n ast.Node) ast.Node {
	switch v := n.(type) {
	case nil:
		return nil
	case *ast.AnchorNode:
		d.errorf(v, "anchors (&) are not supported in tournament configs")
		return nil
	case *ast.AliasNode:
		d.errorf(v, "aliases (*) are not supported in tournament configs")
		return nil
	case *ast.TagNode:
		d.errorf(v, "YAML tags are not supported in tournament configs")
		return nil
	}
	return n
}

// scalarText returns the text of a scalar node as written (decoded for
// quoted strings), or "" for anything else.
func scalarText(n ast.Node) string {
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

func isScalar(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode,
		*ast.BoolNode, *ast.NullNode, *ast.InfinityNode, *ast.NanNode:
		return true
	}
	return false
}

// describe names what a node is, for "found ..." in messages.
func describe(n ast.Node) string {
	switch v := n.(type) {
	case nil:
		return "nothing"
	case *ast.MappingNode, *ast.MappingValueNode:
		return "a mapping"
	case *ast.SequenceNode:
		return "a list"
	case *ast.StringNode, *ast.LiteralNode:
		return "string " + quoteShort(scalarText(n))
	case *ast.IntegerNode, *ast.FloatNode, *ast.InfinityNode, *ast.NanNode:
		return "number " + scalarText(n)
	case *ast.BoolNode:
		return "boolean " + scalarText(n)
	case *ast.NullNode:
		if tk := v.GetToken(); tk != nil && tk.Type == token.ImplicitNullType {
			return "no value"
		}
		return "null"
	}
	return "a " + n.Type().YAMLName()
}

func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		s = string(r[:30]) + "…" + string(r[len(r)-6:])
	}
	return strconv.Quote(s)
}

// text returns any non-null scalar as its text (names, specs, paths: YAML
// may read an unquoted 1 or true as a number or boolean).
func (d *decoder) text(n ast.Node, what string) (string, bool) {
	n = d.resolve(n)
	if n == nil {
		return "", false
	}
	if _, null := n.(*ast.NullNode); null || !isScalar(n) {
		d.errorf(n, "%s: expected a string, found %s", what, describe(n))
		return "", false
	}
	s := scalarText(n)
	if strings.TrimSpace(s) == "" {
		d.errorf(n, "%s: expected a non-empty string", what)
		return "", false
	}
	return s, true
}

// number reads a finite number.
func (d *decoder) number(n ast.Node, what string) (float64, bool) {
	n = d.resolve(n)
	if n == nil {
		return 0, false
	}
	var v float64
	switch x := n.(type) {
	case *ast.IntegerNode:
		f, err := strconv.ParseFloat(strings.ReplaceAll(scalarText(n), "_", ""), 64)
		if err != nil {
			switch y := x.Value.(type) {
			case int64:
				f = float64(y)
			case uint64:
				f = float64(y)
			default:
				d.errorf(n, "%s: expected a number, found %s", what, describe(n))
				return 0, false
			}
		}
		v = f
	case *ast.FloatNode:
		v = x.Value
	default:
		d.errorf(n, "%s: expected a number, found %s", what, describe(n))
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.errorf(n, "%s: expected a finite number, found %s", what, scalarText(n))
		return 0, false
	}
	return v, true
}

// integer reads a whole number in [lo, hi].
func (d *decoder) integer(n ast.Node, what string, lo, hi int64) (int64, bool) {
	v, ok := d.number(n, what)
	if !ok {
		return 0, false
	}
	if v != math.Trunc(v) || v < float64(lo) || v > float64(hi) {
		d.errorf(d.resolve(n), "%s: expected a whole number from %d to %d, found %s", what, lo, hi, scalarText(d.resolve(n)))
		return 0, false
	}
	return int64(v), true
}

// boolean reads true or false.
func (d *decoder) boolean(n ast.Node, what string) (bool, bool) {
	n = d.resolve(n)
	if n == nil {
		return false, false
	}
	b, ok := n.(*ast.BoolNode)
	if !ok {
		d.errorf(n, "%s: expected true or false, found %s", what, describe(n))
		return false, false
	}
	return b.Value, true
}

// entry is one key: value pair of a mapping.
type entry struct {
	key string
	kn  ast.Node
	val ast.Node
}

// object is a mapping with a fixed set of keys.
type object struct {
	node    ast.Node
	entries map[string]entry
}

func (o object) has(k string) bool { _, ok := o.entries[k]; return ok }

func (o object) val(k string) ast.Node { return o.entries[k].val }

// object decodes a mapping whose keys must come from known.
func (d *decoder) object(n ast.Node, what string, known []string) (object, bool) {
	n = d.resolve(n)
	if n == nil {
		return object{}, false
	}
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	default:
		d.errorf(n, "%s: expected a mapping, found %s", what, describe(n))
		return object{}, false
	}
	o := object{node: n, entries: map[string]entry{}}
	ok := true
	for _, mv := range values {
		if mv == nil || mv.Key == nil {
			continue
		}
		kn := ast.Node(mv.Key)
		if _, merge := kn.(*ast.MergeKeyNode); merge {
			d.errorf(kn, "%s: merge keys (<<) are not supported in tournament configs", what)
			ok = false
			continue
		}
		k := d.resolve(kn)
		if k == nil {
			ok = false
			continue
		}
		if !isScalar(k) {
			d.errorf(kn, "%s: expected a plain key, found %s", what, describe(k))
			ok = false
			continue
		}
		key := scalarText(k)
		if first, dup := o.entries[key]; dup {
			l, _ := position(first.kn)
			d.errorf(kn, "%s: key %q given twice (first at line %d)", what, key, l)
			ok = false
			continue
		}
		if !contains(known, key) {
			d.errorf(kn, "%s: unknown key %q (expected %s)%s", what, key, orList(known), suggest(key, known))
			ok = false
			continue
		}
		o.entries[key] = entry{key: key, kn: kn, val: mv.Value}
	}
	return o, ok
}

// list returns the elements of a sequence.
func (d *decoder) list(n ast.Node, what string) ([]ast.Node, bool) {
	n = d.resolve(n)
	if n == nil {
		return nil, false
	}
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		d.errorf(n, "%s: expected a list, found %s", what, describe(n))
		return nil, false
	}
	return s.Values, true
}

// oneOf reads a string that must be one of choices.
func (d *decoder) oneOf(n ast.Node, what string, choices []string) (string, bool) {
	r := d.resolve(n)
	if r == nil {
		return "", false
	}
	s := scalarText(r)
	if !isScalar(r) || !contains(choices, s) {
		d.errorf(r, "%s: expected %s, found %s%s", what, orList(choices), describe(r), suggest(s, choices))
		return "", false
	}
	return s, true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// orList formats choices as "a, b or c".
func orList(choices []string) string {
	switch len(choices) {
	case 0:
		return "nothing"
	case 1:
		return choices[0]
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// suggest returns `; did you mean "x"?` when s is a small typo of a candidate.
func suggest(s string, candidates []string) string {
	for _, c := range candidates {
		if c != s && strings.EqualFold(c, s) {
			return fmt.Sprintf("; did you mean %q?", c)
		}
	}
	limit := 1 + utf8.RuneCountInString(s)/5
	best, bestD := "", limit+1
	for _, c := range candidates {
		if d := editDistance(s, c, bestD); d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || best == s {
		return ""
	}
	return fmt.Sprintf("; did you mean %q?", best)
}

// editDistance is the Levenshtein distance of a and b, or limit when it is
// at least limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 || abs(len(ra)-len(rb)) >= limit {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
