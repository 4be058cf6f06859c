package posyaml

import (
	"math"

	"github.com/goccy/go-yaml/ast"
)

// collectAnchors walks the document in order, resolving every alias to the
// value anchored most recently before it (YAML's rule), and computes how many
// nodes each anchored value expands to.
func (d *Decoder) collectAnchors(n ast.Node) {
	d.aliases = map[*ast.AliasNode]ast.Node{}
	d.sizes = map[ast.Node]int{}
	anchors := map[string]ast.Node{}
	var walk func(n ast.Node, depth int) int
	walk = func(n ast.Node, depth int) int {
		if n == nil || depth > 4*d.format.MaxDepth {
			return 1
		}
		switch v := n.(type) {
		case *ast.AnchorNode:
			size := walk(v.Value, depth+1)
			if v.Value != nil {
				anchors[ScalarText(v.Name)] = v.Value
				d.sizes[v.Value] = size
			}
			return size
		case *ast.AliasNode:
			target, ok := anchors[ScalarText(v.Value)]
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

// Resolve returns the value node n stands for: anchors are stripped and
// aliases followed (each one counted against MaxExpansion) when the Format
// allows them. It reports what the files do not use — tags, anchors and
// aliases when not allowed, aliases to no anchor defined before them, a
// missing node — and then returns nil. The accessors call it; readers call
// it for a node they inspect themselves, and to position a message at the
// value rather than at an alias.
func (d *Decoder) Resolve(n ast.Node) ast.Node {
	for hops := 0; ; hops++ {
		switch v := n.(type) {
		case *ast.AnchorNode:
			if !d.format.Anchors {
				d.Errorf(v, "anchors (&) are not supported in %ss", d.format.Name)
				return nil
			}
			n = v.Value
		case *ast.AliasNode:
			if !d.format.Anchors {
				d.Errorf(v, "aliases (*) are not supported in %ss", d.format.Name)
				return nil
			}
			target, ok := d.aliases[v]
			if !ok {
				d.Errorf(v, "alias *%s refers to no anchor defined before it", ScalarText(v.Value))
				return nil
			}
			d.expanded = addSat(d.expanded, d.sizes[target])
			if d.expanded > MaxExpansion {
				if !d.overflow {
					d.overflow = true
					d.Errorf(v, "aliases expand to more than %d nodes", MaxExpansion)
				}
				return nil
			}
			n = target
		case *ast.TagNode:
			tag := "!"
			if tk := v.GetToken(); tk != nil {
				tag = tk.Value
			}
			d.Errorf(v, "YAML tag %s: tags are not supported in %ss", tag, d.format.Name)
			return nil
		case nil:
			// The parser gives a node for every value, even an empty one;
			// report rather than skip should that ever change.
			d.ErrorAt(0, 0, "a value is missing where the YAML parser gave no node")
			return nil
		default:
			return n
		}
		if hops > 100 {
			d.Errorf(n, "anchor refers to itself")
			return nil
		}
	}
}
