package posyaml

import (
	"slices"

	"github.com/goccy/go-yaml/ast"
)

// Entry is one key: value pair of a mapping.
type Entry struct {
	Key     string
	KeyNode ast.Node // for positions
	Value   ast.Node // unresolved
}

// MappingValues returns the key-value nodes of a mapping node (a block or
// flow mapping, or a single key-value pair), and whether n is one.
func MappingValues(n ast.Node) ([]*ast.MappingValueNode, bool) {
	switch v := n.(type) {
	case *ast.MappingNode:
		return v.Values, true
	case *ast.MappingValueNode:
		return []*ast.MappingValueNode{v}, true
	}
	return nil, false
}

// Mapping returns the entries of a mapping in file order, rejecting (and
// leaving out) merge keys, keys that are not scalars and keys given twice.
// The entries are nil when n is not a mapping; ok is false when anything
// was reported.
func (d *Decoder) Mapping(n ast.Node, what string) (entries []Entry, ok bool) {
	n = d.Resolve(n)
	if n == nil {
		return nil, false
	}
	values, isMapping := MappingValues(n)
	if !isMapping {
		d.Errorf(n, "%s: expected a mapping, found %s", what, Describe(n))
		return nil, false
	}
	out := make([]Entry, 0, len(values))
	seen := map[string]ast.Node{}
	ok = true
	for _, mv := range values {
		if mv == nil || mv.Key == nil {
			continue
		}
		kn := ast.Node(mv.Key)
		if _, merge := kn.(*ast.MergeKeyNode); merge {
			d.Errorf(kn, "%s: merge keys (<<) are not supported in %ss", what, d.format.Name)
			ok = false
			continue
		}
		k := d.Resolve(kn)
		if k == nil {
			ok = false
			continue
		}
		if !IsScalar(k) {
			d.Errorf(kn, "%s: expected a plain key, found %s", what, Describe(k))
			ok = false
			continue
		}
		key := ScalarText(k)
		if first, dup := seen[key]; dup {
			l, _ := Position(first)
			d.Errorf(kn, "%s: key %q given twice (first at line %d)", what, key, l)
			ok = false
			continue
		}
		seen[key] = kn
		out = append(out, Entry{Key: key, KeyNode: kn, Value: mv.Value})
	}
	return out, ok
}

// Object is a mapping with a fixed set of keys, as Decoder.Object read it.
// The zero Object stands for a value that was not a mapping.
type Object struct {
	// Node is the mapping (resolved), for messages about it as a whole.
	Node    ast.Node
	entries map[string]Entry
	keys    []string // in file order
}

// IsMapping reports whether the value was a mapping, whose known keys the
// Object holds; false for the zero Object.
func (o Object) IsMapping() bool { return o.entries != nil }

// Has reports whether key k was given.
func (o Object) Has(k string) bool { _, ok := o.entries[k]; return ok }

// Value returns the value node of key k (unresolved), or nil.
func (o Object) Value(k string) ast.Node {
	if e, ok := o.entries[k]; ok {
		return e.Value
	}
	return nil
}

// Key returns the key node of key k, to report a problem with the key as a
// whole, or the mapping itself when k was not given.
func (o Object) Key(k string) ast.Node {
	if e, ok := o.entries[k]; ok {
		return e.KeyNode
	}
	return o.Node
}

// Keys returns the known keys given, in file order.
func (o Object) Keys() []string { return slices.Clone(o.keys) }

// Len returns the number of known keys given.
func (o Object) Len() int { return len(o.entries) }

// Object reads a mapping whose keys must come from known, with the keys in
// required present. Unknown keys are reported with a suggestion and left
// out, as are those Mapping rejects. The Object is the zero Object when n is
// not a mapping; ok is false when anything was reported.
func (d *Decoder) Object(n ast.Node, what string, known, required []string) (Object, bool) {
	entries, ok := d.Mapping(n, what)
	if entries == nil && !ok {
		return Object{}, false
	}
	o := Object{Node: d.Resolve(n), entries: map[string]Entry{}}
	for _, e := range entries {
		if !slices.Contains(known, e.Key) {
			d.Errorf(e.KeyNode, "%s: unknown key %q (expected %s)%s", what, e.Key, OrList(known), Suggest(e.Key, known))
			ok = false
			continue
		}
		o.entries[e.Key] = e
		o.keys = append(o.keys, e.Key)
	}
	for _, k := range required {
		if !o.Has(k) {
			d.Errorf(o.Node, "%s: missing key %q", what, k)
			ok = false
		}
	}
	return o, ok
}

// List returns the elements of a sequence (unresolved).
func (d *Decoder) List(n ast.Node, what string) ([]ast.Node, bool) {
	n = d.Resolve(n)
	if n == nil {
		return nil, false
	}
	s, ok := n.(*ast.SequenceNode)
	if !ok {
		d.Errorf(n, "%s: expected a list, found %s", what, Describe(n))
		return nil, false
	}
	return s.Values, true
}
