// The single negotiating text (protocol single-text): the mediator drafts
// a text, brackets the alternatives still open, the parties respond point
// by point, and the mediator puts a text without brackets to the vote.
//
// party:    the current text with the response form, and the vote
// mediator: the status of every point with the parties' replies and the
//           call to vote; the draft editor (its text lives in the store as
//           draft: {text, dirty, version}, so the analysis's "Use as draft"
//           fills it)

import { h, guard, fmt, notice, reading, pointTitle, optionLabel, partyName, levels, KIND_OPTIONS, kindOf } from "../lib.js";
import { define } from "../component.js";
import { compile, utility } from "../profile.js";

const partyPanel = define("parley-single-text-party", {
  init: () => ({}),
  select: (s) => {
    const v = s.view;
    return { state: v.state, profile: v.profile, reservation: v.reservation, role: v.role, party: v.party };
  },
  render: (s, el) => {
    const view = s.view;
    const t = view.profile ? compile(view.framework, view.profile) : null;
    return partyText(view, el.local, view.role !== "party", t, el.room.move, () => el.update());
  },
});

const textStatusPanel = define("parley-single-text-status", {
  select: (s) => {
    const v = s.view;
    return { state: v.state, started: v.started, negotiators: v.negotiators, vetoes: v.decision.vetoes, names: v.parties };
  },
  render: (s, el) => textStatus(s.view, el.room.move),
});

const draftEditor = define("parley-draft-editor", {
  select: (s) => {
    const v = s.view, st = v.state || {};
    return { started: v.started, text: st.text, version: st.version, status: st.status, waiting: st.waiting, vote_open: st.vote_open, draft: s.draft || null };
  },
  render: (s, el) => {
    const v = s.view;
    if (v.started && v.state.status !== "negotiating") return null;
    return draftEditorOf(v, s.draft, el.room.store, el.room.move);
  },
});

export default { party: [partyPanel], mediator: [textStatusPanel, draftEditor] };


function partyText(view, ui, readonly, t, move, rerender) {
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


function pointStatus(view, i) {
  const st = view.state;
  const alts = st.text[i];
  if (st.provisional && st.provisional[i] >= 0) return "agreed";
  if (alts.length > 1) return "bracketed";
  const reps = (view.negotiators || []).map((p) => ((st.replies && st.replies[p]) || []).find((r) => r.point === i));
  if (reps.some((r) => r && r.stance !== "accept")) return "objected";
  if (reps.length && reps.every((r) => r && r.stance === "accept")) return "agreed";
  return "open";
}

function replyBadge(pt, alts, r, answered) {
  if (!r) return answered ? h("span", { class: "badge st-open", title: "Not answered: not accepted" }, "—") : h("span", { class: "muted", title: "Waiting for the reply" }, "…");
  if (r.stance === "accept") return h("span", { class: "badge stance-accept", title: "Accepts" }, alts.length > 1 ? `✓ ${optionLabel(pt, r.option || 0)}` : "✓");
  if (r.stance === "object") return h("span", { class: "badge stance-object", title: r.reason || "Objects" }, "✗ object");
  return h("span", { class: "badge stance-propose", title: r.reason || "" }, "→ ", optionLabel(pt, r.option));
}

function textStatus(view, move) {
  const st = view.state;
  if (!view.started) {
    return h("section", { id: "current-text", class: "card" }, h("h2", {}, "The single negotiating text"),
      h("p", { class: "muted" }, "Open the talks, then send the first draft from the editor below."));
  }
  if (!st.version) {
    return h("section", { id: "current-text", class: "card" }, h("h2", {}, "The single negotiating text"),
      h("p", { class: "muted", id: "no-draft" }, "No draft yet: compose one in the editor below, or start from a suggested package."));
  }
  const f = view.framework, parties = view.negotiators || [];
  const statuses = f.points.map((_, i) => pointStatus(view, i));
  const count = (s) => statuses.filter((x) => x === s).length;
  const brackets = count("bracketed");
  const waiting = st.waiting || [];
  const canVote = st.status === "negotiating" && !st.vote_open && !brackets && !waiting.length;
  const voteHint = st.status !== "negotiating" ? "The talks are over." : st.vote_open ? "The vote is open." : brackets ? "Remove the brackets first: only a text without brackets goes to the vote." : waiting.length ? `Wait for the replies of ${waiting.map((p) => partyName(view, p)).join(", ")}.` : "";
  const replies = st.replies || {};
  return h("section", { id: "current-text", class: "card", "data-version": String(st.version) },
    h("div", { class: "card-head" }, h("h2", {}, "The single negotiating text"), h("span", { class: "badge", id: "text-version" }, `Version ${st.version}`)),
    h("div", { class: "summary-row", id: "status-summary" },
      [["agreed", "agreed"], ["bracketed", "bracketed"], ["objected", "objected"], ["open", "open"]].map(([k, label]) => h("span", { class: ["badge", "st-" + k], "data-testid": `count-${k}` }, `${count(k)} ${label}`))),
    h("table", { class: "text-table status-table", id: "point-status" },
      h("thead", {}, h("tr", {}, h("th", { class: "col-point" }, "Point"), h("th", { class: "col-text" }, "Text"), h("th", { class: "col-status" }, "Status"), parties.map((p) => h("th", { class: "center" }, partyName(view, p))))),
      h("tbody", {}, f.points.map((pt, i) => h("tr", { "data-testid": `status-row-${i}` },
        h("td", { class: "point-cell" }, pointTitle(pt)),
        h("td", { class: "reading-cell" }, reading(pt, st.text[i])),
        h("td", {}, h("span", { class: ["badge", "st-" + statuses[i]], id: `point-status-${i}`, "data-status": statuses[i] }, statuses[i])),
        parties.map((p) => {
          const r = (replies[p] || []).find((x) => x.point === i);
          return h("td", { class: "center reply-cell", "data-testid": `reply-${p}-${i}` }, replyBadge(pt, st.text[i], r, !!replies[p]), r && r.reason ? h("div", { class: "reason-text" }, r.reason) : null);
        }))))),
    h("div", { class: "form-foot" },
      h("span", { class: "muted small", id: "call-vote-hint" }, voteHint),
      h("button", { id: "call-vote", class: "primary", disabled: !canVote, "data-testid": "call-vote", onclick: (e) => move({ kind: "call-vote" }, e.currentTarget, () => notice(`Version ${st.version} is put to the vote.`)) }, `Put version ${st.version} to the vote`)),
    st.vote_open || (st.votes && Object.keys(st.votes).length) ? h("div", { id: "votes", class: "subpanel" },
      h("h3", {}, st.vote_open ? "Vote in progress" : "Votes"),
      h("ul", { class: "vote-list" }, parties.map((p) => {
        const v = st.votes ? st.votes[p] : undefined;
        return h("li", { "data-testid": `vote-${p}` }, h("strong", {}, partyName(view, p)), ": ",
          v === undefined ? h("span", { class: "muted" }, "waiting") : h("span", { class: ["badge", v ? "st-agreed" : "st-objected"] }, v ? "yes" : "no"),
          (view.decision.vetoes || []).includes(p) ? h("span", { class: "muted small" }, " (veto)") : null);
      }))) : null);
}


function draftEditorOf(view, draft, store, move) {
  const f = view.framework, st = view.state;
  const current = st && st.text ? st.text : null;
  const version = st ? st.version : 0;
  const fromCurrent = () => (current ? current.map((a) => a.slice()) : f.points.map((pt) => Array.from({ length: Math.min(levels(pt), 50) }, (_, l) => l)));
  const d = !draft || (!draft.dirty && draft.version !== version) ? fromCurrent() : draft.text;
  const setDraft = (text, dirty) => store.set({ draft: { text, dirty, version } });
  const empty = d.findIndex((a) => a.length === 0);
  const changed = current ? d.filter((a, i) => a.join() !== current[i].join()).length : d.length;
  const brackets = d.filter((a) => a.length > 1).length;
  const waiting = st ? st.waiting || [] : [];
  const canSend = view.started && st.status === "negotiating" && !waiting.length && !st.vote_open && empty < 0;
  const hint = !view.started ? "Open the talks to send a draft." : st.status !== "negotiating" ? "The talks are over." : st.vote_open ? "A vote is open." : waiting.length ? `Waiting for replies from ${waiting.map((p) => partyName(view, p)).join(", ")}.` : empty >= 0 ? `${pointTitle(f.points[empty])} has no option ticked.` : "";
  const toggle = (i, l, on) => {
    const a = new Set(d[i]);
    if (on) a.add(l);
    else a.delete(l);
    setDraft(d.map((x, k) => (k === i ? [...a].sort((p, q) => p - q) : x.slice())), true);
  };
  return h("section", { id: "draft-editor", class: "card" },
    h("div", { class: "card-head" }, h("h2", {}, current ? `Draft version ${st.version + 1}` : "Draft the first version"),
      h("span", { class: "badge" }, `${brackets} bracketed`), current ? h("span", { class: "badge", id: "draft-changes" }, `${changed} points changed`) : null),
    h("p", { class: "help" }, "Tick the options that stay open on each point: one ticked option settles the point's wording; several put it in brackets for the parties to choose."),
    h("table", { class: "editor" }, h("tbody", {}, f.points.map((pt, i) => {
      const n = levels(pt);
      const isChanged = current && d[i].join() !== current[i].join();
      return h("tr", { class: [isChanged ? "changed" : "", d[i].length === 0 ? "invalid" : ""], "data-testid": `draft-row-${i}` },
        h("td", { class: "point-cell" }, pointTitle(pt), isChanged ? h("span", { class: "badge st-bracketed small" }, "changed") : null),
        h("td", { class: "chips" }, n > 50 ? h("span", { class: "muted" }, `${n} levels: `, d[i].join(", ")) : Array.from({ length: n }, (_, l) => h("label", { class: ["chip", d[i].includes(l) ? "on" : ""], title: kindOf(pt) === KIND_OPTIONS ? pt.options[l].clause || "" : "" },
          h("input", { type: "checkbox", id: `draft-${i}-${l}`, checked: d[i].includes(l), onchange: (e) => toggle(i, l, e.target.checked) }), " ", optionLabel(pt, l)))));
    }))),
    h("div", { class: "form-foot" },
      h("button", { type: "button", id: "draft-reset", onclick: () => setDraft(fromCurrent(), false) }, current ? "Back to the current text" : "Bracket every option"),
      h("span", { class: "muted small", id: "draft-hint" }, hint),
      h("button", { type: "button", id: "draft-send", class: "primary", disabled: !canSend, "data-testid": "send-draft", onclick: (e) => move({ kind: "draft", text: d.map((a) => a.slice()) }, e.currentTarget, () => {
        setDraft(d, false);
        notice("The draft was sent to the parties.");
      }) }, "Send draft")));
}

