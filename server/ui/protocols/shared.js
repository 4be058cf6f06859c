// What the protocols' panels share: the frame of a party's panel (the
// package on the table, the protocol's own controls, the end of the talks)
// and the mediator's panel of the protocols where the parties move
// themselves or the mediator proposes packages — which one, the
// protocol's facts say (a "propose" move by the mediator).

import { h, fmt, notice, packagePicker, pointTitle, optionLabel, partyName } from "../lib.js";
import { define } from "../component.js";
import { compile, bestPackage, bestAllowedPackage, utility, crossedRedLine } from "../profile.js";
import { hasMove, headingOf } from "../protocols.js";

// showPkg reads a package point by point.
export function showPkg(f, pkg) {
  return h("ol", { class: "pkg-reading" }, f.points.map((pt, i) => h("li", {}, h("span", { class: "muted" }, pointTitle(pt) + ": "), optionLabel(pt, pkg[i]))));
}

// tableWord names what is on the table: a proposal when the mediator
// proposes packages, an offer when the parties do.
export function tableWord(facts) {
  return hasMove(facts, "propose") ? "proposal" : "offer";
}

// partyPanel defines a party's panel for a protocol: body(ctx) returns the
// protocol's controls, with ctx = {view, state, facts, local, me, open,
// myTurn, waitingMe, move, update, offerForm}; select(view) adds what else
// the panel shows (beyond the session's state).
export function partyPanel(tag, body, select) {
  return define(tag, {
    init: () => ({}),
    select: (s) => {
      const v = s.view;
      return { state: v.state, role: v.role, party: v.party, profile: !!v.profile, facts: s.protocol, extra: select ? select(v) : null };
    },
    render: (s, el) => {
      const view = s.view, st = view.state, f = view.framework, me = view.party, facts = s.protocol, local = el.local;
      const readonly = view.role !== "party";
      const t = view.profile ? compile(f, view.profile) : null;
      // The form starts on the party's best package within its own red lines.
      local.offer = local.offer || (t ? bestAllowedPackage(t, view.profile) || bestPackage(t) : f.points.map(() => 0));
      const move = el.room.move;
      const cur = st.current;
      const ctx = {
        view, state: st, facts, local, me, move,
        open: st.status === "negotiating" && !readonly,
        myTurn: st.turn === me,
        waitingMe: (st.waiting || []).includes(me),
        update: () => el.update(),
        offerForm: (label) => h("form", { id: "offer-form", onsubmit: (e) => {
          e.preventDefault();
          move({ kind: "offer", package: local.offer.slice() }, e.submitter, () => notice("Your offer is on the table."));
        } }, h("h3", {}, label), packagePicker(f, local.offer, { idPrefix: "offer", onChange: () => {
          const r = document.getElementById("offer-rating");
          if (r) r.replaceWith(offerRating(view, t, local.offer));
        } }), offerRating(view, t, local.offer), h("div", { class: "form-foot" }, h("button", { type: "submit", id: "offer-submit", class: "primary" }, "Make this offer"))),
      };
      const items = [];
      if (cur) items.push(h("div", { id: "current-offer" }, h("h3", {}, `On the table: ${tableWord(facts)} by ${partyName(view, cur.by)} (round ${cur.round})`), showPkg(f, cur.package)));
      const own = body(ctx);
      if (own) items.push(own);
      if (ctx.open) items.push(h("div", { class: "form-foot end-row" }, h("button", { id: "end-talks", class: "danger subtle", onclick: (e) => {
        if (confirm("End the talks without agreement? This cannot be undone.")) move({ kind: "end" }, e.currentTarget);
      } }, "End the talks")));
      return h("section", { id: "protocol-panel", class: "card", "data-protocol": facts.name },
        h("h2", {}, `Protocol: ${headingOf(facts)}`),
        items.length ? items.flat() : h("p", { class: "muted" }, "Nothing to do right now."));
    },
  });
}

// offerRating rates the package being composed under the party's own
// profile (t compiled from it; null: no profile, no rating), in the
// browser as it changes: its worth as a share of the party's best, and
// whether it is below the party's reservation or crosses its red line.
// The server's /evaluate remains the authority.
export function offerRating(view, t, pkg) {
  if (!t) return h("span", { id: "offer-rating", hidden: true });
  const u = utility(t, pkg);
  const share = t.max > 0 ? u / t.max : 0;
  const rl = crossedRedLine(view.profile, pkg);
  const below = t.hasReservation && u < t.reservation;
  return h("p", { id: "offer-rating", class: ["offer-rating", rl >= 0 || below ? "bad" : ""], role: "status", "data-share": String(share), "data-redline": String(rl),
    title: `utility ${fmt.num(u, 4)} of a best possible ${fmt.num(t.max, 4)}${t.hasReservation ? `; reservation ${fmt.num(t.reservation, 4)}` : ""}` },
    `This offer is worth ${fmt.pct(share)} of your best to you.`,
    rl >= 0 ? " It crosses your own red line" + (view.profile.red_lines[rl].reason ? ` (${view.profile.red_lines[rl].reason})` : "") + "." : "",
    below ? ` It is below your reservation (${fmt.pct(t.max > 0 ? t.reservation / t.max : 0)}).` : "");
}

// waitingFor says whom the session waits for.
export function waitingFor(view, ids) {
  return h("p", { class: "muted" }, `Waiting for ${(ids || []).map((p) => partyName(view, p)).join(", ")}.`);
}

// mediatorPanel is the mediator's panel of a protocol without a single
// text: the package on the table, the standing proposal, and the form that
// proposes a package when the mediator proposes under the protocol.
export const mediatorPanel = define("parley-protocol-mediator", {
  init: () => ({}),
  select: (s) => ({ state: s.view.state, started: s.view.started, facts: s.protocol, proposal: s.proposal || null }),
  render: (s, el) => {
    const view = s.view, st = view.state, f = view.framework, facts = s.protocol, local = el.local, move = el.room.move;
    // A package the analysis handed over ("Use as proposal") fills the form once.
    if (s.proposal && s.proposal !== local.adopted) {
      local.adopted = s.proposal;
      local.proposal = s.proposal.package.slice();
    }
    const items = [];
    if (!view.started) items.push(h("p", { class: "muted" }, "Open the talks to begin."));
    if (st && st.current) items.push(h("div", { id: "current-offer" }, h("h3", {}, `On the table: by ${partyName(view, st.current.by)} (round ${st.current.round})`), showPkg(f, st.current.package)));
    if (st && st.standing) items.push(h("div", { id: "standing" }, h("h3", {}, "Standing (last adopted) proposal"), showPkg(f, st.standing.package)));
    if (st && hasMove(facts, "propose", "mediator") && st.status === "negotiating") {
      local.proposal = local.proposal || (st.current ? st.current.package.slice() : f.points.map(() => 0));
      const free = !(st.waiting || []).length;
      items.push(h("form", { id: "propose-form", onsubmit: (e) => { e.preventDefault(); move({ kind: "propose", package: local.proposal.slice() }, e.submitter, () => notice("The proposal was sent.")); } },
        h("h3", {}, "Propose a package"), packagePicker(f, local.proposal, { idPrefix: "propose" }),
        h("div", { class: "form-foot" }, h("span", { class: "muted small" }, free ? "" : `Waiting for ${(st.waiting || []).map((p) => partyName(view, p)).join(", ")}.`),
          h("button", { type: "submit", id: "propose-submit", class: "primary", disabled: !free }, "Propose"))));
    } else if (view.started) {
      items.push(h("p", { class: "muted" }, "Under this protocol the parties move themselves; you follow the talks, relay messages and may end them."));
    }
    return h("section", { id: "current-text", class: "card", "data-protocol": facts.name }, h("h2", {}, `Protocol: ${headingOf(facts)}`), items);
  },
});
