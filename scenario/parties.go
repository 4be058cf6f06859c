package scenario

import (
	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/posyaml"
)

// The parties section (ids, names, roles; each profile is read by
// profiles.go) and the references to parties that the other sections make.

var (
	partyKeys = []string{"id", "name", "role", "brief", "profile"}
	roles     = []string{string(Principal), string(Mediator), string(Guarantor), string(Observer)}
)

// parties decodes the parties list. It returns the parties and their id →
// id node, for references from the decision and format sections.
func (d *decoder) parties(n ast.Node, fw *framework.Framework, pts *points) ([]Party, map[string]ast.Node) {
	ids := map[string]ast.Node{}
	items, ok := d.List(n, "parties")
	if !ok {
		return nil, ids
	}
	if len(items) == 0 {
		d.Errorf(d.Resolve(n), "parties: expected at least one party, found an empty list")
	}
	var out []Party
	for _, item := range items {
		if d.Full() {
			break
		}
		o, _ := d.Object(item, d.peekID(d.Resolve(item), "party"), partyKeys, []string{"id", "role"})
		if !o.IsMapping() {
			continue
		}
		var p Party
		if o.Has("id") {
			id, ok := d.Str(o.Value("id"), "party id")
			if ok && d.checkID(o.Value("id"), "party id", id) {
				if first, dup := ids[id]; dup {
					l, _ := posyaml.Position(first)
					d.Errorf(d.Resolve(o.Value("id")), "party %q is defined twice (first at line %d; party ids must be unique)", id, l)
				} else {
					ids[id] = d.Resolve(o.Value("id"))
				}
				p.ID = id
			}
		}
		d.optStr(o, "name", &p.Name)
		d.optStr(o, "brief", &p.Brief)
		if len(p.Brief) > MaxBrief {
			d.Errorf(d.Resolve(o.Value("brief")), "brief: %d bytes (at most %d; a brief is a few sentences for the role's seat)", len(p.Brief), MaxBrief)
		}
		if o.Has("role") {
			if r, ok := d.OneOf(o.Value("role"), "role", roles); ok {
				p.Role = Role(r)
			}
		}
		if o.Has("profile") && pts != nil {
			p.Profile, p.Estimate = d.profile(o.Value("profile"), fw, pts, p.ID)
		}
		out = append(out, p)
	}
	return out, ids
}

// partyRef resolves a party id.
func (d *decoder) partyRef(n ast.Node, what string, parties map[string]ast.Node) (string, bool) {
	id, ok := d.Name(n, what)
	if !ok {
		return "", false
	}
	if _, ok := parties[id]; !ok {
		ids := sortedKeys(parties)
		d.Errorf(d.Resolve(n), "%s: no party %q (parties: %s)%s", what, id, posyaml.ListNames(ids), posyaml.Suggest(id, ids))
		return "", false
	}
	return id, true
}
