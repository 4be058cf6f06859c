// Parts of the negotiation room shared by the party screen and the
// mediator console.

import { h, s, api, guard, fmt, reading, kindOf, KIND_OPTIONS, KIND_INTEGER, optionLabel, optionClause, pointTitle, partyName, statusOf, STATUS_TEXT, notice, prose, firstSentence } from "./lib.js";

// ---------------------------------------------------------------- header

// roomHeader is the title, the scenario's description (first sentence;
// the rest on demand), its notice, and the live indicator.
export function roomHeader(st, subtitle) {
  const view = st.view, ui = st.ui;
  const live = st.live || { on: false, text: "Connecting…" };
  const desc = prose(view.description);
  return [
    h("div", { class: "room-head" },
      h("div", {},
        h("h1", { id: "room-title" }, view.title),
        subtitle ? h("p", { class: "muted" }, subtitle) : null,
        desc.length ? h("details", { class: "about", open: !!ui.aboutOpen, ontoggle: (e) => (ui.aboutOpen = e.currentTarget.open) },
          h("summary", {}, firstSentence(view.description), " ", h("span", { class: "more" }, "About the scenario")),
          desc.map((p) => h("p", {}, p))) : null),
      h("span", { class: "live", id: "live-indicator", "data-live": live.on ? "on" : "off" }, live.text)),
    view.notice ? h("div", { class: "scenario-notice", id: "scenario-notice" }, prose(view.notice).map((p) => h("p", {}, p))) : null,
  ];
}

// ---------------------------------------------------------------- status

// waitingText says who the session waits for.
export function waitingInfo(view) {
  const st = view.state;
  const me = view.role === "mediator" ? view.mediator : view.party;
  if (!view.started || !st) return { text: "The mediator has not opened the talks yet.", mine: false };
  const names = (ids) => ids.map((p) => partyName(view, p)).join(", ");
  switch (st.status) {
    case "negotiating": {
      const waiting = st.waiting || [];
      const mine = waiting.includes(me);
      const turnBased = view.settings.protocol === "sao" || view.settings.protocol === "amop";
      if (st.turn && turnBased) return { text: `Round ${st.round}. It is ${st.turn === me ? "your" : partyName(view, st.turn) + "'s"} turn.`, mine: st.turn === me };
      if (st.vote_open) return { text: `Version ${st.version} is put to the vote. Waiting for the votes of: ${names(waiting)}.`, mine };
      if (waiting.length) return { text: `Round ${st.round}${st.version ? `, version ${st.version}` : ""}. Waiting for replies from: ${names(waiting)}.`, mine };
      if (view.mediator) return { text: `Round ${st.round}${st.version ? `, version ${st.version}` : ""}. Waiting for the mediator (${partyName(view, view.mediator)}).`, mine: me === view.mediator };
      return { text: `Round ${st.round}.`, mine: false };
    }
    case "pending-ratification": {
      const steps = view.decision.ratification || [];
      // The engine says which steps may be taken now (state.steps).
      const ready = (st.steps || []).filter((x) => x.ready).map((x) => x.step - 1);
      const mineReady = ready.filter((k) => steps[k] && steps[k].party === me);
      if (ready.length) return { text: `Agreement reached. Ratification steps that may be taken now: ${ready.map((k) => `${k + 1}. ${steps[k].body} (${partyName(view, steps[k].party)})`).join("; ")}.`, mine: mineReady.length > 0, step: mineReady.length ? mineReady[0] : ready[0] };
      return { text: "Agreement reached; the remaining ratification steps are waiting (see Ratification).", mine: false };
    }
    case "in-force":
      return { text: "Agreement reached and every ratification step is complete.", mine: false };
    default:
      return { text: st.reason || "", mine: false };
  }
}

export function statusBanner(view) {
  const status = statusOf(view);
  const w = waitingInfo(view);
  return h("section", { id: "status-banner", class: ["status-banner", "st-" + status], "data-status": status, "data-testid": "status-banner" },
    h("div", { class: "status-main" },
      h("span", { id: "status-text", class: "status-label" }, STATUS_TEXT[status] || status),
      h("span", { id: "status-detail", class: "status-detail" }, w.text)),
    w.mine ? h("span", { id: "status-yours", class: "your-move" }, "Your move") : null);
}

// ---------------------------------------------------------------- text

// drafts returns the versions of the single text from the events.
export function drafts(view) {
  return (view.events || []).filter((e) => e.kind === "draft" && e.move && e.move.text).map((e, i) => ({ version: i + 1, seq: e.seq, round: e.round, time: e.time, text: e.move.text }));
}

function sameAlts(a, b) {
  return a && b && a.length === b.length && a.every((x, i) => x === b[i]);
}

// diffText lists the points that changed between two texts.
export function diffText(framework, prev, next) {
  const out = [];
  framework.points.forEach((pt, i) => {
    if (!sameAlts(prev ? prev[i] : null, next[i])) out.push({ point: i, from: prev ? prev[i] : null, to: next[i] });
  });
  return out;
}

export function versionsSection(view) {
  const vs = drafts(view);
  const f = view.framework;
  const items = vs.slice().reverse().map((v) => {
    const prev = v.version > 1 ? vs[v.version - 2].text : null;
    const d = diffText(f, prev, v.text);
    const brackets = v.text.filter((a) => a.length > 1).length;
    let body;
    if (!prev) {
      body = h("p", { class: "muted" }, `First draft: ${v.text.length - brackets} points settled, ${brackets} bracketed.`);
    } else if (d.length === 0) {
      body = h("p", { class: "muted" }, "No change from the previous version.");
    } else {
      body = h("table", { class: "diff" },
        h("thead", {}, h("tr", {}, h("th", {}, "Point"), h("th", {}, `Version ${v.version - 1}`), h("th", {}, `Version ${v.version}`))),
        h("tbody", {}, d.map((x) => h("tr", { "data-testid": `diff-${v.version}-${x.point}` },
          h("td", {}, pointTitle(f.points[x.point])),
          h("td", { class: "diff-old" }, reading(f.points[x.point], x.from)),
          h("td", { class: "diff-new" }, reading(f.points[x.point], x.to))))));
    }
    return h("li", { class: "version", "data-testid": `version-${v.version}` },
      h("div", { class: "version-head" }, h("strong", {}, `Version ${v.version}`), h("span", { class: "muted" }, ` · round ${v.round} · ${fmt.time(v.time)}`),
        brackets ? h("span", { class: "badge st-bracketed" }, `${brackets} bracketed`) : h("span", { class: "badge st-agreed" }, "no brackets")),
      body);
  });
  return h("section", { id: "versions", class: "card" },
    h("h2", {}, "Versions of the text"),
    items.length ? h("ol", { class: "versions" }, items) : h("p", { class: "muted" }, "No draft yet."));
}

// ---------------------------------------------------------------- messages

export function messageEvents(view) {
  return (view.events || []).filter((e) => (e.kind === "message" || e.kind === "relay") && e.move);
}

export function messagesList(view, onRelay) {
  const me = view.role === "mediator" ? view.mediator : view.party;
  const evs = messageEvents(view);
  if (!evs.length) return h("p", { class: "muted", id: "messages-empty" }, "No messages yet.");
  return h("ol", { class: "messages", id: "messages-list" }, evs.slice().reverse().map((e) => {
    const m = e.move;
    const to = m.to && m.to.length ? m.to.map((p) => partyName(view, p)).join(", ") : "everyone at the table";
    return h("li", { class: ["message", e.party === me ? "mine" : "", e.kind === "relay" ? "relay" : ""], "data-seq": e.seq, "data-testid": `message-${e.seq}` },
      h("div", { class: "message-head" },
        h("strong", {}, e.party === me ? "You" : partyName(view, e.party)),
        h("span", { class: "muted" }, ` → ${to}`),
        e.kind === "relay" ? h("span", { class: "badge" }, `relayed (message #${m.ref})`) : null,
        h("span", { class: "muted msg-time" }, `#${e.seq} · ${fmt.clock(e.time)}`)),
      h("div", { class: "message-body" }, m.message),
      onRelay && e.kind === "message" && e.party !== me ? h("button", { type: "button", class: "link-button", id: `relay-${e.seq}`, onclick: () => onRelay(e) }, "Relay to other parties…") : null);
  }));
}

// messageComposer is the message form; for the mediator it also relays.
// ui holds the composer state across re-renders.
export function messageComposer(view, ui, submit) {
  const me = view.role === "mediator" ? view.mediator : view.party;
  const members = [];
  if (view.mediator && view.mediator !== me) members.push(view.mediator);
  for (const p of view.negotiators || []) if (p !== me && !members.includes(p)) members.push(p);
  if (!ui.to) {
    ui.to = {};
    // Proximity talks: parties address the mediator only.
    if (view.role === "party" && view.mediator) ui.to[view.mediator] = true;
  }
  const relay = ui.relay;
  const fmtName = view.settings.format || view.format.default;
  return h("form", { id: "message-form", class: "composer", onsubmit: (e) => {
    e.preventDefault();
    const text = ui.text ? ui.text.trim() : "";
    const to = members.filter((p) => ui.to[p]);
    const move = relay ? { kind: "relay", message: text, to, ref: relay.ref } : { kind: "message", message: text, to };
    submit(move, () => {
      ui.text = "";
      ui.relay = null;
    }, e.submitter);
  } },
    relay ? h("div", { class: "relay-note", id: "relay-note" }, `Relaying message #${relay.ref} from ${partyName(view, relay.from)} — edit the wording if you paraphrase. `,
      h("button", { type: "button", class: "link-button", id: "relay-cancel", onclick: () => { ui.relay = null; ui.text = ""; ui.rerender(); } }, "Cancel relay")) : null,
    h("textarea", { id: "msg-text", rows: 3, placeholder: relay ? "Relayed text" : "Write a message", oninput: (e) => (ui.text = e.target.value) }, ui.text || ""),
    h("div", { class: "recipients" }, h("span", { class: "muted" }, "To: "),
      members.map((p) => h("label", { class: "check" }, h("input", { type: "checkbox", id: `msg-to-${p}`, checked: !!ui.to[p], onchange: (e) => (ui.to[p] = e.target.checked) }), " ", partyName(view, p)))),
    h("div", { class: "form-foot" },
      h("span", { class: "muted small" }, `Format: ${fmtName}${(view.format.no_direct || []).length ? " · " + view.format.no_direct.map((pr) => `${partyName(view, pr[0])} and ${partyName(view, pr[1])} do not meet`).join("; ") : ""}`),
      h("button", { type: "submit", id: "msg-send", class: "primary" }, relay ? "Relay" : "Send message")));
}

// ---------------------------------------------------------------- decision

export function decisionSection(view) {
  const d = view.decision || {};
  const rule = d.rule === "quorum" ? `quorum of ${d.quorum}` : d.rule || "unanimity";
  return h("section", { id: "decision", class: "card" },
    h("h2", {}, "Decision rule"),
    h("dl", { class: "facts" },
      h("dt", {}, "Rule"), h("dd", { id: "decision-rule" }, rule),
      h("dt", {}, "Vetoes"), h("dd", { id: "decision-vetoes" }, (d.vetoes || []).length ? d.vetoes.map((p) => partyName(view, p)).join(", ") : "none"),
      h("dt", {}, "Agreement"), h("dd", {}, d.agreement === "provisional" ? "provisional, point by point" : "nothing is agreed until everything is agreed"),
      h("dt", {}, "Protocol"), h("dd", { id: "settings-protocol" }, view.settings.protocol),
      h("dt", {}, "Format"), h("dd", {}, view.settings.format || view.format.default || "plenary"),
      view.settings.rounds ? [h("dt", {}, "Deadline"), h("dd", {}, `${view.settings.rounds} rounds`)] : null,
      view.settings.minutes ? [h("dt", {}, "Time limit"), h("dd", {}, `${fmt.num(view.settings.minutes, 0)} minutes`)] : null));
}

// ratificationSection tracks the steps as the engine reports them
// (state.steps: done, ready, or waiting and why — for the steps a step
// waits for, or the plan's condition, such as the referendum's 60 days of
// ceasefire); when onRatify is given it offers the buttons for every ready
// step of the viewer's.
export function ratificationSection(view, onRatify) {
  const steps = (view.decision && view.decision.ratification) || [];
  if (!steps.length) return null;
  const st = view.state || {};
  const done = st.ratified || [];
  const states = st.steps || [];
  const failedAt = st.status === "failed" ? done.findIndex((x) => !x) : -1;
  const me = view.party;
  return h("section", { id: "ratification", class: "card" },
    h("h2", {}, "Ratification"),
    h("ol", { class: "steps" }, steps.map((step, i) => {
      const es = states[i] || {};
      let state = "waiting", label = "not yet due";
      if (done[i]) (state = "done"), (label = "complete");
      else if (st.status === "failed" && i === failedAt) (state = "failed"), (label = "failed");
      else if (es.ready) (state = "next"), (label = "may be taken now");
      else if (!st.agreement) label = "after an agreement";
      else if (es.waiting) label = "waiting";
      const mine = onRatify && es.ready && step.party === me;
      return h("li", { class: ["step", "step-" + state], "data-testid": `ratification-step-${i + 1}`, "data-state": state },
        h("div", { class: "step-head" }, h("strong", {}, step.body), h("span", { class: ["badge", "st-" + state] }, label)),
        h("div", { class: "muted small" }, `${partyName(view, step.party)} · ${step.kind}${step.condition ? " · " + step.condition : ""}`),
        !done[i] && es.waiting ? h("div", { class: "small step-waiting", "data-testid": `ratification-waiting-${i + 1}` }, `Not yet: ${es.waiting}.`) : null,
        mine ? h("div", { class: "step-actions" },
          h("button", { id: `ratify-${i + 1}`, class: "primary", "data-testid": "ratify", onclick: (e) => onRatify(i + 1, true, e.currentTarget) }, `Ratify: ${step.body}`),
          h("button", { id: `ratify-reject-${i + 1}`, class: "danger", onclick: (e) => {
            if (confirm(`Record that ${step.body} rejects the agreement? The agreement then fails.`)) onRatify(i + 1, false, e.currentTarget);
          } }, "Record rejection")) : null);
    })));
}

// agreementSection shows the agreed package.
export function agreementSection(view) {
  const st = view.state;
  if (!st || !st.agreement) return null;
  const f = view.framework;
  return h("section", { id: "agreement", class: "card agreement" },
    h("h2", {}, st.status === "in-force" ? "The agreement (in force)" : "The agreement"),
    h("ul", { class: "agreed-text" }, f.points.map((pt, i) => h("li", {},
      h("div", { class: "agreed-point" }, pointTitle(pt)),
      h("div", { class: "clause" }, optionLabel(pt, st.agreement[i])),
      optionClause(pt, st.agreement[i]) ? h("div", { class: "clause-text" }, prose(optionClause(pt, st.agreement[i])).join("\n\n")) : null))));
}

// frameworkSection lists every point with its options and clause text.
export function frameworkSection(view, ui) {
  const f = view.framework;
  ui.openPoints = ui.openPoints || {};
  return h("section", { id: "framework", class: "card" },
    h("h2", {}, `Framework: ${f.points.length} points`),
    f.points.map((pt, i) => {
      const d = h("details", { class: "point", id: `fw-point-${i}`, open: !!ui.openPoints[i], ontoggle: (e) => (ui.openPoints[i] = e.currentTarget.open) },
        h("summary", {}, pointTitle(pt), h("span", { class: "muted small" }, kindOf(pt) === KIND_OPTIONS ? ` · ${pt.options.length} options` : ` · ${kindOf(pt) === KIND_INTEGER ? "integer" : "real"} ${pt.min || 0}–${pt.max || 0}`)),
        pt.description ? h("p", { class: "point-desc" }, prose(pt.description).join("\n\n")) : null,
        kindOf(pt) === KIND_OPTIONS ? h("ol", { class: "options" }, pt.options.map((o) => h("li", {}, h("strong", {}, o.label || o.id), o.clause ? h("div", { class: "clause-text" }, prose(o.clause).join("\n\n")) : null))) : null);
      return d;
    }));
}

// utilityChart draws the viewer's own utility over time as an inline SVG.
export function utilityChart(view, max) {
  const pts = view.utilities || [];
  const W = 340, H = 170, L = 36, R = 10, T = 12, B = 26;
  const res = view.reservation;
  const top = Math.max(max || 0, ...pts.map((p) => p.utility), res || 0, 0.0001);
  const x = (i) => (pts.length <= 1 ? L + (W - L - R) / 2 : L + (i * (W - L - R)) / (pts.length - 1));
  const y = (u) => T + (H - T - B) * (1 - u / top);
  const svgEl = s("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", class: "chart", role: "img", "aria-label": "Your utility over time", id: "utility-svg" });
  for (const f of [0, 0.25, 0.5, 0.75, 1]) {
    const u = top * f;
    svgEl.append(s("line", { x1: L, x2: W - R, y1: y(u), y2: y(u), class: "grid" }), s("text", { x: L - 4, y: y(u) + 3, class: "axis", "text-anchor": "end", text: fmt.num(u) }));
  }
  if (typeof res === "number") {
    svgEl.append(s("line", { x1: L, x2: W - R, y1: y(res), y2: y(res), class: "reservation" }), s("text", { x: W - R, y: y(res) - 4, class: "axis res-label", "text-anchor": "end", text: "reservation" }));
  }
  if (pts.length) {
    const d = pts.map((p, i) => `${i ? "L" : "M"}${x(i).toFixed(1)},${y(p.utility).toFixed(1)}`).join(" ");
    svgEl.append(s("path", { d, class: "series" }));
    pts.forEach((p, i) => {
      const c = s("circle", { cx: x(i), cy: y(p.utility), r: 4, class: p.kind === "agreement" ? "pt agreement" : "pt" });
      c.append(s("title", { text: `${p.kind}${p.by ? " by " + partyName(view, p.by) : ""} (event ${p.seq}, round ${p.round}): ${fmt.num(p.utility, 3)}` }));
      svgEl.append(c);
      if (pts.length <= 12) svgEl.append(s("text", { x: x(i), y: H - 8, class: "axis", "text-anchor": "middle", text: p.kind === "agreement" ? "deal" : p.kind === "draft" ? `v${pts.slice(0, i + 1).filter((q) => q.kind === "draft").length}` : `#${p.seq}` }));
    });
  } else {
    svgEl.append(s("text", { x: W / 2, y: H / 2, class: "axis", "text-anchor": "middle", text: "No package on the table yet" }));
  }
  const title = view.role === "observer" ? `Utility of ${partyName(view, view.party)} over time` : "Your utility over time";
  return h("section", { id: "utility-chart", class: "card" }, h("h2", {}, title), svgEl,
    h("p", { class: "muted small" }, pts.length ? `Latest: ${fmt.num(pts[pts.length - 1].utility, 3)}${max ? ` of a best possible ${fmt.num(max, 3)}` : ""}` : "Each draft, offer and the agreement appear here as they come."));
}

// submitMove posts a move and reports the outcome.
export async function submitMove(view, move, button) {
  const r = await guard(() => api("POST", `/api/negotiations/${view.id}/moves`, move), button);
  return r;
}

export { notice };
