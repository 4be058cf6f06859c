package scenario

import "github.com/goccy/go-yaml/ast"

// The format section: the default meeting format and the pairs of parties
// that do not meet directly.

var (
	formatKeys = []string{"default", "no_direct"}
	formats    = []string{Plenary, Bilateral, Trilateral, Proximity}
)

// format decodes the format section.
func (d *decoder) format(n ast.Node, f *Format, parties map[string]ast.Node) {
	o, _ := d.Object(n, "format", formatKeys, nil)
	if !o.IsMapping() {
		return
	}
	if o.Has("default") {
		if v, ok := d.OneOf(o.Value("default"), "format: default", formats); ok {
			f.Default = v
		}
	}
	if o.Has("no_direct") {
		items, _ := d.List(o.Value("no_direct"), "format: no_direct")
		for _, item := range items {
			pair, ok := d.List(item, "format: no_direct")
			if !ok {
				continue
			}
			if len(pair) != 2 {
				d.Errorf(d.Resolve(item), "format: no_direct: expected a pair [party, party], found a list of %d", len(pair))
				continue
			}
			a, ok1 := d.partyRef(pair[0], "format: no_direct", parties)
			b, ok2 := d.partyRef(pair[1], "format: no_direct", parties)
			if !ok1 || !ok2 {
				continue
			}
			if a == b {
				d.Errorf(d.Resolve(item), "format: no_direct: pair [%s, %s] names the same party twice", a, b)
				continue
			}
			dup := false
			for _, p := range f.NoDirect {
				dup = dup || (p[0] == a && p[1] == b) || (p[0] == b && p[1] == a)
			}
			if dup {
				d.Errorf(d.Resolve(item), "format: no_direct: pair [%s, %s] listed twice", a, b)
				continue
			}
			f.NoDirect = append(f.NoDirect, [2]string{a, b})
		}
	}
}
