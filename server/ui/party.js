// The party screen (and, read-only, the observer's): the framework, the
// party's own profile and its elicitation, the evaluation tool, the single
// text with the response form, the vote, messages, ratification and the
// party's utility over time. Other protocols get their offer/accept/bid
// forms.

import { h, api, guard, fmt, notice, reading, packagePicker, pointTitle, optionLabel, partyName, statusOf, KIND_OPTIONS, kindOf } from "./lib.js";
import { roomHeader, statusBanner, versionsSection, messagesList, messageComposer, decisionSection, ratificationSection, agreementSection, frameworkSection, utilityChart, submitMove } from "./common.js";
import { elicitation, profileSummary } from "./elicit.js";
import { compile, utility, bestPackage } from "./profile.js";
import { implementationCard } from "./compliance.js";
import { seatNotice, delegationCard } from "./seats.js";

export function renderParty(st, rerender, refresh) {
  const view = st.view, ui = st.ui;
  const readonly = view.role !== "party";
  const me = view.party;
  const prof = view.profile;
  const t = prof ? compile(view.framework, prof) : null;
  const status = statusOf(view);
  const move = async (m, btn, after) => {
    const r = await submitMove(view, m, btn);
    if (r) {
      if (after) after();
      await refresh();
    }
    return r;
  };

  const main = [];
  const side = [];

  const agreed = view.started && view.state && view.state.agreement;
  const onRatify = readonly || status !== "pending-ratification" ? null : (ref, yes, btn) => move({ kind: "ratify", ref, yes }, btn);
  if (agreed) {
    // After the agreement: the way to its implementation, ratification,
    // then the agreed text.
    main.push(implementationCard(view));
    main.push(ratificationSection(view, onRatify));
    main.push(agreementSection(view));
  }
  if (!view.started) {
    if (prof && !readonly) main.push(elicitation(st, rerender, refresh));
    else if (prof) main.push(profileSummary(view, `Profile of ${partyName(view, me)}`));
    else main.push(h("section", { class: "card" }, h("p", {}, "The talks have not started yet.")));
  } else {
    const proto = view.settings.protocol;
    if (proto === "single-text") main.push(singleTextPanel(view, ui, readonly, t, move, rerender));
    else main.push(protocolPanel(view, ui, readonly, move, rerender));
  }
  if (prof) main.push(evaluateTool(view, ui, t, rerender));
  if (view.settings.protocol === "single-text") main.push(versionsSection(view));
  main.push(frameworkSection(view, ui));

  side.push(h("section", { class: "card seat", id: "seat" },
    h("h2", {}, readonly ? "Observer" : "Your seat"),
    h("p", { class: "seat-name", id: "seat-party" }, partyName(view, me)),
    readonly ? h("p", { class: "muted small" }, "You watch this seat: you see what it sees, and make no moves.") : null,
    readonly ? null : seatNotice(view),
    h("p", { class: "muted small" }, `Mediator: ${view.mediator ? partyName(view, view.mediator) : "none"} · Parties at the table: ${(view.negotiators || view.parties.filter((p) => p.role === "principal").map((p) => p.id)).map((p) => partyName(view, p)).join(", ")}`)));
  if (prof && view.started) side.push(utilityChart(view, t.max));
  if (!agreed) side.push(ratificationSection(view, null));
  if (view.started) {
    ui.msg = ui.msg || {};
    ui.msg.rerender = rerender;
    side.push(h("section", { id: "messages", class: "card" }, h("h2", {}, "Messages"),
      readonly ? null : messageComposer(view, ui.msg, (m, done, btn) => move(m, btn, done)),
      messagesList(view)));
  }
  if (prof && view.started) side.push(profileSummary(view));
  if (!readonly) side.push(delegationCard(st, rerender));
  side.push(decisionSection(view));

  return h("div", { class: "room party-room", id: "party-room", "data-party": me, "data-status": status },
    roomHeader(st, readonly ? `Observer of ${partyName(view, me)}` : `Delegation of ${partyName(view, me)}`),
    statusBanner(view),
    h("div", { class: "columns" }, h("div", { class: "col-main" }, main), h("aside", { class: "col-side" }, side)));
}

// ---------------------------------------------------------------- single text

function singleTextPanel(view, ui, readonly, t, move, rerender) {
  const st = view.state, f = view.framework, me = view.party;
  if (!st.version) {
    return h("section", { id: "current-text", class: "card" }, h("h2", {}, "The single negotiating text"),
      h("p", { class: "muted", id: "no-draft" }, "Waiting for the mediator's first draft."));
  }
  const waitingMe = (st.waiting || []).includes(me) && st.status === "negotiating";
  const myReply = st.replies && st.replies[me];
  const responding = !readonly && waitingMe && !st.vote_open;
  if (!ui.resp || ui.resp.version !== st.version) {
    ui.resp = {
      version: st.version,
      rows: st.text.map((alts, i) => {
        // Accept the alternative worth most to the party by default.
        let pick = alts[0];
        if (t && alts.length > 1) pick = alts.reduce((b, l) => (t.contrib[i][l] > t.contrib[i][b] ? l : b), alts[0]);
        const others = [];
        for (let l = 0; l < (kindOf(f.points[i]) === KIND_OPTIONS ? f.points[i].options.length : 0); l++) if (!alts.includes(l)) others.push(l);
        return { stance: "accept", option: pick, propose: others.length ? others[0] : null, reason: "" };
      }),
    };
  }
  const rows = ui.resp.rows;
  const replyOf = (i) => (myReply || []).find((r) => r.point === i);
  const textPkg = st.text.map((a) => (a.length === 1 ? a[0] : -1));
  const head = h("tr", {}, h("th", { class: "col-point" }, "Point"), h("th", { class: "col-text" }, `Text, version ${st.version}`),
    t ? h("th", { class: "num col-worth", title: "What the settled reading is worth to you" }, "Worth to you") : null,
    responding ? h("th", { class: "col-resp" }, "Your response") : myReply ? h("th", { class: "col-replied" }, "You replied") : null);
  const body = f.points.map((pt, i) => {
    const alts = st.text[i];
    let cell = null;
    if (responding) cell = h("td", { class: "respond-cell" }, responseControls(pt, i, alts, rows[i], rerender));
    else if (myReply) {
      const r = replyOf(i);
      cell = h("td", {}, r ? h("span", { class: ["badge", "stance-" + r.stance] }, r.stance === "propose" ? `propose: ${optionLabel(pt, r.option)}` : r.stance === "accept" && alts.length > 1 ? `accept: ${optionLabel(pt, r.option)}` : r.stance) : h("span", { class: "muted" }, "no answer"),
        r && r.reason ? h("div", { class: "muted small" }, r.reason) : null);
    }
    return h("tr", { "data-testid": `text-point-${i}`, class: alts.length > 1 ? "row-bracketed" : "" },
      h("td", { class: "point-cell" }, pointTitle(pt)),
      h("td", { class: "reading-cell" }, reading(pt, alts)),
      t ? h("td", { class: "num" }, alts.length === 1 ? fmt.num(t.contrib[i][alts[0]], 3) : "–") : null,
      cell);
  });
  const u = t ? utility(t, textPkg) : null;
  const brackets = st.text.filter((a) => a.length > 1).length;
  return h("section", { id: "current-text", class: "card", "data-version": String(st.version) },
    h("div", { class: "card-head" }, h("h2", {}, "The single negotiating text"),
      h("span", { class: "badge", id: "text-version" }, `Version ${st.version}`),
      brackets ? h("span", { class: "badge st-bracketed" }, `${brackets} bracketed`) : h("span", { class: "badge st-agreed" }, "no brackets")),
    t ? h("p", { class: "muted small" }, `The settled points are worth ${fmt.num(u, 3)} to you${view.reservation !== undefined ? ` (your reservation: ${fmt.num(view.reservation, 3)})` : ""}.`) : null,
    votePanel(view, readonly, move),
    !responding && myReply && !st.vote_open && st.status === "negotiating" ? h("p", { class: "note", id: "response-sent" }, `Your response to version ${st.version} is with the mediator. The next draft or the vote will appear here.`) : null,
    responding ? h("p", { class: "help" }, "Answer every point: accept it (for a bracketed point, the alternative you accept), object with a reason, or propose another option. Unanswered points count as not accepted.") : null,
    h("form", { id: "response-form", class: responding ? "responding" : "", onsubmit: (e) => {
      e.preventDefault();
      const responses = rows.map((r, i) => {
        const out = { point: i, stance: r.stance };
        if (r.stance === "accept") out.option = st.text[i].length === 1 ? st.text[i][0] : r.option;
        if (r.stance === "propose") out.option = r.propose;
        if ((r.stance === "object" || r.stance === "propose") && r.reason.trim()) out.reason = r.reason.trim();
        return out;
      });
      const bad = responses.find((r) => r.stance === "propose" && (r.option === null || r.option === undefined));
      if (bad) {
        guard(async () => {
          throw new Error(`${pointTitle(f.points[bad.point])}: every option is already in the text; accept or object instead.`);
        });
        return;
      }
      move({ kind: "respond", responses }, e.submitter, () => notice(`Your response to version ${st.version} was sent.`));
    } },
      h("table", { class: "text-table" }, h("thead", {}, head), h("tbody", {}, body)),
      responding ? h("div", { class: "form-foot" },
        h("button", { type: "button", id: "resp-accept-all", onclick: () => {
          rows.forEach((r) => (r.stance = "accept"));
          rerender();
        } }, "Accept every point"),
        h("button", { type: "submit", id: "resp-submit", class: "primary", "data-testid": "send-response" }, `Send my response to version ${st.version}`)) : null),
);
}

function responseControls(pt, i, alts, row, rerender) {
  const name = `resp-${i}`;
  const radio = (stance, label, disabled) => h("label", { class: ["radio", "stance-choice", row.stance === stance ? "on" : ""] },
    h("input", { type: "radio", name, id: `resp-${i}-${stance}`, value: stance, checked: row.stance === stance, disabled,
      onchange: () => {
        row.stance = stance;
        rerender();
      } }), " ", label);
  const others = [];
  if (kindOf(pt) === KIND_OPTIONS) pt.options.forEach((o, l) => !alts.includes(l) && others.push(l));
  return h("div", { class: "respond" },
    h("div", { class: "stances" }, radio("accept", "Accept"), radio("object", "Object"), radio("propose", "Propose", others.length === 0)),
    row.stance === "accept" && alts.length > 1 ? h("select", { id: `resp-${i}-option`, "aria-label": "Alternative you accept", onchange: (e) => (row.option = Number(e.target.value)) },
      alts.map((l) => h("option", { value: String(l), selected: row.option === l }, optionLabel(pt, l)))) : null,
    row.stance === "propose" ? h("select", { id: `resp-${i}-propose-option`, "aria-label": "Option you propose", onchange: (e) => (row.propose = Number(e.target.value)) },
      others.map((l) => h("option", { value: String(l), selected: row.propose === l }, optionLabel(pt, l)))) : null,
    row.stance !== "accept" ? h("input", { type: "text", id: `resp-${i}-reason`, class: "reason", value: row.reason, maxlength: 2000, placeholder: row.stance === "object" ? "Why? (the mediator sees it)" : "Reason (optional)", oninput: (e) => (row.reason = e.target.value) }) : null);
}

function votePanel(view, readonly, move) {
  const st = view.state, me = view.party;
  if (!st.vote_open && !(st.votes && me in st.votes)) return null;
  const waitingMe = (st.waiting || []).includes(me);
  const mine = st.votes ? st.votes[me] : undefined;
  return h("div", { id: "vote-panel", class: "vote-panel" },
    h("h3", {}, st.vote_open ? `Version ${st.version} is put to the vote` : "The vote"),
    h("p", {}, "A vote is on the whole text: yes accepts it as it stands."),
    st.vote_open && waitingMe && !readonly
      ? h("div", { class: "vote-buttons" },
        h("button", { id: "vote-yes", class: "primary", "data-testid": "vote-yes", onclick: (e) => move({ kind: "vote", yes: true }, e.currentTarget, () => notice("Your vote was recorded.")) }, "Vote yes"),
        h("button", { id: "vote-no", class: "danger", onclick: (e) => move({ kind: "vote", yes: false }, e.currentTarget, () => notice("Your vote was recorded.")) }, "Vote no"))
      : mine !== undefined ? h("p", { id: "my-vote", "data-vote": mine ? "yes" : "no" }, "You voted ", h("strong", {}, mine ? "yes" : "no"), ".") : h("p", { class: "muted" }, "Waiting for the vote."));
}

// ---------------------------------------------------------------- other protocols

function protocolPanel(view, ui, readonly, move, rerender) {
  const st = view.state, f = view.framework, me = view.party, proto = view.settings.protocol;
  ui.offer = ui.offer || (view.profile ? bestPackage(compile(f, view.profile)) : f.points.map(() => 0));
  const cur = st.current;
  const items = [];
  const showPkg = (pkg) => h("ol", { class: "pkg-reading" }, f.points.map((pt, i) => h("li", {}, h("span", { class: "muted" }, pointTitle(pt) + ": "), optionLabel(pt, pkg[i]))));
  if (cur) items.push(h("div", { id: "current-offer" }, h("h3", {}, `On the table: ${proto === "vote" || proto === "feedback" ? "proposal" : "offer"} by ${partyName(view, cur.by)} (round ${cur.round})`), showPkg(cur.package)));
  const open = st.status === "negotiating" && !readonly;
  const myTurn = st.turn === me;
  const waitingMe = (st.waiting || []).includes(me);
  const offerForm = (label) => h("form", { id: "offer-form", onsubmit: (e) => {
    e.preventDefault();
    move({ kind: "offer", package: ui.offer.slice() }, e.submitter, () => notice("Your offer is on the table."));
  } }, h("h3", {}, label), packagePicker(f, ui.offer, { idPrefix: "offer" }), h("div", { class: "form-foot" }, h("button", { type: "submit", id: "offer-submit", class: "primary" }, "Make this offer")));
  if (proto === "sao" && open) {
    if (myTurn) {
      if (cur && cur.by !== me) items.push(h("div", { class: "form-foot" }, h("button", { id: "accept-offer", class: "primary", onclick: (e) => move({ kind: "accept" }, e.currentTarget) }, "Accept the offer on the table")));
      items.push(offerForm(cur ? "Or make a counter-offer" : "Make the first offer"));
    } else items.push(h("p", { class: "muted" }, `Waiting for ${partyName(view, st.turn)}.`));
  }
  if (proto === "amop" && open) {
    if ((st.table || []).length) items.push(h("div", { id: "amop-table" }, h("h3", {}, "Offers of this round"), (st.table || []).map((o, k) => h("div", { class: "subpanel" }, h("strong", {}, `${k + 1}. by ${partyName(view, o.by)}`), showPkg(o.package)))));
    if (!st.vote_on && myTurn) items.push(offerForm("Your offer for this round"));
    else if (st.vote_on && myTurn) items.push(h("div", { class: "vote-buttons", id: "vote-panel" }, h("p", {}, `Vote on offer ${st.vote_on}:`),
      h("button", { id: "vote-yes", class: "primary", onclick: (e) => move({ kind: "vote", yes: true, ref: st.vote_on }, e.currentTarget) }, "Yes"),
      h("button", { id: "vote-no", class: "danger", onclick: (e) => move({ kind: "vote", yes: false, ref: st.vote_on }, e.currentTarget) }, "No")));
    else items.push(h("p", { class: "muted" }, `Waiting for ${partyName(view, st.turn)}.`));
  }
  if ((proto === "vote" || proto === "feedback") && open && cur && waitingMe) {
    if (proto === "vote") items.push(h("div", { class: "vote-buttons", id: "vote-panel" },
      h("button", { id: "vote-yes", class: "primary", onclick: (e) => move({ kind: "vote", yes: true }, e.currentTarget) }, "Vote yes"),
      h("button", { id: "vote-no", class: "danger", onclick: (e) => move({ kind: "vote", yes: false }, e.currentTarget) }, "Vote no")));
    else items.push(h("div", { class: "vote-buttons", id: "feedback-panel" }, h("p", {}, "Compared with the previous proposal, this one is:"),
      ["better", "same", "worse"].map((fb) => h("button", { id: `feedback-${fb}`, onclick: (e) => move({ kind: "feedback", feedback: fb }, e.currentTarget) }, fb))));
  }
  if (proto === "blind" && open) {
    ui.bid = ui.bid || [];
    if (waitingMe) {
      items.push(h("div", { id: "bid-form" }, h("h3", {}, "Your secret bid"),
        h("p", { class: "help" }, "List the packages you would accept. Nobody — not even the mediator — sees your bid; only the overlap of all bids is revealed."),
        packagePicker(f, ui.offer, { idPrefix: "bid-pick" }),
        h("div", { class: "form-foot" }, h("button", { type: "button", id: "bid-add", onclick: () => {
          const k = JSON.stringify(ui.offer);
          if (!ui.bid.some((p) => JSON.stringify(p) === k)) ui.bid.push(ui.offer.slice());
          rerender();
        } }, "Add this package to my bid")),
        h("ol", { id: "bid-list" }, ui.bid.map((p, k) => h("li", {}, p.map((l, i) => optionLabel(f.points[i], l)).join(" · "), " ",
          h("button", { type: "button", class: "link-button", onclick: () => { ui.bid.splice(k, 1); rerender(); } }, "remove")))),
        h("button", { id: "bid-submit", class: "primary", disabled: !ui.bid.length, onclick: (e) => move({ kind: "bid", packages: ui.bid.slice() }, e.currentTarget, () => (ui.bid = [])) }, `Submit my bid (${ui.bid.length} packages)`)));
    } else if ((st.my_bids || []).length) items.push(h("p", { id: "bid-sent" }, `Your bid of ${st.my_bids.length} packages is in; waiting for the others.`));
    const overlaps = (view.events || []).filter((e) => e.kind === "overlap" && e.note);
    if (overlaps.length) items.push(h("div", { id: "overlaps" }, h("h3", {}, "Revealed overlaps"), overlaps.map((e) => h("p", {}, `Round ${e.round}: ${e.note.count || 0} packages in common.`))));
  }
  if (open) items.push(h("div", { class: "form-foot end-row" }, h("button", { id: "end-talks", class: "danger subtle", onclick: (e) => {
    if (confirm("End the talks without agreement? This cannot be undone.")) move({ kind: "end" }, e.currentTarget);
  } }, "End the talks")));
  return h("section", { id: "protocol-panel", class: "card" }, h("h2", {}, `Protocol: ${proto}`), items.length ? items : h("p", { class: "muted" }, "Nothing to do right now."));
}

// ---------------------------------------------------------------- evaluate

function evaluateTool(view, ui, t, rerender) {
  const f = view.framework, st = view.state;
  const fromText = () => {
    if (st && st.agreement) return st.agreement.slice();
    if (st && st.text) return st.text.map((a) => a[0]);
    if (st && st.current) return st.current.package.slice();
    return bestPackage(t);
  };
  if (!ui.evalPkg) ui.evalPkg = fromText();
  const res = ui.evalResult;
  const evaluate = (btn) => guard(async () => {
    ui.evalResult = await api("POST", `/api/negotiations/${view.id}/evaluate`, { package: ui.evalPkg.slice() });
    ui.evalFor = JSON.stringify(ui.evalPkg);
    rerender();
  }, btn);
  let result = null;
  if (res) {
    const rl = res.red_line >= 0 ? (view.profile.red_lines || [])[res.red_line] : null;
    const stale = ui.evalFor !== JSON.stringify(ui.evalPkg);
    result = h("div", { id: "eval-result", class: ["eval-result", res.acceptable ? "ok" : "bad", stale ? "stale" : ""], "data-acceptable": String(res.acceptable) },
      h("div", { class: "eval-figures" },
        h("div", {}, h("span", { class: "figure-label" }, "Utility"), h("span", { class: "figure-value", id: "eval-utility" }, fmt.num(res.utility, 3))),
        h("div", {}, h("span", { class: "figure-label" }, "Best possible"), h("span", { class: "figure-value" }, fmt.num(res.max, 3))),
        h("div", {}, h("span", { class: "figure-label" }, "Reservation"), h("span", { class: "figure-value" }, res.reservation !== undefined ? fmt.num(res.reservation, 3) : "none")),
        h("div", {}, h("span", { class: "figure-label" }, "Verdict"), h("span", { class: ["badge", res.acceptable ? "st-agreed" : "st-objected"], id: "eval-verdict" }, res.acceptable ? "Acceptable" : "Not acceptable"))),
      h("div", { class: "meter" }, h("span", { class: "meter-fill", style: `width:${res.max > 0 ? Math.min(100, (res.utility / res.max) * 100).toFixed(1) : 0}%` }),
        res.reservation !== undefined && res.max > 0 ? h("span", { class: "meter-mark", style: `left:${Math.min(100, (res.reservation / res.max) * 100).toFixed(1)}%`, title: "reservation" }) : null),
      !res.complete ? h("p", { class: "small" }, "The package leaves some points open; open points count 0.") : null,
      rl ? h("p", { class: "redline-hit", id: "eval-redline" }, "Crosses your red line: ", rl.terms.map((tm) => `${pointTitle(f.points[tm.point])}: ${tm.levels.map((l) => optionLabel(f.points[tm.point], l)).join(" or ")}`).join(" + "), rl.reason ? ` — ${rl.reason}` : "") : null,
      stale ? h("p", { class: "muted small" }, "You changed the package since; evaluate again.") : null);
  }
  ui.evalOpen = ui.evalOpen ?? !view.started;
  return h("section", { id: "evaluate", class: "card" },
    h("details", { open: ui.evalOpen, ontoggle: (e) => (ui.evalOpen = e.currentTarget.open) },
      h("summary", {}, h("h2", { class: "inline" }, "Evaluate a package")),
      h("p", { class: "help" }, "Pick an option on every point to see what the package is worth to you under your profile (as saved)."),
      packagePicker(f, ui.evalPkg, { idPrefix: "eval", allowOpen: true, onChange: () => {
        const r = document.getElementById("eval-result");
        if (r) r.classList.toggle("stale", ui.evalFor !== JSON.stringify(ui.evalPkg));
      } }),
      h("div", { class: "form-foot" },
        h("button", { type: "button", id: "eval-from-text", onclick: () => { ui.evalPkg = fromText(); rerender(); } }, st && st.agreement ? "Load the agreement" : st && st.text ? "Load the current text" : "Load my best package"),
        h("button", { type: "button", id: "eval-submit", class: "primary", onclick: (e) => evaluate(e.currentTarget) }, "Evaluate")),
      result));
}
