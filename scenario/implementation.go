package scenario

import (
	"fmt"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/posyaml"
	"github.com/parley-negotiation/parley/plan"
)

// The implementation section: the plan of the agreement's implementation
// (package plan), read with the same positioned checks as the rest of the
// file and written back by Marshal.

var (
	implKeys        = []string{"verifiers", "phases", "commitments"}
	verifierKeys    = []string{"id", "name", "description"}
	phaseKeys       = []string{"id", "title", "description"}
	commitmentKeys  = []string{"id", "title", "text", "point", "options", "owners", "phase", "kind", "from", "after", "deadline", "verifier", "evidence", "on_violation"}
	preconditionKey = []string{"commitment", "held", "fulfilled", "severity"}
	consequenceKeys = []string{"trigger", "severity", "party"}
	commitmentKinds = []string{string(plan.Once), string(plan.Continuous)}
	anchorNames     = []string{string(plan.FromAgreement), string(plan.FromEntryIntoForce), string(plan.FromTriggered)}
	severityNames   = []string{string(plan.Minor), string(plan.Major), string(plan.Grave)}
)

// implRefs keeps the nodes of the references made in the section, to
// report problems found once every commitment is known.
type implRefs struct {
	commitments map[string]ast.Node // id → id node
	ids         []string            // commitment ids in order
	verifiers   map[string]ast.Node
	verIDs      []string
	phases      map[string]ast.Node
	phaseIDs    []string
	// per commitment index
	after    [][]ast.Node // the precondition mappings
	onViol   [][]ast.Node // the consequence mappings
	fromKey  []ast.Node
	kindNode []ast.Node
	node     []ast.Node
	good     [][]bool // per precondition: its reference resolved
}

// implementation decodes the implementation section.
func (d *decoder) implementation(n ast.Node, fw *framework.Framework, pts *points, parties map[string]ast.Node) *plan.Plan {
	o, _ := d.Object(n, "implementation", implKeys, []string{"verifiers", "commitments"})
	if !o.IsMapping() {
		return nil
	}
	p := &plan.Plan{}
	refs := &implRefs{commitments: map[string]ast.Node{}, verifiers: map[string]ast.Node{}, phases: map[string]ast.Node{}}

	// Verifiers.
	if o.Has("verifiers") {
		items, ok := d.List(o.Value("verifiers"), "implementation: verifiers")
		if ok && len(items) == 0 {
			d.Errorf(d.Resolve(o.Value("verifiers")), "implementation: verifiers: expected at least one verifier, found an empty list")
		}
		for _, item := range items {
			if d.Full() {
				break
			}
			vo, _ := d.Object(item, d.peekID(d.Resolve(item), "verifier"), verifierKeys, []string{"id"})
			if !vo.IsMapping() || !vo.Has("id") {
				continue
			}
			var v plan.Verifier
			id, ok := d.Str(vo.Value("id"), "verifier id")
			if !ok || !d.checkID(vo.Value("id"), "verifier id", id) {
				continue
			}
			idn := d.Resolve(vo.Value("id"))
			if first, dup := refs.verifiers[id]; dup {
				l, _ := posyaml.Position(first)
				d.Errorf(idn, "verifier %q is defined twice (first at line %d; verifier ids must be unique)", id, l)
				continue
			}
			if _, clash := parties[id]; clash {
				d.Errorf(idn, "verifier %q has the id of a party (verifiers file reports in the session log under their id, which must differ from every party's)", id)
				continue
			}
			refs.verifiers[id] = idn
			refs.verIDs = append(refs.verIDs, id)
			v.ID = id
			d.optStr(vo, "name", &v.Name)
			d.optStr(vo, "description", &v.Description)
			p.Verifiers = append(p.Verifiers, v)
		}
	}

	// Phases.
	if o.Has("phases") {
		items, _ := d.List(o.Value("phases"), "implementation: phases")
		for _, item := range items {
			if d.Full() {
				break
			}
			po, _ := d.Object(item, d.peekID(d.Resolve(item), "phase"), phaseKeys, []string{"id"})
			if !po.IsMapping() || !po.Has("id") {
				continue
			}
			id, ok := d.Str(po.Value("id"), "phase id")
			if !ok || !d.checkID(po.Value("id"), "phase id", id) {
				continue
			}
			idn := d.Resolve(po.Value("id"))
			if first, dup := refs.phases[id]; dup {
				l, _ := posyaml.Position(first)
				d.Errorf(idn, "phase %q is defined twice (first at line %d; phase ids must be unique)", id, l)
				continue
			}
			refs.phases[id] = idn
			refs.phaseIDs = append(refs.phaseIDs, id)
			ph := plan.Phase{ID: id}
			d.optStr(po, "title", &ph.Title)
			d.optStr(po, "description", &ph.Description)
			p.Phases = append(p.Phases, ph)
		}
	}

	// Commitments: ids first, so that references may point forward.
	var items []ast.Node
	if o.Has("commitments") {
		var ok bool
		items, ok = d.List(o.Value("commitments"), "implementation: commitments")
		if ok && len(items) == 0 {
			d.Errorf(d.Resolve(o.Value("commitments")), "implementation: commitments: expected at least one commitment, found an empty list")
		}
	}
	var objs []posyaml.Object
	for _, item := range items {
		if d.Full() {
			break
		}
		co, _ := d.Object(item, d.peekID(d.Resolve(item), "commitment"), commitmentKeys, []string{"id", "point", "owners", "kind", "verifier"})
		if !co.IsMapping() || !co.Has("id") {
			continue
		}
		id, ok := d.Str(co.Value("id"), "commitment id")
		if !ok || !d.checkID(co.Value("id"), "commitment id", id) {
			continue
		}
		idn := d.Resolve(co.Value("id"))
		if first, dup := refs.commitments[id]; dup {
			l, _ := posyaml.Position(first)
			d.Errorf(idn, "commitment %q is defined twice (first at line %d; commitment ids must be unique)", id, l)
			continue
		}
		refs.commitments[id] = idn
		refs.ids = append(refs.ids, id)
		objs = append(objs, co)
		p.Commitments = append(p.Commitments, plan.Commitment{ID: id})
	}
	n0 := len(p.Commitments)
	refs.after, refs.onViol = make([][]ast.Node, n0), make([][]ast.Node, n0)
	refs.fromKey, refs.kindNode, refs.node, refs.good = make([]ast.Node, n0), make([]ast.Node, n0), make([]ast.Node, n0), make([][]bool, n0)
	for i, co := range objs {
		if d.Full() {
			break
		}
		refs.node[i] = co.Node
		d.commitment(co, &p.Commitments[i], i, fw, pts, parties, refs)
	}
	if d.Problems() == 0 {
		d.implementationLinks(p, refs)
	}
	return p
}

// commitment decodes one commitment's keys (its id is already set).
func (d *decoder) commitment(co posyaml.Object, c *plan.Commitment, i int, fw *framework.Framework, pts *points, parties map[string]ast.Node, refs *implRefs) {
	what := fmt.Sprintf("commitment %q", c.ID)
	d.optStr(co, "title", &c.Title)
	d.optStr(co, "text", &c.Text)
	d.optStr(co, "evidence", &c.Evidence)
	pi := -1
	if co.Has("point") {
		if id, ok := d.Name(co.Value("point"), what+": point"); ok {
			if pts == nil {
				pts = &points{index: map[string]int{}, bad: map[int]bool{}}
			}
			if k, ok := d.pointRef(d.Resolve(co.Value("point")), id, what, pts); ok {
				pi = k
			}
			c.Point = id
		}
	}
	if co.Has("options") {
		items, _ := d.List(co.Value("options"), what+": options")
		if pi >= 0 && len(items) > 0 && fw.Points[pi].Kind != framework.Options {
			d.Errorf(co.Key("options"), "%s: options: point %q is %s point (options name options of an options point; without them the commitment applies whatever level is agreed)", what, c.Point, kindName(fw.Points[pi].Kind))
		} else {
			for _, item := range items {
				id, ok := d.Name(item, what+": options")
				if !ok || pi < 0 {
					continue
				}
				pt := &fw.Points[pi]
				if pt.Level(id) < 0 {
					d.Errorf(d.Resolve(item), "%s: options: point %q has no option %q (options: %s)%s", what, pt.ID, id, posyaml.ListNames(optionIDs(pt)), posyaml.Suggest(id, optionIDs(pt)))
					continue
				}
				if slices.Contains(c.Options, id) {
					d.Errorf(d.Resolve(item), "%s: options: option %q listed twice", what, id)
					continue
				}
				c.Options = append(c.Options, id)
			}
		}
	}
	if co.Has("owners") {
		items, ok := d.List(co.Value("owners"), what+": owners")
		if ok && len(items) == 0 {
			d.Errorf(d.Resolve(co.Value("owners")), "%s: owners: expected at least one party, found an empty list", what)
		}
		for _, item := range items {
			id, ok := d.partyRef(item, what+": owners", parties)
			if !ok {
				continue
			}
			if slices.Contains(c.Owners, id) {
				d.Errorf(d.Resolve(item), "%s: owners: party %q listed twice", what, id)
				continue
			}
			c.Owners = append(c.Owners, id)
		}
	}
	if co.Has("phase") {
		if id, ok := d.Name(co.Value("phase"), what+": phase"); ok {
			if _, found := refs.phases[id]; !found {
				d.Errorf(d.Resolve(co.Value("phase")), "%s: phase: no phase %q (phases: %s)%s", what, id, orNone(refs.phaseIDs), posyaml.Suggest(id, refs.phaseIDs))
			} else {
				c.Phase = id
			}
		}
	}
	if co.Has("kind") {
		refs.kindNode[i] = co.Key("kind")
		if k, ok := d.OneOf(co.Value("kind"), what+": kind", commitmentKinds); ok {
			c.Kind = plan.Kind(k)
		}
	}
	if co.Has("from") {
		refs.fromKey[i] = co.Key("from")
		if a, ok := d.OneOf(co.Value("from"), what+": from", anchorNames); ok {
			c.From = plan.Anchor(a)
		}
	}
	if co.Has("deadline") {
		if c.Kind == plan.Continuous {
			d.Errorf(co.Key("deadline"), "%s: deadline: a continuous commitment holds from its start and has no deadline (a once commitment is delivered by one)", what)
		} else if r := d.Resolve(co.Value("deadline")); r != nil {
			if !posyaml.IsScalar(r) {
				d.Errorf(r, "%s: deadline: expected a duration (30d) or a date (2026-06-30), found %s", what, posyaml.Describe(r))
			} else if dl, err := plan.ParseDeadline(posyaml.ScalarText(r)); err != nil {
				d.Errorf(r, "%s: deadline: %v", what, err)
			} else {
				c.Deadline = dl
			}
		}
	}
	if co.Has("verifier") {
		if id, ok := d.Name(co.Value("verifier"), what+": verifier"); ok {
			if _, found := refs.verifiers[id]; !found {
				d.Errorf(d.Resolve(co.Value("verifier")), "%s: verifier: no verifier %q (verifiers: %s)%s", what, id, orNone(refs.verIDs), posyaml.Suggest(id, refs.verIDs))
			} else {
				c.Verifier = id
			}
		}
	}
	if co.Has("after") {
		// One precondition as a mapping, or a list of them.
		var items []ast.Node
		if r := d.Resolve(co.Value("after")); r != nil {
			if _, isList := r.(*ast.SequenceNode); isList {
				items, _ = d.List(r, what+": after")
			} else {
				items = []ast.Node{co.Value("after")}
			}
		}
		for _, item := range items {
			pc, good, ok := d.precondition(item, what, c, refs)
			if !ok {
				continue
			}
			c.After = append(c.After, pc)
			refs.after[i] = append(refs.after[i], d.Resolve(item))
			refs.good[i] = append(refs.good[i], good)
		}
	}
	if co.Has("on_violation") {
		items, _ := d.List(co.Value("on_violation"), what+": on_violation")
		for _, item := range items {
			k, ok := d.consequence(item, what, c, parties, refs)
			if !ok {
				continue
			}
			c.OnViolation = append(c.OnViolation, k)
			refs.onViol[i] = append(refs.onViol[i], d.Resolve(item))
		}
	}
}

// precondition decodes {commitment: id, held: 60d [, severity: s]} or
// {commitment: id, fulfilled: true}. good is false when the commitment
// named is unknown (already reported).
func (d *decoder) precondition(n ast.Node, what string, c *plan.Commitment, refs *implRefs) (pc plan.Precondition, good, ok bool) {
	po, ok := d.Object(n, what+": after", preconditionKey, []string{"commitment"})
	if !po.IsMapping() || !po.Has("commitment") {
		return pc, false, false
	}
	id, idOK := d.Name(po.Value("commitment"), what+": after: commitment")
	if !idOK {
		return pc, false, false
	}
	pc.Commitment = id
	good = true
	if _, found := refs.commitments[id]; !found {
		d.Errorf(d.Resolve(po.Value("commitment")), "%s: after: no commitment %q (commitments: %s)%s", what, id, posyaml.ListNames(refs.ids), posyaml.Suggest(id, refs.ids))
		good, ok = false, false
	} else if id == c.ID {
		d.Errorf(d.Resolve(po.Value("commitment")), "%s: after: a commitment cannot wait for itself", what)
		good, ok = false, false
	}
	for _, q := range c.After {
		if q.Commitment == id {
			d.Errorf(d.Resolve(po.Value("commitment")), "%s: after: commitment %q listed twice", what, id)
			return pc, false, false
		}
	}
	switch {
	case po.Has("held") && po.Has("fulfilled"):
		d.Errorf(po.Key("fulfilled"), "%s: after %q: both held and fulfilled given (expected held: DURATION for a continuous commitment or fulfilled: true for a once one)", what, id)
		return pc, false, false
	case po.Has("held"):
		v, durOK := d.duration(po.Value("held"), what+": after: held")
		if !durOK {
			return pc, false, false
		}
		if v == 0 {
			d.Errorf(d.Resolve(po.Value("held")), "%s: after: held: expected a positive duration, found %s", what, posyaml.ScalarText(d.Resolve(po.Value("held"))))
			return pc, false, false
		}
		pc.Held = v
	case po.Has("fulfilled"):
		r := d.Resolve(po.Value("fulfilled"))
		if b, isBool := r.(*ast.BoolNode); !isBool || !b.Value {
			if r != nil {
				d.Errorf(r, "%s: after: fulfilled: expected true, found %s", what, posyaml.Describe(r))
			}
			return pc, false, false
		}
		pc.Fulfilled = true
		if po.Has("severity") {
			d.Errorf(po.Key("severity"), "%s: after %q: severity applies to held (violations below it do not interrupt the clock)", what, id)
			return pc, false, false
		}
	default:
		d.Errorf(po.Node, "%s: after %q: expected held: DURATION (a continuous commitment held that long without violation) or fulfilled: true (a once commitment fulfilled)", what, id)
		return pc, false, false
	}
	if po.Has("severity") {
		s, sevOK := d.OneOf(po.Value("severity"), what+": after: severity", severityNames)
		if !sevOK {
			return pc, false, false
		}
		pc.Severity = plan.Severity(s)
	}
	return pc, good, ok
}

// consequence decodes {trigger: id [, severity: s] [, party: p]}.
func (d *decoder) consequence(n ast.Node, what string, c *plan.Commitment, parties map[string]ast.Node, refs *implRefs) (plan.Consequence, bool) {
	var k plan.Consequence
	ko, ok := d.Object(n, what+": on_violation", consequenceKeys, []string{"trigger"})
	if !ko.IsMapping() || !ko.Has("trigger") {
		return k, false
	}
	id, idOK := d.Name(ko.Value("trigger"), what+": on_violation: trigger")
	if !idOK {
		return k, false
	}
	if _, found := refs.commitments[id]; !found {
		d.Errorf(d.Resolve(ko.Value("trigger")), "%s: on_violation: trigger: no commitment %q (commitments: %s)%s", what, id, posyaml.ListNames(refs.ids), posyaml.Suggest(id, refs.ids))
		ok = false
	} else if id == c.ID {
		d.Errorf(d.Resolve(ko.Value("trigger")), "%s: on_violation: a commitment cannot trigger itself", what)
		ok = false
	}
	k.Trigger = id
	if ko.Has("severity") {
		s, sevOK := d.OneOf(ko.Value("severity"), what+": on_violation: severity", severityNames)
		ok = ok && sevOK
		k.Severity = plan.Severity(s)
	}
	if ko.Has("party") {
		p, pOK := d.partyRef(ko.Value("party"), what+": on_violation: party", parties)
		if pOK && !slices.Contains(c.Owners, p) {
			d.Errorf(d.Resolve(ko.Value("party")), "%s: on_violation: party %q does not own the commitment (owners: %s)", what, p, strings.Join(c.Owners, ", "))
			pOK = false
		}
		ok = ok && pOK
		k.Party = p
	}
	for _, q := range c.OnViolation {
		if q == k {
			d.Errorf(ko.Node, "%s: on_violation: trigger %q listed twice", what, id)
			return k, false
		}
	}
	return k, ok
}

// duration reads a duration scalar such as 60d.
func (d *decoder) duration(n ast.Node, what string) (plan.Duration, bool) {
	r := d.Resolve(n)
	if r == nil {
		return 0, false
	}
	if !posyaml.IsScalar(r) {
		d.Errorf(r, "%s: expected a duration such as 60d, 2w or 36h, found %s", what, posyaml.Describe(r))
		return 0, false
	}
	text := posyaml.ScalarText(r)
	if _, isStr := r.(*ast.StringNode); !isStr {
		msg := fmt.Sprintf("%s: expected a duration such as 60d, 2w or 36h, found %s", what, posyaml.Describe(r))
		if sg := plan.SuggestDuration(text); sg != "" {
			msg += fmt.Sprintf("; did you mean %q?", sg)
		}
		d.Errorf(r, "%s", msg)
		return 0, false
	}
	v, err := plan.ParseDuration(text)
	if err != nil {
		d.Errorf(r, "%s: %v", what, err)
		return 0, false
	}
	return v, true
}

// implementationLinks checks what needs every commitment decoded: the
// kinds preconditions refer to, triggered anchors, cycles.
func (d *decoder) implementationLinks(p *plan.Plan, refs *implRefs) {
	byID := map[string]*plan.Commitment{}
	for i := range p.Commitments {
		byID[p.Commitments[i].ID] = &p.Commitments[i]
	}
	targets := map[string]bool{}
	for i := range p.Commitments {
		for _, k := range p.Commitments[i].OnViolation {
			targets[k.Trigger] = true
		}
	}
	for i := range p.Commitments {
		c := &p.Commitments[i]
		what := fmt.Sprintf("commitment %q", c.ID)
		for k, pc := range c.After {
			dep := byID[pc.Commitment]
			if dep == nil || !refs.good[i][k] {
				continue
			}
			switch {
			case pc.Fulfilled && dep.Kind == plan.Continuous:
				d.Errorf(refs.after[i][k], "%s: after %q: fulfilled applies to once commitments, and %q is continuous (use held: DURATION)", what, dep.ID, dep.ID)
			case pc.Held != 0 && dep.Kind == plan.Once:
				d.Errorf(refs.after[i][k], "%s: after %q: held applies to continuous commitments, and %q is once (use fulfilled: true)", what, dep.ID, dep.ID)
			}
		}
		switch {
		case c.From == plan.FromTriggered && !targets[c.ID]:
			d.Errorf(refs.fromKey[i], "%s: from: triggered, but no on_violation of another commitment triggers it", what)
		case c.From != plan.FromTriggered && targets[c.ID]:
			at := refs.fromKey[i]
			if at == nil {
				at = refs.node[i]
			}
			d.Errorf(at, "%s: is triggered by a violation of %s, so it is owed from its trigger (expected from: triggered)", what, strings.Join(p.Triggers(c.ID), ", "))
		}
	}
	if cyc := p.Cycle(); cyc != nil {
		i := 0
		for k := range p.Commitments {
			if p.Commitments[k].ID == cyc[0] {
				i = k
			}
		}
		at := refs.node[i]
		for k, pc := range p.Commitments[i].After {
			if pc.Commitment == cyc[1] {
				at = refs.after[i][k]
			}
		}
		d.Errorf(at, "commitment %q: after: preconditions form a cycle: %s (a commitment cannot wait, even indirectly, for itself)", cyc[0], strings.Join(cyc, " → "))
	}
}

func orNone(ids []string) string {
	if len(ids) == 0 {
		return "none defined"
	}
	return posyaml.ListNames(ids)
}

// implementationTree writes a plan in the file form.
func implementationTree(p *plan.Plan) (*omap, error) {
	t := &omap{}
	var vs []any
	for _, v := range p.Verifiers {
		m := &omap{}
		m.set("id", str(v.ID))
		m.setStr("name", v.Name)
		m.setStr("description", v.Description)
		vs = append(vs, m)
	}
	t.set("verifiers", vs)
	if len(p.Phases) > 0 {
		var ps []any
		for _, ph := range p.Phases {
			m := &omap{}
			m.set("id", str(ph.ID))
			m.setStr("title", ph.Title)
			m.setStr("description", ph.Description)
			ps = append(ps, m)
		}
		t.set("phases", ps)
	}
	var cs []any
	for i := range p.Commitments {
		c := &p.Commitments[i]
		m := &omap{}
		m.set("id", str(c.ID))
		m.setStr("title", c.Title)
		m.setStr("text", c.Text)
		m.set("point", str(c.Point))
		if len(c.Options) > 0 {
			m.set("options", strList(c.Options))
		}
		m.set("owners", strList(c.Owners))
		m.setStr("phase", c.Phase)
		m.set("kind", str(c.Kind))
		m.setStr("from", string(c.From))
		if len(c.After) > 0 {
			var as []any
			for _, pc := range c.After {
				a := &omap{flow: true}
				a.set("commitment", str(pc.Commitment))
				if pc.Fulfilled {
					a.set("fulfilled", num("true"))
				} else {
					if !pc.Held.Valid() {
						return nil, fmt.Errorf("commitment %q: after %q: held %v cannot be written", c.ID, pc.Commitment, pc.Held)
					}
					a.set("held", str(pc.Held.String()))
				}
				a.setStr("severity", string(pc.Severity))
				as = append(as, a)
			}
			if len(as) == 1 {
				m.set("after", as[0])
			} else {
				m.set("after", as)
			}
		}
		if c.Deadline != nil {
			if c.Deadline.Date.IsZero() && !c.Deadline.Within.Valid() {
				return nil, fmt.Errorf("commitment %q: deadline %v cannot be written", c.ID, c.Deadline.Within)
			}
			m.set("deadline", str(c.Deadline.String()))
		}
		m.set("verifier", str(c.Verifier))
		m.setStr("evidence", c.Evidence)
		if len(c.OnViolation) > 0 {
			var ks []any
			for _, k := range c.OnViolation {
				km := &omap{flow: true}
				km.set("trigger", str(k.Trigger))
				km.setStr("severity", string(k.Severity))
				km.setStr("party", k.Party)
				ks = append(ks, km)
			}
			m.set("on_violation", ks)
		}
		cs = append(cs, m)
	}
	t.set("commitments", cs)
	return t, nil
}
