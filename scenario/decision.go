package scenario

import (
	"slices"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/internal/posyaml"
)

// The decision section: the decision rule, quorum, vetoes, the agreement
// mode and the ratification steps (whose links to the implementation plan
// are checked once the plan is read).

var (
	decisionKeys = []string{"rule", "quorum", "vetoes", "agreement", "ratification"}
	rules        = []string{Unanimity, Quorum}
	agreements   = []string{WholePackage, Provisional}
	ratKinds     = []string{"parliament", "referendum", "signature", "other"}
)

// decision decodes the decision section.
func (d *decoder) decision(n ast.Node, dec *Decision, s *Scenario, parties map[string]ast.Node) {
	o, _ := d.Object(n, "decision", decisionKeys, nil)
	if !o.IsMapping() {
		return
	}
	if o.Has("rule") {
		if r, ok := d.OneOf(o.Value("rule"), "decision: rule", rules); ok {
			dec.Rule = r
		}
	}
	principals := 0
	for _, p := range s.Parties {
		if p.Role == Principal {
			principals++
		}
	}
	switch {
	case o.Has("quorum") && dec.Rule != Quorum:
		d.Errorf(o.Key("quorum"), "decision: quorum given but rule is %s (quorum is used only with rule: quorum)", dec.Rule)
	case o.Has("quorum"):
		if q, ok := d.Int(o.Value("quorum"), "decision: quorum"); ok {
			if q < 1 || q > int64(principals) {
				d.Errorf(d.Resolve(o.Value("quorum")), "decision: quorum %d out of range (expected 1..%d, the number of principals)", q, principals)
			} else {
				dec.Quorum = int(q)
			}
		}
	case dec.Rule == Quorum:
		d.Errorf(o.Key("rule"), "decision: rule is quorum but no quorum is given (expected quorum: N principals)")
	}
	if o.Has("vetoes") {
		items, _ := d.List(o.Value("vetoes"), "decision: vetoes")
		for _, item := range items {
			id, ok := d.partyRef(item, "decision: vetoes", parties)
			if !ok {
				continue
			}
			if slices.Contains(dec.Vetoes, id) {
				d.Errorf(d.Resolve(item), "decision: vetoes: party %q listed twice", id)
				continue
			}
			if p := s.Party(id); p != nil && p.Role != Principal {
				d.Errorf(d.Resolve(item), "decision: vetoes: %q is %s; a veto belongs to a principal (a party that negotiates and must agree)", id, p.Role.Article())
				continue
			}
			dec.Vetoes = append(dec.Vetoes, id)
		}
	}
	if o.Has("agreement") {
		if a, ok := d.OneOf(o.Value("agreement"), "decision: agreement", agreements); ok {
			dec.Agreement = a
		}
	}
	if o.Has("ratification") {
		d.ratification(o.Value("ratification"), dec, parties)
	}
}

// ratification decodes the ratification steps; the links of steps to the
// implementation plan are checked by stepCommitments once the plan is read.
func (d *decoder) ratification(n ast.Node, dec *Decision, parties map[string]ast.Node) {
	items, _ := d.List(n, "decision: ratification")
	ids := map[string]bool{}
	for _, item := range items {
		ro, _ := d.Object(item, "ratification step", []string{"id", "party", "body", "kind", "condition", "after", "commitment"}, []string{"party", "body", "kind"})
		if !ro.IsMapping() {
			continue
		}
		var st RatificationStep
		if ro.Has("id") {
			if id, ok := d.Str(ro.Value("id"), "ratification step: id"); ok && d.checkID(ro.Value("id"), "ratification step id", id) {
				if ids[id] {
					d.Errorf(d.Resolve(ro.Value("id")), "ratification step: id %q is used twice", id)
				}
				st.ID = id
			}
		}
		if ro.Has("party") {
			st.Party, _ = d.partyRef(ro.Value("party"), "ratification step: party", parties)
		}
		d.optStr(ro, "body", &st.Body)
		if ro.Has("kind") {
			st.Kind, _ = d.OneOf(ro.Value("kind"), "ratification step: kind", ratKinds)
		}
		d.optStr(ro, "condition", &st.Condition)
		if ro.Has("after") {
			after := []string{}
			list, _ := d.List(ro.Value("after"), "ratification step: after")
			for _, a := range list {
				id, ok := d.Name(a, "ratification step: after")
				if !ok {
					continue
				}
				if !ids[id] {
					var earlier []string
					for _, e := range dec.Ratification {
						if e.ID != "" {
							earlier = append(earlier, e.ID)
						}
					}
					d.Errorf(d.Resolve(a), "ratification step: after: %q is not the id of an earlier step (earlier steps with ids: %s)", id, posyaml.ListNames(earlier))
					continue
				}
				if slices.Contains(after, id) {
					d.Errorf(d.Resolve(a), "ratification step: after: %q listed twice", id)
					continue
				}
				after = append(after, id)
			}
			st.After = &after
		}
		if ro.Has("commitment") {
			if c, ok := d.Name(ro.Value("commitment"), "ratification step: commitment"); ok {
				st.Commitment = c
				d.stepRefs = append(d.stepRefs, stepRef{step: len(dec.Ratification), node: ro.Value("commitment")})
			}
		}
		if st.ID != "" {
			ids[st.ID] = true
		}
		dec.Ratification = append(dec.Ratification, st)
	}
}

// stepRef is a ratification step's reference to a commitment of the plan.
type stepRef struct {
	step int
	node ast.Node
}

// stepCommitments checks the ratification steps' commitments against the
// plan (read after the decision).
func (d *decoder) stepCommitments(s *Scenario) {
	for _, r := range d.stepRefs {
		st := s.Decision.Ratification[r.step]
		if s.Plan == nil {
			d.Errorf(d.Resolve(r.node), "ratification step: commitment %q, but the scenario has no implementation section", st.Commitment)
			continue
		}
		if s.Plan.Commitment(st.Commitment) == nil {
			var ids []string
			for _, c := range s.Plan.Commitments {
				ids = append(ids, c.ID)
			}
			d.Errorf(d.Resolve(r.node), "ratification step: commitment: the plan has no commitment %q (commitments: %s)%s", st.Commitment, posyaml.ListNames(ids), posyaml.Suggest(st.Commitment, ids))
			continue
		}
		if err := s.checkStepCommitment(st); err != nil {
			d.Errorf(d.Resolve(r.node), "ratification step: %v", err)
		}
	}
}
