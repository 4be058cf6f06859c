package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// This file holds the YAML plumbing of the loader: input limits, parsing with
// positions, and typed access to AST nodes that records every problem with its
// line and column. load.go builds the scenario on top of it.

// Input limits. The YAML parser's cost grows with the square of the nesting
// depth and of the number of keys in one block mapping, so those are bounded
// before it runs; a real scenario file is far below every limit.
const (
	// MaxFileSize is the largest scenario file Parse and Load accept, in bytes.
	MaxFileSize = 16 << 20
	// MaxDepth bounds how deeply collections may nest (a scenario needs about 8).
	MaxDepth = 100
	// MaxKeys bounds the number of keys of one block mapping.
	MaxKeys = 10000
	// maxExpansion bounds the number of nodes aliases may expand to, so that a
	// few bytes of *alias references cannot make the loader build a huge model.
	maxExpansion = 1 << 20
)

var bom = []byte("\ufeff")

// decoder turns a YAML AST into a scenario, collecting problems with positions.
type decoder struct {
	file string
	errs ErrorList // at most MaxErrors+1

	aliases  map[*ast.AliasNode]ast.Node // alias → the anchored value it names
	sizes    map[ast.Node]int            // expanded size of anchored values
	expanded int                         // nodes reached through aliases so far
	overflow bool                        // expansion budget exhausted (reported once)

	stepRefs []stepRef // ratification steps' commitments, checked once the plan is read
}

// full reports whether no more problems are being recorded: one more than
// MaxErrors has been, to know that some are not shown.
func (d *decoder) full() bool { return len(d.errs) > MaxErrors }

// errAt records a problem at a position (line 0 = the whole file).
func (d *decoder) errAt(line, col int, format string, args ...any) {
	if d.full() {
		return
	}
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Col: col, Msg: fmt.Sprintf(format, args...)})
}

// errorf records a problem at node n.
func (d *decoder) errorf(n ast.Node, format string, args ...any) {
	line, col := position(n)
	d.errAt(line, col, format, args...)
}

// result returns the recorded problems as an error, sorted by position
// (problems of the whole file first), or nil. When checking stopped early,
// a last entry says so.
func (d *decoder) result() error {
	if len(d.errs) == 0 {
		return nil
	}
	out := append(ErrorList(nil), d.errs[:min(len(d.errs), MaxErrors)]...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Col < out[j].Col
	})
	if len(d.errs) > MaxErrors {
		out = append(out, &Error{File: d.file, Msg: fmt.Sprintf("too many problems: checking stopped after the first %d", MaxErrors)})
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
		// A block mapping's token is the first colon; point at its first key.
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

// parseYAML parses data into a single document body, recording problems.
// It returns nil when nothing further can be checked.
func (d *decoder) parseYAML(data []byte) (body ast.Node) {
	if len(data) > MaxFileSize {
		d.errAt(0, 0, "file is %d bytes, larger than the %d MiB limit for scenario files", len(data), MaxFileSize>>20)
		return nil
	}
	data = bytes.TrimPrefix(data, bom)
	if !utf8.Valid(data) {
		line, col := invalidUTF8(data)
		d.errAt(line, col, "invalid UTF-8 (scenario files must be UTF-8 text)")
		return nil
	}
	if line, col, msg := checkShape(data); msg != "" {
		d.errAt(line, col, "%s", msg)
		return nil
	}
	f, err := safeParse(data)
	if err != nil {
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
			p := ye.GetToken().Position
			d.errAt(p.Line, p.Column, "YAML syntax: %s", ye.GetMessage())
		} else {
			d.errAt(0, 0, "YAML syntax: %s", firstLine(err.Error()))
		}
		return nil
	}
	var docs []*ast.DocumentNode
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			docs = append(docs, doc)
		}
	}
	if len(docs) == 0 {
		d.errAt(0, 0, "empty file: expected a mapping with keys parley, name, points and parties")
		return nil
	}
	if len(docs) > 1 {
		d.errorf(docs[1].Body, "a second YAML document: a scenario file holds exactly one")
	}
	return docs[0].Body
}

// safeParse runs the YAML parser, turning a panic inside it into an error so
// that no input can crash the caller.
func safeParse(data []byte) (f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("YAML parser failed: %v", r)
		}
	}()
	return parser.ParseBytes(data, 0)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// invalidUTF8 returns the position of the first invalid UTF-8 byte.
func invalidUTF8(data []byte) (line, col int) {
	line, col = 1, 1
	for len(data) > 0 {
		r, n := utf8.DecodeRune(data)
		if r == utf8.RuneError && n <= 1 {
			return line, col
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		data = data[n:]
	}
	return line, col
}

// checkShape estimates the nesting depth and the number of keys per block
// mapping from the raw text, without parsing it, and returns a message when
// either is over its limit. The estimate errs on the high side only for text
// with hundreds of unbalanced brackets or staircase indentation.
func checkShape(data []byte) (line, col int, msg string) {
	type level struct{ indent, keys int }
	var stack []level
	flow := 0      // open [ and { outside quotes
	var quote byte // ' or " while inside a quoted scalar
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var ln []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			ln, data = data[:i], data[i+1:]
		} else {
			ln, data = data, nil
		}
		indent := 0
		for indent < len(ln) && ln[indent] == ' ' {
			indent++
		}
		content := bytes.TrimRight(ln[indent:], " \t\r")
		if quote == 0 && flow == 0 && (len(content) == 0 || content[0] == '#') {
			continue
		}
		if quote == 0 && flow == 0 {
			for len(stack) > 0 && stack[len(stack)-1].indent > indent {
				stack = stack[:len(stack)-1]
			}
			if len(stack) == 0 || stack[len(stack)-1].indent < indent {
				stack = append(stack, level{indent: indent})
			}
		}
		// Compact nested sequences ("- - - x") nest on one line.
		dashes := 0
		rest := content
		for len(rest) >= 2 && (rest[0] == '-' || rest[0] == '?') && rest[1] == ' ' {
			dashes++
			rest = bytes.TrimLeft(rest[2:], " ")
		}
		if len(rest) == 1 && rest[0] == '-' {
			dashes++
		}
		if quote == 0 && flow == 0 && dashes == 0 && len(stack) > 0 && isKeyLine(content) {
			top := &stack[len(stack)-1]
			top.keys++
			if top.keys > MaxKeys {
				return lineNo, indent + 1, fmt.Sprintf("more than %d keys in one mapping", MaxKeys)
			}
		}
		maxFlow := flow
		prev := byte(' ')
		for i := 0; i < len(content); i++ {
			c := content[i]
			switch {
			case quote == '"':
				if c == '\\' {
					i++
				} else if c == '"' {
					quote = 0
				}
			case quote == '\'':
				if c == '\'' {
					if i+1 < len(content) && content[i+1] == '\'' {
						i++
					} else {
						quote = 0
					}
				}
			case c == '#' && (prev == ' ' || prev == '\t'):
				i = len(content)
			case (c == '"' || c == '\'') && strings.IndexByte(" \t[{,:", prev) >= 0:
				quote = c
			case c == '[' || c == '{':
				flow++
				maxFlow = max(maxFlow, flow)
			case c == ']' || c == '}':
				flow = max(flow-1, 0)
			}
			prev = c
		}
		if depth := len(stack) + dashes + maxFlow; depth > MaxDepth {
			return lineNo, indent + 1, fmt.Sprintf("collections nested more than %d deep", MaxDepth)
		}
	}
	return 0, 0, ""
}

// isKeyLine reports whether a block line looks like "key: ..." or "key:".
func isKeyLine(content []byte) bool {
	i := bytes.Index(content, []byte(": "))
	if i < 0 && bytes.HasSuffix(content, []byte(":")) {
		i = len(content) - 1
	}
	return i > 0 && content[0] != '[' && content[0] != '{' && content[0] != '#'
}

// collectAnchors walks the document in order, resolving every alias to the
// value anchored most recently before it (YAML's rule), and computes how many
// nodes each anchored value expands to.
func (d *decoder) collectAnchors(n ast.Node) {
	d.aliases = map[*ast.AliasNode]ast.Node{}
	d.sizes = map[ast.Node]int{}
	anchors := map[string]ast.Node{}
	var walk func(n ast.Node, depth int) int
	walk = func(n ast.Node, depth int) int {
		if n == nil || depth > 4*MaxDepth {
			return 1
		}
		switch v := n.(type) {
		case *ast.AnchorNode:
			size := walk(v.Value, depth+1)
			if v.Value != nil {
				anchors[scalarText(v.Name)] = v.Value
				d.sizes[v.Value] = size
			}
			return size
		case *ast.AliasNode:
			target, ok := anchors[scalarText(v.Value)]
			if !ok {
				return 1
			}
			d.aliases[v] = target
			return d.sizes[target]
		case *ast.MappingNode:
			size := 1
			for _, mv := range v.Values {
				size = addSat(size, walk(mv, depth+1))
			}
			return size
		case *ast.MappingValueNode:
			return addSat(walk(v.Key, depth+1), walk(v.Value, depth+1))
		case *ast.MappingKeyNode:
			return walk(v.Value, depth+1)
		case *ast.SequenceNode:
			size := 1
			for _, e := range v.Values {
				size = addSat(size, walk(e, depth+1))
			}
			return size
		case *ast.TagNode:
			return walk(v.Value, depth+1)
		}
		return 1
	}
	walk(n, 0)
}

func addSat(a, b int) int {
	if a > math.MaxInt32 || b > math.MaxInt32 {
		return math.MaxInt32 + 1
	}
	return a + b
}

// resolve strips anchors and follows aliases, reporting constructs the format
// does not use (tags, undefined aliases). It returns nil after reporting.
func (d *decoder) resolve(n ast.Node) ast.Node {
	for hops := 0; ; hops++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			n = v.Value
		case *ast.AliasNode:
			target, ok := d.aliases[v]
			if !ok {
				d.errorf(v, "alias *%s refers to no anchor defined before it", scalarText(v.Value))
				return nil
			}
			d.expanded = addSat(d.expanded, d.sizes[target])
			if d.expanded > maxExpansion {
				if !d.overflow {
					d.overflow = true
					d.errorf(v, "aliases expand to more than %d nodes", maxExpansion)
				}
				return nil
			}
			n = target
		case *ast.TagNode:
			tag := "!"
			if tk := v.GetToken(); tk != nil {
				tag = tk.Value
			}
			d.errorf(v, "YAML tag %s: tags are not supported in scenario files", tag)
			return nil
		case nil:
			// The parser gives a node for every value, even an empty one;
			// report rather than skip should that ever change.
			d.errAt(0, 0, "a value is missing where the YAML parser gave no node")
			return nil
		default:
			return n
		}
		if hops > 100 {
			d.errorf(n, "anchor refers to itself")
			return nil
		}
	}
}

// scalarText returns the text of a scalar node as written (decoded for quoted
// strings and block scalars), or "" for anything else.
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
	case *ast.AnchorNode:
		return describe(v.Value)
	case *ast.AliasNode:
		return "alias *" + scalarText(v.Value)
	case *ast.TagNode:
		return "tagged value"
	}
	return "a " + n.Type().YAMLName()
}

// quoteShort quotes s for a message, eliding the middle of long strings.
func quoteShort(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		s = string(r[:30]) + "…" + string(r[len(r)-6:])
	}
	return strconv.Quote(s)
}

// isScalar reports whether n (resolved) is a scalar.
func isScalar(n ast.Node) bool {
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode, *ast.IntegerNode, *ast.FloatNode,
		*ast.BoolNode, *ast.NullNode, *ast.InfinityNode, *ast.NanNode:
		return true
	}
	return false
}

// str returns a string value; what names it in messages ("title").
func (d *decoder) str(n ast.Node, what string) (string, bool) {
	n = d.resolve(n)
	if n == nil {
		return "", false
	}
	switch n.(type) {
	case *ast.StringNode, *ast.LiteralNode:
		return scalarText(n), true
	}
	if isScalar(n) {
		if _, ok := n.(*ast.NullNode); !ok {
			d.errorf(n, "%s: expected a string, found %s (quote it: %q)", what, describe(n), scalarText(n))
			return "", false
		}
	}
	d.errorf(n, "%s: expected a string, found %s", what, describe(n))
	return "", false
}

// ref returns the text of a scalar that names something (a point, option or
// party). Any scalar is accepted, since YAML reads an unquoted 1 or true as a
// number or boolean while the name is the text.
func (d *decoder) ref(n ast.Node, what string) (string, bool) {
	n = d.resolve(n)
	if n == nil {
		return "", false
	}
	if !isScalar(n) {
		d.errorf(n, "%s: expected a name, found %s", what, describe(n))
		return "", false
	}
	if _, ok := n.(*ast.NullNode); ok {
		d.errorf(n, "%s: expected a name, found %s", what, describe(n))
		return "", false
	}
	return scalarText(n), true
}

// yamlFloat is YAML 1.2's float syntax, which the parser reads as a string
// when it has an exponent but no dot (1e6).
var yamlFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// num returns a finite number.
func (d *decoder) num(n ast.Node, what string) (float64, bool) {
	n = d.resolve(n)
	if n == nil {
		return 0, false
	}
	v, ok := number(n)
	if !ok {
		d.errorf(n, "%s: expected a number, found %s", what, describe(n))
		return 0, false
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		d.errorf(n, "%s: expected a finite number, found %s", what, scalarText(n))
		return 0, false
	}
	return v, true
}

// number reads a numeric scalar: a YAML integer or float, or an unquoted
// string in YAML 1.2 float syntax.
func number(n ast.Node) (float64, bool) {
	switch v := n.(type) {
	case *ast.IntegerNode:
		switch x := v.Value.(type) {
		case int64:
			return float64(x), true
		case uint64:
			return float64(x), true
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(scalarText(n), "_", ""), 64)
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

// integer returns a number that must be a whole number within ±2^53.
func (d *decoder) integer(n ast.Node, what string) (int64, bool) {
	v, ok := d.num(n, what)
	if !ok {
		return 0, false
	}
	if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		d.errorf(n, "%s: expected a whole number, found %s", what, scalarText(d.resolve(n)))
		return 0, false
	}
	return int64(v), true
}

// entry is one key: value pair of a mapping.
type entry struct {
	key string
	kn  ast.Node // the key node, for positions
	val ast.Node // the value node, unresolved
}

// mapping returns the entries of a mapping in file order, rejecting
// non-string keys, merge keys and keys given twice.
func (d *decoder) mapping(n ast.Node, what string) ([]entry, bool) {
	n = d.resolve(n)
	if n == nil {
		return nil, false
	}
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	default:
		d.errorf(n, "%s: expected a mapping, found %s", what, describe(n))
		return nil, false
	}
	out := make([]entry, 0, len(values))
	seen := map[string]ast.Node{}
	ok := true
	for _, mv := range values {
		if mv == nil || mv.Key == nil {
			continue
		}
		kn := ast.Node(mv.Key)
		if _, merge := kn.(*ast.MergeKeyNode); merge {
			d.errorf(kn, "%s: merge keys (<<) are not supported in scenario files", what)
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
		if first, dup := seen[key]; dup {
			l, _ := position(first)
			d.errorf(kn, "%s: key %q given twice (first at line %d)", what, key, l)
			ok = false
			continue
		}
		seen[key] = kn
		out = append(out, entry{key: key, kn: kn, val: mv.Value})
	}
	return out, ok
}

// object is a mapping with a fixed set of keys.
type object struct {
	node    ast.Node
	entries map[string]entry
}

func (o object) has(k string) bool { _, ok := o.entries[k]; return ok }

// val returns the value node of key k, or nil.
func (o object) val(k string) ast.Node {
	if e, ok := o.entries[k]; ok {
		return e.val
	}
	return nil
}

// key returns the key node of key k (for positions), or the mapping itself.
func (o object) key(k string) ast.Node {
	if e, ok := o.entries[k]; ok {
		return e.kn
	}
	return o.node
}

// object decodes a mapping whose keys must come from known, with the keys in
// required present. Unknown keys are reported with a suggestion.
func (d *decoder) object(n ast.Node, what string, known, required []string) (object, bool) {
	entries, ok := d.mapping(n, what)
	if entries == nil && !ok {
		return object{}, false
	}
	o := object{node: d.resolve(n), entries: map[string]entry{}}
	for _, e := range entries {
		if !contains(known, e.key) {
			d.errorf(e.kn, "%s: unknown key %q (expected %s)%s", what, e.key, orList(known), suggest(e.key, known))
			ok = false
			continue
		}
		o.entries[e.key] = e
	}
	for _, k := range required {
		if !o.has(k) {
			d.errorf(o.node, "%s: missing key %q", what, k)
			ok = false
		}
	}
	return o, ok
}

// peekID returns the id of a mapping, quietly, to name it in messages about
// its other keys: `party "ukraine"` rather than `party`.
func (d *decoder) peekID(n ast.Node, kind string) string {
	var values []*ast.MappingValueNode
	switch v := n.(type) {
	case *ast.MappingNode:
		values = v.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{v}
	}
	for _, mv := range values {
		if mv.Key != nil && scalarText(mv.Key) == "id" {
			if s, ok := mv.Value.(*ast.StringNode); ok && s.Value != "" && !hasControl(s.Value) {
				return fmt.Sprintf("%s %s", kind, quoteShort(s.Value))
			}
		}
	}
	return kind
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

// oneOf returns a string that must be one of choices.
func (d *decoder) oneOf(n ast.Node, what string, choices []string) (string, bool) {
	r := d.resolve(n)
	if r == nil {
		return "", false
	}
	if !isScalar(r) {
		d.errorf(r, "%s: expected %s, found %s", what, orList(choices), describe(r))
		return "", false
	}
	s := scalarText(r)
	if !contains(choices, s) {
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

// listNames formats up to 8 names for "(options: a, b, ...)".
func listNames(names []string) string {
	if len(names) > 8 {
		return strings.Join(names[:8], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}

// suggest returns `; did you mean "x"?` when s is a small typo of a
// candidate: at most one edit per five characters, and at least one.
func suggest(s string, candidates []string) string {
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

// editDistance is the optimal-string-alignment distance of a and b (edits
// are insertions, deletions, substitutions and swaps of adjacent characters),
// or limit when it is at least limit. Long strings are not compared.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 || abs(len(ra)-len(rb)) >= limit {
		return limit
	}
	// d[i][j] is the distance between ra[:i] and rb[:j].
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+c)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return min(d[len(ra)][len(rb)], limit)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
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
