// The single negotiating text (protocol single-text): the mediator drafts
// a text, brackets the alternatives still open, the parties respond point
// by point, and the mediator puts a text without brackets to the vote.
//
// party:    the current text with the response form, and the vote
// mediator: the status of every point with the parties' replies and the
//           call to vote; the draft editor (its text lives in the store as
//           draft: {text, dirty, version}, so the analysis's "Use as draft"
//           fills it)

import { h, fmt, notice, reading, pointTitle, optionLabel, partyName, levels, KIND_OPTIONS, kindOf } from "../lib.js";
import { define } from "../component.js";
import { compile, utility } from "../profile.js";
import { drafts, markDirty } from "../common.js";

const partyPanel = define("parley-single-text-party", {
  init: () => ({}),
  select: (s) => {
    const v = s.view;
    return { state: v.state, profile: v.profile, reservation: v.reservation, role: v.role, party: v.party, history: textHistory(v), results: voteResults(v) };
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
    return { state: v.state, started: v.started, negotiators: v.negotiators, vetoes: v.decision.vetoes, names: v.parties, results: voteResults(v) };
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


// textHistory is what the party screen needs of the earlier versions: the
// previous version's text, and the viewer's own last response to an
// earlier version (from the log: a party sees its own responses).
function textHistory(view) {
  const st = view.state || {};
  if (!st.version) return null;
  const ds = drafts(view);
  const prev = st.version > 1 && ds[st.version - 2] ? ds[st.version - 2].text : null;
  let last = null;
  for (const e of view.events || []) {
    if (e.kind !== "respond" || e.party !== view.party || !e.move) continue;
    const version = ds.filter((d) => d.seq < e.seq).length;
    if (version > 0 && version < st.version) last = { version, responses: e.move.responses || [] };
  }
  return { prev, last };
}

const sameAlts = (a, b) => !!a && !!b && a.length === b.length && a.every((x, i) => x === b[i]);

// startRows sets up the response form of a new version: nothing is
// answered on the party's behalf. A point whose wording did not change
// since the version the party last answered carries that answer over
// (shown as carried over, with its reason); every other point starts
// blank, with the earlier answer shown for reference.
function startRows(st, hist) {
  const prevText = hist && hist.last && hist.prev && hist.last.version === st.version - 1 ? hist.prev : null;
  return st.text.map((alts, i) => {
    const before = hist && hist.last ? hist.last.responses.find((r) => r.point === i) : null;
    const row = { stance: null, option: null, propose: null, reason: "", carried: false, before: before ? { ...before, version: hist.last.version } : null };
    if (!before || !prevText || !sameAlts(prevText[i], alts)) return row;
    if (before.stance === "accept" && alts.length > 1 && !alts.includes(before.option)) return row;
    if (before.stance === "propose" && alts.includes(before.option)) return row;
    row.stance = before.stance;
    row.option = before.stance === "accept" ? (alts.length > 1 ? before.option : alts[0]) : null;
    row.propose = before.stance === "propose" ? before.option : null;
    row.reason = before.reason || "";
    row.carried = true;
    return row;
  });
}

// stanceText says a response to one point in words.
function stanceText(pt, alts, r) {
  if (r.stance === "propose") return `proposed ${optionLabel(pt, r.option)}`;
  if (r.stance === "object") return "objected";
  return alts && alts.length > 1 ? `accepted ${optionLabel(pt, r.option)}` : "accepted";
}

// rowProblem says what a row still lacks before it can be sent ("" when
// complete or unanswered).
function rowProblem(pt, alts, row) {
  if (row.stance === "accept" && alts.length > 1 && !alts.includes(row.option)) return "choose the alternative you accept";
  if (row.stance === "propose" && (row.propose === null || row.propose === undefined)) return "choose the option you propose";
  if (row.stance === "object" && !row.reason.trim()) return "give the reason of your objection";
  return "";
}

// saveRows keeps the response being written in the tab's session storage
// (rows null: forgets it); restoreRows reads it back.
function saveRows(key, rows) {
  markDirty("response", !!rows && rows.some((r) => r && r.stance));
  try {
    if (rows) sessionStorage.setItem(key, JSON.stringify(rows));
    else sessionStorage.removeItem(key);
  } catch {
    /* storage unavailable: the response lives in the page only */
  }
}

function restoreRows(key, n) {
  try {
    const rows = JSON.parse(sessionStorage.getItem(key) || "null");
    return Array.isArray(rows) && rows.length === n ? rows : null;
  } catch {
    return null;
  }
}

const plural = (n, one, many) => `${n} ${n === 1 ? one : many || one + "s"}`;

function partyText(view, ui, readonly, t, move, rerender) {
  const st = view.state, f = view.framework, me = view.party;
  if (!st.version) {
    return h("section", { id: "current-text", class: "card" }, h("h2", {}, "The single negotiating text"),
      h("p", { class: "muted", id: "no-draft" }, "Waiting for the mediator's first draft."),
      voteResultNotice(view));
  }
  const hist = textHistory(view);
  const waitingMe = (st.waiting || []).includes(me) && st.status === "negotiating";
  const myReply = st.replies && st.replies[me];
  const responding = !readonly && waitingMe && !st.vote_open;
  // An unsent response survives a reload of the page (this tab's storage).
  const key = `parley:response:${view.id}:${me}:${st.version}`;
  if (!ui.resp || ui.resp.version !== st.version) ui.resp = { version: st.version, rows: restoreRows(key, st.text.length) || startRows(st, hist), problems: null };
  const rows = ui.resp.rows;
  const save = () => saveRows(key, responding ? rows : null);
  save();
  const prevVersion = st.version - 1;
  const changed = (i) => !!(hist && hist.prev && !sameAlts(hist.prev[i], st.text[i]));
  const replyOf = (i) => (myReply || []).find((r) => r.point === i);
  const textPkg = st.text.map((a) => (a.length === 1 ? a[0] : -1));
  const head = h("tr", {}, h("th", { class: "col-point" }, "Point"), h("th", { class: "col-text" }, `Text, version ${st.version}`),
    t ? h("th", { class: "num col-worth", title: "What the settled reading is worth to you" }, "Worth to you") : null,
    responding ? h("th", { class: "col-resp" }, "Your response") : myReply ? h("th", { class: "col-replied" }, "You replied") : null);
  const problems = ui.resp.problems || {};
  const body = f.points.map((pt, i) => {
    const alts = st.text[i];
    let cell = null;
    if (responding) cell = h("td", { class: "respond-cell" }, responseControls(pt, i, alts, rows[i], prevVersion, !!(st.provisional && st.provisional[i] >= 0), rerender, save));
    else if (myReply) {
      const r = replyOf(i);
      cell = h("td", { "data-testid": `my-reply-${i}` }, r ? h("span", { class: ["badge", "stance-" + r.stance] }, r.stance === "propose" ? `propose: ${optionLabel(pt, r.option)}` : r.stance === "accept" && alts.length > 1 ? `accept: ${optionLabel(pt, r.option)}` : r.stance) : h("span", { class: "muted" }, "not answered (not accepted)"),
        r && r.reason ? h("div", { class: "muted small" }, r.reason) : null);
    }
    const ch = changed(i);
    return h("tr", { "data-testid": `text-point-${i}`, "data-changed": ch ? "yes" : null, "data-problem": responding && problems[i] ? problems[i] : null, class: [alts.length > 1 ? "row-bracketed" : "", ch ? "changed" : "", responding && problems[i] ? "invalid" : ""] },
      h("td", { class: "point-cell" }, pointTitle(pt),
        ch ? h("span", { class: "badge st-bracketed small changed-mark", id: `changed-${i}`, title: `Version ${prevVersion} read: ${hist.prev[i].map((l) => optionLabel(pt, l)).join(" / ")}` }, `changed since v${prevVersion}`) : null),
      h("td", { class: "reading-cell" }, reading(pt, alts)),
      t ? h("td", { class: "num", title: alts.length === 1 ? `utility ${fmt.num(t.contrib[i][alts[0]], 4)} of a best possible ${fmt.num(t.max, 4)}` : null }, alts.length === 1 ? fmt.pct(t.max > 0 ? t.contrib[i][alts[0]] / t.max : 0, 1) : "–") : null,
      cell);
  });
  const settled = st.text.filter((a) => a.length === 1).length;
  const brackets = st.text.length - settled;
  const u = t ? utility(t, textPkg) : null;
  const worth = !t ? null : settled === 0
    ? h("p", { class: "muted small", id: "text-worth" }, "No point is settled yet: every point is bracketed, so the text has no worth to you until the brackets go.")
    : h("p", { class: "muted small", id: "text-worth", title: `utility ${fmt.num(u, 4)} of a best possible ${fmt.num(t.max, 4)}${view.reservation !== undefined ? `; reservation ${fmt.num(view.reservation, 4)}` : ""}` }, `${settled === st.text.length ? "The text is" : `The ${plural(settled, "settled point")} ${settled === 1 ? "is" : "are"}`} worth ${fmt.pct(t.max > 0 ? u / t.max : 0)} of your best to you${view.reservation !== undefined ? `; your reservation: ${fmt.pct(t.max > 0 ? view.reservation / t.max : 0)}` : ""}.`);
  // The text as the party's response would make it (its proposals, the
  // alternatives it accepts), rated while it is written.
  const proposed = !t || !responding ? null : st.text.map((a, i) => {
    const r = rows[i];
    if (r.stance === "propose" && r.propose !== null && r.propose !== undefined) return r.propose;
    if (r.stance === "accept" && a.length > 1 && a.includes(r.option)) return r.option;
    return a.length === 1 ? a[0] : -1;
  });
  const proposing = proposed && rows.some((r) => r.stance === "propose" && r.propose !== null && r.propose !== undefined);
  const rating = !proposing ? null : h("p", { class: "offer-rating", id: "resp-rating", role: "status", "data-share": String(t.max > 0 ? utility(t, proposed) / t.max : 0), title: `utility ${fmt.num(utility(t, proposed), 4)} of a best possible ${fmt.num(t.max, 4)}` },
    `With your proposals, the text would be worth ${fmt.pct(t.max > 0 ? utility(t, proposed) / t.max : 0)} of your best to you${proposed.includes(-1) ? " (bracketed points count 0)" : ""}.`);
  const answered = rows.filter((r) => r.stance).length;
  const carried = rows.filter((r) => r.carried).length;
  const nChanged = f.points.filter((_, i) => changed(i)).length;
  const name = (i) => pointTitle(f.points[i]);

  const acceptAll = () => {
    // Bracketed points need the party's own choice of alternative.
    const targets = rows.map((r, i) => i).filter((i) => st.text[i].length === 1 && rows[i].stance !== "accept");
    const overwrite = targets.filter((i) => rows[i].stance === "object" || rows[i].stance === "propose");
    if (overwrite.length) {
      const list = overwrite.map((i) => `• ${name(i)}: ${rows[i].stance === "object" ? "your objection" : `your proposal of ${optionLabel(f.points[i], rows[i].propose)}`}${rows[i].reason.trim() ? ` ("${rows[i].reason.trim()}")` : ""}`).join("\n");
      if (!confirm(`Accept every settled point? This replaces your ${overwrite.length === 1 ? "answer" : "answers"} on ${plural(overwrite.length, "point")}:\n${list}`)) return;
    }
    for (const i of targets) {
      rows[i].stance = "accept";
      rows[i].option = st.text[i][0];
      rows[i].carried = false;
    }
    ui.resp.problems = null;
    rerender();
  };

  const submit = (e) => {
    e.preventDefault();
    const bad = {};
    rows.forEach((r, i) => {
      const p = rowProblem(f.points[i], st.text[i], r);
      if (p) bad[i] = p;
    });
    const open = rows.map((r, i) => i).filter((i) => !rows[i].stance);
    if (Object.keys(bad).length || open.length === rows.length) {
      ui.resp.problems = open.length === rows.length ? Object.fromEntries(open.map((i) => [i, "not answered"])) : bad;
      rerender();
      return;
    }
    if (open.length && !confirm(`${plural(open.length, "point")} ${open.length === 1 ? "is" : "are"} not answered:\n${open.map((i) => "• " + name(i)).join("\n")}\n\nUnanswered points count as not accepted. Send your response without them?`)) {
      ui.resp.problems = Object.fromEntries(open.map((i) => [i, "not answered"]));
      rerender();
      return;
    }
    ui.resp.problems = null;
    // Only the points the party answered are sent: the engine counts the
    // others as not accepted.
    const responses = [];
    rows.forEach((r, i) => {
      if (!r.stance) return;
      const out = { point: i, stance: r.stance };
      if (r.stance === "accept") out.option = st.text[i].length === 1 ? st.text[i][0] : r.option;
      if (r.stance === "propose") out.option = r.propose;
      if ((r.stance === "object" || r.stance === "propose") && r.reason.trim()) out.reason = r.reason.trim();
      responses.push(out);
    });
    move({ kind: "respond", responses }, e.submitter, () => {
      saveRows(key, null);
      notice(`Your response to version ${st.version} was sent.`);
    });
  };
  const probList = Object.entries(problems);
  return h("section", { id: "current-text", class: "card", "data-version": String(st.version) },
    h("div", { class: "card-head" }, h("h2", {}, "The single negotiating text"),
      h("span", { class: "badge", id: "text-version" }, `Version ${st.version}`),
      brackets ? h("span", { class: "badge st-bracketed" }, `${brackets} bracketed`) : h("span", { class: "badge st-agreed" }, "no brackets"),
      nChanged ? h("span", { class: "badge", id: "text-changed" }, `${plural(nChanged, "point")} changed since v${prevVersion}`) : null),
    worth,
    voteResultNotice(view),
    votePanel(view, readonly, move, ui),
    !responding && myReply && !st.vote_open && st.status === "negotiating" ? h("p", { class: "note", id: "response-sent" }, `Your response to version ${st.version} is with the mediator. The next draft or the vote will appear here.`) : null,
    responding ? h("p", { class: "help" }, "Answer each point: accept it (for a bracketed point, the alternative you accept), object with a reason, or propose another option. Nothing is answered for you: a point you leave unanswered counts as not accepted.",
      carried ? ` ${plural(carried, "answer")} to version ${hist.last.version} on unchanged points ${carried === 1 ? "is" : "are"} carried over: check ${carried === 1 ? "it" : "them"}.` : "") : null,
    h("form", { id: "response-form", class: responding ? "responding" : "", onsubmit: submit },
      h("table", { class: "text-table" }, h("thead", {}, head), h("tbody", {}, body)),
      rating,
      responding && probList.length ? h("div", { class: "error-text", id: "resp-problems", role: "alert" },
        h("p", {}, probList.every(([, p]) => p === "not answered") && probList.length === rows.length ? "Answer at least one point before sending." : "Not sent yet:"),
        h("ul", {}, probList.map(([i, p]) => h("li", { "data-point": i }, `${name(Number(i))}: ${p}`)))) : null,
      responding ? h("div", { class: "form-foot" },
        h("button", { type: "button", id: "resp-accept-all", onclick: acceptAll }, brackets ? "Accept every settled point" : "Accept every point"),
        h("span", { class: "muted small", id: "resp-count", "data-answered": String(answered) }, `${answered} of ${rows.length} answered${answered < rows.length ? "; unanswered points count as not accepted" : ""}`),
        h("button", { type: "submit", id: "resp-submit", class: "primary", "data-testid": "send-response" }, `Send my response to version ${st.version}`)) : null),
  );
}

function responseControls(pt, i, alts, row, prevVersion, locked, rerender, save) {
  const name = `resp-${i}`;
  const set = (k, v) => {
    row[k] = v;
    row.carried = false;
  };
  const radio = (stance, label, disabled) => h("label", { class: ["radio", "stance-choice", row.stance === stance ? "on" : ""] },
    h("input", { type: "radio", name, id: `resp-${i}-${stance}`, value: stance, checked: row.stance === stance, disabled,
      onchange: () => {
        set("stance", stance);
        rerender();
      } }), " ", label);
  // The options (or, on a numeric point, the levels) not in the text.
  const others = [];
  for (let l = 0; l < Math.min(levels(pt), 200); l++) if (!alts.includes(l)) others.push(l);
  const placeholder = (text, chosen) => h("option", { value: "", selected: chosen === null || chosen === undefined, disabled: true }, text);
  const b = row.before;
  return h("div", { class: "respond" },
    h("div", { class: "stances", role: "radiogroup", "aria-label": `Your response on ${pointTitle(pt)}` },
      radio("accept", "Accept"), radio("object", "Object"), radio("propose", "Propose", others.length === 0 || locked)),
    !row.stance ? h("span", { class: "muted small unanswered", id: `resp-${i}-open` }, "not answered") : null,
    row.stance === "accept" && alts.length > 1 ? h("select", { id: `resp-${i}-option`, "aria-label": `Alternative you accept on ${pointTitle(pt)}`, onchange: (e) => { set("option", Number(e.target.value)); rerender(); } },
      placeholder("Choose the alternative…", row.option), alts.map((l) => h("option", { value: String(l), selected: row.option === l }, optionLabel(pt, l)))) : null,
    row.stance === "propose" ? h("select", { id: `resp-${i}-propose-option`, "aria-label": `Option you propose on ${pointTitle(pt)}`, onchange: (e) => { set("propose", Number(e.target.value)); rerender(); } },
      placeholder("Choose an option…", row.propose), others.map((l) => h("option", { value: String(l), selected: row.propose === l }, optionLabel(pt, l)))) : null,
    row.stance === "object" || row.stance === "propose" ? h("input", { type: "text", id: `resp-${i}-reason`, class: "reason", value: row.reason, maxlength: 2000, "aria-label": `Reason on ${pointTitle(pt)}`, required: row.stance === "object",
      placeholder: row.stance === "object" ? "Why? (required; the mediator sees it)" : "Reason (optional)", oninput: (e) => { row.reason = e.target.value; row.carried = false; save(); } }) : null,
    b ? h("div", { class: ["small", "before", row.carried ? "carried" : "muted"], id: `resp-${i}-before`, "data-carried": row.carried ? "yes" : "no" },
      row.carried ? `Carried over: you ${stanceText(pt, null, b)} in v${b.version}` : `In v${b.version} you ${stanceText(pt, null, b)}${b.version === prevVersion ? " (the point changed since: answer again)" : ""}`,
      b.reason ? `: "${b.reason}"` : "", ".") : null);
}

// voteResults lists the outcomes of the votes on the text, as the engine
// published them to everyone (notes "vote-failed" and "agreement"), with
// the votes the viewer may see (public in plenary talks, its own and the
// mediator's otherwise).
function voteResults(view) {
  const out = [];
  let since = 0;
  const evs = view.events || [];
  for (const e of evs) {
    if (e.kind === "call-vote") since = e.seq;
    if ((e.kind !== "vote-failed" && e.kind !== "agreement") || !e.note || !e.note.version) continue;
    const votes = evs.filter((v) => v.kind === "vote" && v.move && v.seq > since && v.seq < e.seq)
      .map((v) => ({ party: v.party, yes: !!v.move.yes, reason: v.move.message || "" }));
    out.push({ seq: e.seq, version: e.note.version, passed: e.kind === "agreement", count: e.note.count || 0, parties: e.note.parties || null, reason: e.note.reason || "", votes });
  }
  return out;
}

// voteResultNotice tells the viewer the outcome of the last vote on the
// text: what was voted, how many said yes out of how many, what the rule
// needed, and who voted no when the votes are public.
export function voteResultNotice(view) {
  const rs = voteResults(view);
  if (!rs.length) return null;
  const r = rs[rs.length - 1];
  const st = view.state || {};
  const total = (view.negotiators || []).filter((p) => !(st.left || []).includes(p)).length;
  const yes = r.parties ? r.parties.length : r.passed && !r.count ? total : r.count;
  const d = view.decision || {};
  const rule = d.rule === "quorum" ? `${d.quorum} yes votes` : "unanimity";
  const vetoes = (d.vetoes || []).map((p) => partyName(view, p));
  const needed = `needed ${rule}${vetoes.length ? ` and the yes of ${vetoes.join(" and ")} (veto)` : ""}`;
  const public_ = r.votes.length >= total;
  const no = r.votes.filter((v) => !v.yes);
  const me = view.role === "mediator" ? view.mediator : view.party;
  const mine = r.votes.find((v) => v.party === me);
  const who = public_
    ? (no.length ? `${no.map((v) => (v.party === me ? "you" : partyName(view, v.party))).join(", ")} voted no.` : "")
    : `The votes are not public under this format: only the count is.${mine ? ` You voted ${mine.yes ? "yes" : "no"}.` : ""}`;
  const head = r.passed ? `Version ${r.version} was adopted: ${yes} yes of ${total}; ${needed}.` : `Version ${r.version} was rejected: ${yes} yes of ${total}; ${needed}.`;
  return h("div", { id: "vote-result", class: ["vote-result", r.passed ? "note" : "error-text"], role: "status", "data-result": r.passed ? "passed" : "failed", "data-version": String(r.version) },
    h("p", {}, h("strong", {}, head), who ? " " + who : ""),
    public_ ? no.filter((v) => v.reason).map((v) => h("p", { class: "small" }, `${v.party === me ? "Your" : partyName(view, v.party) + "'s"} reason: ${v.reason}`)) : null,
    !r.passed && view.state && view.state.status === "negotiating" ? h("p", { class: "muted small" }, "The mediator may redraft the text.") : null);
}

function votePanel(view, readonly, move, ui) {
  const st = view.state, me = view.party;
  if (!st.vote_open && !(st.votes && me in st.votes)) return null;
  const waitingMe = (st.waiting || []).includes(me);
  const mine = st.votes ? st.votes[me] : undefined;
  ui.voteReason = ui.voteReason || "";
  const vote = (yes, btn) => {
    const reason = ui.voteReason.trim();
    const q = yes
      ? `Vote yes on version ${st.version}? A yes accepts the whole text as it stands, every one of its ${st.text.length} points. Your vote cannot be changed.`
      : `Vote no on version ${st.version}?${reason ? ` Your reason: "${reason}".` : " You give no reason."} Your vote cannot be changed.`;
    if (!confirm(q)) return;
    const m = { kind: "vote", yes };
    if (reason) m.message = reason;
    move(m, btn, () => {
      ui.voteReason = "";
      notice("Your vote was recorded.");
    });
  };
  return h("div", { id: "vote-panel", class: "vote-panel" },
    h("h3", {}, st.vote_open ? `Version ${st.version} is put to the vote` : "The vote"),
    h("p", {}, "A vote is on the whole text: yes accepts it as it stands."),
    st.vote_open && waitingMe && !readonly
      ? h("div", { class: "vote-form" },
        h("label", { class: "block", for: "vote-reason" }, "Reason (optional; it goes with your vote)"),
        h("input", { type: "text", id: "vote-reason", class: "reason", maxlength: 2000, value: ui.voteReason, placeholder: "Why you vote as you do", oninput: (e) => (ui.voteReason = e.target.value) }),
        h("div", { class: "vote-buttons" },
          h("button", { type: "button", id: "vote-yes", class: "primary", "data-testid": "vote-yes", onclick: (e) => vote(true, e.currentTarget) }, "Vote yes…"),
          h("button", { type: "button", id: "vote-no", class: "danger", onclick: (e) => vote(false, e.currentTarget) }, "Vote no…")))
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
          return h("td", { class: "center reply-cell", "data-testid": `reply-${p}-${i}`, "data-label": partyName(view, p) }, replyBadge(pt, st.text[i], r, !!replies[p]), r && r.reason ? h("div", { class: "reason-text" }, r.reason) : null);
        }))))),
    h("div", { class: "form-foot" },
      h("span", { class: "muted small", id: "call-vote-hint" }, voteHint),
      h("button", { id: "call-vote", class: "primary", disabled: !canVote, "data-testid": "call-vote", onclick: (e) => move({ kind: "call-vote" }, e.currentTarget, () => notice(`Version ${st.version} is put to the vote.`)) }, `Put version ${st.version} to the vote`)),
    st.vote_open || (st.votes && Object.keys(st.votes).length) ? h("div", { id: "votes", class: "subpanel" },
      h("h3", {}, st.vote_open ? "Vote in progress" : "Votes"),
      h("ul", { class: "vote-list" }, parties.map((p) => {
        const v = st.votes ? st.votes[p] : undefined;
        const why = voteReasonOf(view, p);
        return h("li", { "data-testid": `vote-${p}` }, h("strong", {}, partyName(view, p)), ": ",
          v === undefined ? h("span", { class: "muted" }, "waiting") : h("span", { class: ["badge", v ? "st-agreed" : "st-objected"] }, v ? "yes" : "no"),
          (view.decision.vetoes || []).includes(p) ? h("span", { class: "muted small" }, " (veto)") : null,
          v !== undefined && why ? h("div", { class: "reason-text" }, why) : null);
      }))) : null,
    voteResultNotice(view));
}

// voteReasonOf is the reason party p gave with its vote in the last vote
// on the text, if the viewer sees it.
function voteReasonOf(view, p) {
  const evs = view.events || [];
  let since = 0;
  for (const e of evs) if (e.kind === "call-vote") since = e.seq;
  const v = evs.filter((e) => e.kind === "vote" && e.party === p && e.seq > since && e.move).pop();
  return v ? v.move.message || "" : "";
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

