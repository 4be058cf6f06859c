// The mediator console: parties and invitations, start, the single
// negotiating text (status per point, replies, editor, versions), the
// vote, the overlap heat-map, suggested packages, the dance plot,
// messages and relays, the decision rule and ratification tracking.

import { h, api, guard, fmt, notice, reading, packagePicker, pointTitle, optionLabel, partyName, statusOf, levels, bigNumber, KIND_OPTIONS, kindOf } from "./lib.js";
import { roomHeader, statusBanner, versionsSection, messagesList, messageComposer, decisionSection, ratificationSection, agreementSection, frameworkSection, submitMove } from "./common.js";
import { implementationCard } from "./compliance.js";
import { mediatorSeats } from "./seats.js";

export function renderMediator(st, rerender, refresh) {
  const view = st.view, ui = st.ui;
  const status = statusOf(view);
  const move = async (m, btn, after) => {
    const r = await submitMove(view, m, btn);
    if (r) {
      if (after) after();
      await refresh();
    }
    return r;
  };
  loadAnalysis(st, rerender);

  const proto = view.settings.protocol;
  const main = [];
  const agreed = view.started && view.state && view.state.agreement;
  if (agreed) {
    main.push(implementationCard(view));
    main.push(ratificationSection(view, null));
    main.push(agreementSection(view));
  }
  if (proto === "single-text") {
    main.push(textStatus(view, ui, move));
    if (!view.started || view.state.status === "negotiating") main.push(draftEditor(view, ui, move, rerender));
  } else {
    main.push(otherProtocol(view, ui, move));
  }
  main.push(analysisSection(st, rerender));
  if (proto === "single-text") main.push(versionsSection(view));
  main.push(frameworkSection(view, ui));

  const side = [];
  side.push(partiesSection(st, rerender, refresh));
  side.push(decisionSection(view));
  if (!agreed) side.push(ratificationSection(view, null));
  if (view.started) {
    ui.msg = ui.msg || {};
    ui.msg.rerender = rerender;
    side.push(h("section", { id: "messages", class: "card" }, h("h2", {}, "Messages and relays"),
      messageComposer(view, ui.msg, (m, done, btn) => move(m, btn, done)),
      messagesList(view, (e) => {
        ui.msg.relay = { ref: e.seq, from: e.party };
        ui.msg.text = e.move.message;
        ui.msg.to = {};
        rerender();
        const el = document.getElementById("msg-text");
        if (el) el.focus();
      })));
  }
  if (view.started && view.state.status === "negotiating") {
    side.push(h("section", { class: "card" }, h("h2", {}, "End the talks"),
      h("p", { class: "muted small" }, "Ends the session without agreement."),
      h("button", { id: "end-talks", class: "danger subtle", onclick: (e) => {
        if (confirm("End the talks without agreement? This cannot be undone.")) move({ kind: "end" }, e.currentTarget);
      } }, "End the talks")));
  }

  return h("div", { class: "room mediator-room", id: "mediator-console", "data-status": status },
    roomHeader(st, `Mediator console · scenario ${view.scenario} · protocol ${proto} · the mediator sees ${view.settings.mediator_sees === "full" ? "the parties' profiles" : "aggregates only"}`),
    statusBanner(view),
    h("nav", { class: "jump" }, [["implementation", "Implementation"], ["ratification", "Ratification"], ["agreement", "Agreement"], ["current-text", "Text"], ["draft-editor", "Editor"], ["analysis", "Analysis"], ["versions", "Versions"], ["invites", "Invitations"], ["messages", "Messages"]]
      .filter(([id]) => [...main, ...side].some((el) => el && el.id === id))
      .map(([id, label]) => h("a", { href: "#" + id, onclick: (e) => {
        e.preventDefault();
        const el = document.getElementById(id);
        if (el) el.scrollIntoView({ behavior: "smooth", block: "start" });
      } }, label))),
    h("div", { class: "columns" }, h("div", { class: "col-main" }, main), h("aside", { class: "col-side" }, side)));
}

// ---------------------------------------------------------------- parties and invitations

function partiesSection(st, rerender, refresh) {
  const view = st.view, ui = st.ui;
  const start = (btn) => guard(async () => {
    await api("POST", `/api/negotiations/${view.id}/start`);
    ui.newLink = null;
    notice("The talks are open.");
    await refresh();
  }, btn);
  return mediatorSeats(st, rerender, !view.started ? h("div", { class: "start-box" },
    h("p", { class: "small" }, "Open the talks when the parties have joined and set their profiles. Profiles are fixed from then on."),
    h("button", { id: "start", class: "primary big", "data-testid": "start", onclick: (e) => start(e.currentTarget) }, "Open the talks")) : null);
}

// ---------------------------------------------------------------- text status

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

function textStatus(view, ui, move) {
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

// ---------------------------------------------------------------- editor

function draftEditor(view, ui, move, rerender) {
  const f = view.framework, st = view.state;
  const current = st && st.text ? st.text : null;
  const fromCurrent = () => (current ? current.map((a) => a.slice()) : f.points.map((pt) => Array.from({ length: Math.min(levels(pt), 50) }, (_, l) => l)));
  if (!ui.draft || (!ui.draftDirty && ui.draftVersion !== (st ? st.version : 0))) {
    ui.draft = fromCurrent();
    ui.draftVersion = st ? st.version : 0;
    ui.draftDirty = false;
  }
  const d = ui.draft;
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
    d[i] = [...a].sort((x, y) => x - y);
    ui.draftDirty = true;
    rerender();
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
      h("button", { type: "button", id: "draft-reset", onclick: () => { ui.draft = fromCurrent(); ui.draftDirty = false; rerender(); } }, current ? "Back to the current text" : "Bracket every option"),
      h("span", { class: "muted small", id: "draft-hint" }, hint),
      h("button", { type: "button", id: "draft-send", class: "primary", disabled: !canSend, "data-testid": "send-draft", onclick: (e) => move({ kind: "draft", text: d.map((a) => a.slice()) }, e.currentTarget, () => {
        ui.draftDirty = false;
        notice("The draft was sent to the parties.");
      }) }, "Send draft")));
}

// ---------------------------------------------------------------- other protocols

function otherProtocol(view, ui, move) {
  const st = view.state, f = view.framework, proto = view.settings.protocol;
  const items = [];
  if (!view.started) items.push(h("p", { class: "muted" }, "Open the talks to begin."));
  const showPkg = (pkg) => h("ol", { class: "pkg-reading" }, f.points.map((pt, i) => h("li", {}, h("span", { class: "muted" }, pointTitle(pt) + ": "), optionLabel(pt, pkg[i]))));
  if (st && st.current) items.push(h("div", { id: "current-offer" }, h("h3", {}, `On the table: by ${partyName(view, st.current.by)} (round ${st.current.round})`), showPkg(st.current.package)));
  if (st && st.standing) items.push(h("div", { id: "standing" }, h("h3", {}, "Standing (last adopted) proposal"), showPkg(st.standing.package)));
  if (st && (proto === "vote" || proto === "feedback") && st.status === "negotiating") {
    ui.proposal = ui.proposal || (st.current ? st.current.package.slice() : f.points.map(() => 0));
    const free = !(st.waiting || []).length;
    items.push(h("form", { id: "propose-form", onsubmit: (e) => { e.preventDefault(); move({ kind: "propose", package: ui.proposal.slice() }, e.submitter, () => notice("The proposal was sent.")); } },
      h("h3", {}, "Propose a package"), packagePicker(f, ui.proposal, { idPrefix: "propose" }),
      h("div", { class: "form-foot" }, h("span", { class: "muted small" }, free ? "" : `Waiting for ${(st.waiting || []).map((p) => partyName(view, p)).join(", ")}.`),
        h("button", { type: "submit", id: "propose-submit", class: "primary", disabled: !free }, "Propose"))));
  } else if (view.started) {
    items.push(h("p", { class: "muted" }, "Under this protocol the parties move themselves; you follow the talks, relay messages and may end them."));
  }
  return h("section", { id: "current-text", class: "card" }, h("h2", {}, `Protocol: ${proto}`), items);
}

// ---------------------------------------------------------------- analysis

function loadAnalysis(st, rerender, force) {
  const ui = st.ui, view = st.view;
  const a = ui.analysis;
  if (!force && a && (a.loading || a.started === view.started)) return;
  ui.analysis = { loading: true, started: view.started, data: a ? a.data : null, error: null };
  api("GET", `/api/negotiations/${view.id}/analysis`).then((data) => {
    ui.analysis = { loading: false, started: view.started, data, error: null };
  }).catch((e) => {
    ui.analysis = { loading: false, started: view.started, data: null, error: e.message };
  }).finally(() => rerender());
}

function analysisSection(st, rerender) {
  const view = st.view, ui = st.ui, a = ui.analysis || {};
  const data = a.data;
  const head = h("div", { class: "card-head" }, h("h2", {}, "Areas of overlap"),
    a.loading ? h("span", { class: "badge", id: "analysis-loading" }, "computing…") : null,
    h("button", { type: "button", id: "analysis-refresh", class: "small-button", disabled: !!a.loading, onclick: () => { loadAnalysis(st, rerender, true); rerender(); } }, "Recompute"));
  if (!data) {
    return h("section", { id: "analysis", class: "card" }, head,
      a.error ? h("p", { class: "error-text", id: "analysis-error" }, `The analysis is not available: ${a.error}`) : h("p", { class: "muted" }, "Computing the agreement zone, the frontier and the suggested packages — this takes a few seconds for a large framework…"));
  }
  const full = data.access === "full";
  const parties = data.parties || [];
  const f = view.framework;
  const text = view.state && view.state.text;
  const zone = h("p", { id: "zone-summary" }, "Agreement zone: ", data.zone_exact ? "" : "about ", h("strong", {}, bigNumber(data.zone_size)), " of ", bigNumber(data.outcomes), ` packages (${fmt.pct(data.zone_fraction, 2)}) are acceptable to every party and cross no red line${data.zone_exact ? "" : " (estimated by sampling)"}.`);
  const sugg = h("div", { id: "suggestions", class: "suggestions" }, (data.suggestions || []).map((sg) => {
    const diff = text ? sg.package.filter((l, i) => !(text[i].length === 1 && text[i][0] === l)).length : null;
    return h("div", { class: "suggestion", "data-testid": `suggestion-${sg.name}` },
      h("div", { class: "suggestion-head" }, h("strong", {}, sg.name)),
      sg.utilities ? h("table", { class: "mini" }, h("tbody", {}, sg.utilities.map((u, k) => h("tr", {}, h("td", {}, partyName(view, parties[k])), h("td", { class: "num" }, fmt.num(u)))))) : null,
      diff !== null ? h("p", { class: "muted small" }, diff ? `Differs from the current text on ${diff} points.` : "Same as the current text.") : null,
      h("details", {}, h("summary", {}, "The package"), h("ul", { class: "lines" }, (sg.lines || []).map((l) => h("li", {}, l)))),
      h("button", { type: "button", id: `use-suggestion-${sg.name}`, class: "small-button", onclick: () => {
        ui.draft = sg.package.map((l) => [l]);
        ui.draftDirty = true;
        rerender();
        notice(`The "${sg.name}" package is in the editor: review it and send it as a draft.`);
        const el = document.getElementById("draft-editor");
        if (el) el.scrollIntoView({ block: "start" });
      } }, "Use as draft"));
  }));
  const heat = heatmap(view, data, text);
  const dance = full
    ? h("figure", { id: "dance", class: "dance" }, h("img", { id: "dance-plot", src: `/api/negotiations/${view.id}/dance.svg?v=${view.seq}`, alt: "Negotiation dance: the packages on the table in the utility space of two parties, with the Pareto frontier and the Nash point" }),
      h("figcaption", { class: "muted small" }, "The negotiation dance: every complete package put on the table, in the utility space of the first two parties, with the Pareto frontier and the Nash point."))
    : h("p", { id: "dance-hidden", class: "note" }, "The dance plot shows the parties' utilities; this negotiation's setting lets the mediator see aggregates only, so it is hidden.");
  return h("section", { id: "analysis", class: "card" }, head, zone,
    h("h3", {}, "Suggested packages"), sugg,
    h("h3", {}, "Heat-map of the overlap"),
    h("p", { class: "help" }, full ? "Per option: how often it appears in the agreement zone, and how good it is for each party (its score as a share of the party's best option on the point)." : "Per option: how often it appears in the agreement zone. This setting hides the parties' own figures."),
    heat,
    h("h3", {}, "Negotiation dance"), dance);
}

function heatmap(view, data, text) {
  const full = data.access === "full";
  const parties = data.parties || [];
  const shareCell = (o) => {
    if (o.possible === "no") return h("td", { class: "heat excluded", title: "No package of the zone uses it" }, "excluded");
    const sh = typeof o.share === "number" && isFinite(o.share) ? o.share : 0;
    const bg = `rgba(46, 125, 80, ${(0.08 + 0.85 * Math.sqrt(sh)).toFixed(3)})`;
    return h("td", { class: ["heat", sh > 0.45 ? "dark" : ""], style: `background:${bg}`, title: o.possible === "unknown" ? "Not decided within the search budget" : "" }, o.possible === "unknown" ? "?" : fmt.pct(sh));
  };
  const scoreCell = (v) => h("td", { class: ["heat", "score", v > 0.6 ? "dark" : ""], style: `background:rgba(43, 92, 138, ${(0.06 + 0.8 * v).toFixed(3)})` }, fmt.num(v, 2));
  const rows = [];
  data.points.forEach((hp, i) => {
    hp.options.forEach((o, l) => {
      const inText = text && text[i] && text[i].includes(l);
      rows.push(h("tr", { class: [l === 0 ? "group-start" : "", inText ? "in-text" : ""], "data-testid": `heat-${i}-${l}` },
        l === 0 ? h("td", { class: "point-cell", rowspan: hp.options.length }, hp.title,
          full && hp.weights ? h("div", { class: "muted small" }, "weight: ", hp.weights.map((w, k) => `${partyName(view, parties[k])} ${fmt.pct(w)}`).join(" · ")) : null) : null,
        h("td", { class: "opt-cell" }, o.label || o.option, inText ? h("span", { class: "in-text-mark", title: "In the current text" }, " ●") : null),
        shareCell(o),
        full ? (o.scores || []).map(scoreCell) : null));
    });
  });
  return h("div", { class: "heat-wrap" }, h("table", { id: "heatmap", class: "heatmap", "data-access": data.access },
    h("thead", {}, h("tr", {}, h("th", {}, "Point"), h("th", {}, "Option"), h("th", {}, "In the zone"), full ? parties.map((p) => h("th", {}, partyName(view, p))) : null)),
    h("tbody", {}, rows)));
}

