// Sections of the negotiation room shared by the party screen and the
// mediator console: the header, the status, the versions of the text,
// messages, the decision rule, ratification, the agreement, the framework
// and the utility chart. Each is a custom element (component.js) that
// selects from the room's store what it shows.

import { h, s, fmt, reading, kindOf, KIND_OPTIONS, KIND_INTEGER, optionLabel, optionClause, pointTitle, partyName, statusOf, STATUS_TEXT, prose, firstSentence } from "./lib.js";
import { define } from "./component.js";
import { headingOf } from "./protocols.js";
import { compile } from "./profile.js";

// ---------------------------------------------------------------- unsaved work

// Work not yet sent or saved (a message being written, a response, a
// profile being elicited): sections mark it with markDirty(key, true) and
// clear it once sent or saved (markDirty(key, false)). While anything is
// marked, or an element of the page says so (data-unsaved, or the
// elicitation's visible "Unsaved changes"), leaving the page (reload,
// close, another address) asks first, and so does a link within the app.
const dirtyKeys = new Set();

export function markDirty(key, on) {
  if (on) dirtyKeys.add(key);
  else dirtyKeys.delete(key);
}

// unsavedWork says whether the page holds work not sent or saved.
export function unsavedWork() {
  return dirtyKeys.size > 0 || !!document.querySelector("[data-unsaved]:not([hidden]), #eli-dirty:not([hidden])");
}

// clearDirty forgets every mark (the screen is left).
export function clearDirty() {
  dirtyKeys.clear();
}

window.addEventListener("beforeunload", (e) => {
  if (!unsavedWork()) return;
  e.preventDefault();
  e.returnValue = "";
});

// ---------------------------------------------------------------- header

// roomHead is the title, the scenario's description (first sentence;
// the rest on demand), its notice, and the live indicator (props:
// subtitle).
export const roomHead = define("parley-room-head", {
  init: () => ({ aboutOpen: false }),
  select: (st, el) => ({ title: st.view.title, description: st.view.description, notice: st.view.notice, subtitle: el.props.subtitle }),
  render: (st, el) => {
    const view = st.view, local = el.local;
    const desc = prose(view.description);
    return [
      h("div", { class: "room-head" },
        h("div", {},
          h("h1", { id: "room-title" }, view.title),
          el.props.subtitle ? h("p", { class: "muted" }, el.props.subtitle) : null,
          desc.length ? h("details", { class: "about", open: local.aboutOpen, ontoggle: (e) => (local.aboutOpen = e.currentTarget.open) },
            h("summary", {}, firstSentence(view.description), " ", h("span", { class: "more" }, "About the scenario")),
            desc.map((p) => h("p", {}, p))) : null),
        el.child("live", liveIndicator)),
      view.notice ? h("div", { class: "scenario-notice", id: "scenario-notice" }, prose(view.notice).map((p) => h("p", {}, p))) : null,
    ];
  },
});

// liveIndicator says whether the room's event stream is open.
export const liveIndicator = define("parley-live", {
  select: (st) => st.live,
  render: (st) => h("span", { class: "live", id: "live-indicator", role: "status", "data-live": st.live.on ? "on" : "off" }, st.live.text),
});

// ---------------------------------------------------------------- status

// waitingInfo says who the session waits for; facts are the protocol's.
export function waitingInfo(view, facts) {
  const st = view.state;
  const me = view.role === "mediator" ? view.mediator : view.party;
  if (!view.started || !st) return { text: "The mediator has not opened the talks yet.", mine: false };
  const names = (ids) => ids.map((p) => partyName(view, p)).join(", ");
  switch (st.status) {
    case "negotiating": {
      const waiting = st.waiting || [];
      const mine = waiting.includes(me);
      if (st.turn && facts && facts.turn_based) return { text: `Round ${st.round}. It is ${st.turn === me ? "your" : partyName(view, st.turn) + "'s"} turn.`, mine: st.turn === me };
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

// statusBanner is the status of the talks and whom they wait for.
export const statusBanner = define("parley-status", {
  select: (st) => {
    const v = st.view;
    return { started: v.started, state: v.state, role: v.role, party: v.party, mediator: v.mediator, ratification: v.decision.ratification, turnBased: !!(st.protocol && st.protocol.turn_based) };
  },
  render: (st) => statusBannerOf(st.view, st.protocol),
});

function statusBannerOf(view, facts) {
  const status = statusOf(view);
  const w = waitingInfo(view, facts);
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

// versions lists the versions of the single text with what changed.
export const versions = define("parley-versions", {
  select: (st) => drafts(st.view),
  render: (st) => versionsSection(st.view),
});

function versionsSection(view) {
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

// messages is the card of messages (props: title, readonly, relay): the
// composer and the list are sections of their own, so a message that
// arrives re-renders the list and leaves the text being written alone.
// A relay chosen in the list reaches the composer through the store
// (relay: {ref, from, text}).
export const messages = define("parley-messages", {
  select: (st, el) => el.props,
  render: (st, el) => h("section", { id: "messages", class: "card" }, h("h2", {}, el.props.title || "Messages"),
    el.props.readonly ? null : el.child("composer", messageComposer),
    el.child("list", messagesList, { relay: !!el.props.relay })),
});

const messagesList = define("parley-message-list", {
  select: (st) => ({ events: messageEvents(st.view), names: st.view.parties }),
  render: (st, el) => {
    const view = st.view;
    const onRelay = el.props.relay ? (e) => {
      el.room.store.set({ relay: { ref: e.seq, from: e.party, text: e.move.message } });
      const t = document.getElementById("msg-text");
      if (t) t.focus();
    } : null;
    const me = view.role === "mediator" ? view.mediator : view.party;
    const evs = messageEvents(view);
    if (!evs.length) return h("p", { class: "muted", id: "messages-empty" }, "No messages yet.");
    return h("ol", { class: "messages", id: "messages-list", "aria-label": "Messages, newest first" }, evs.slice().reverse().map((e) => {
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
  },
});

// messageComposer is the message form; for the mediator it also relays.
const messageComposer = define("parley-message-composer", {
  init: () => ({ text: "", to: null, adopted: null, problem: "" }),
  select: (st) => {
    const v = st.view;
    return { relay: st.relay || null, mediator: v.mediator, negotiators: v.negotiators, format: v.settings.format || v.format.default, noDirect: v.format.no_direct, names: v.parties, addressing: v.addressing || null };
  },
  render: (st, el) => {
    const view = st.view, local = el.local, store = el.room.store;
    const me = view.role === "mediator" ? view.mediator : view.party;
    // Whom the viewer may address is the engine's to say (view.addressing:
    // the meeting format's rules); without it, the whole table.
    const members = [];
    const ad = view.addressing;
    if (ad) members.push(...ad.to);
    else {
      if (view.mediator && view.mediator !== me) members.push(view.mediator);
      for (const p of view.negotiators || []) if (p !== me && !members.includes(p)) members.push(p);
    }
    const max = ad ? ad.max || 0 : 0;
    const everyone = ad ? !!ad.everyone : true;
    // A choice the engine would refuse never stays: only recipients on
    // offer are kept; a single possible recipient is the only choice.
    const kept = {};
    for (const p of members) if (local.to && local.to[p]) kept[p] = true;
    local.to = kept;
    if (members.length === 1 && !everyone) local.to[members[0]] = true;
    const relay = st.relay || null;
    if (relay && relay !== local.adopted) {
      local.adopted = relay;
      local.text = relay.text;
      local.to = {};
    }
    const fmtName = view.settings.format || view.format.default;
    const chosen = members.filter((p) => local.to[p]);
    const toggle = (p, on) => {
      if (max === 1 && on) local.to = {};
      local.to[p] = on;
      local.problem = "";
      el.update();
    };
    const fixed = members.length === 1 && !everyone && !relay;
    return h("form", { id: "message-form", class: "composer", onsubmit: (e) => {
      e.preventDefault();
      const text = local.text ? local.text.trim() : "";
      const to = members.filter((p) => local.to[p]);
      if (!to.length && (relay || !everyone)) {
        local.problem = "Choose whom the message is for.";
        el.update();
        return;
      }
      const move = relay ? { kind: "relay", message: text, to, ref: relay.ref } : { kind: "message", message: text, to };
      el.room.move(move, e.submitter, () => {
        local.text = "";
        markDirty("message", false);
        if (store.state.relay) store.set({ relay: null });
        else el.update();
      });
    } },
      relay ? h("div", { class: "relay-note", id: "relay-note" }, `Relaying message #${relay.ref} from ${partyName(view, relay.from)} — edit the wording if you paraphrase. `,
        h("button", { type: "button", class: "link-button", id: "relay-cancel", onclick: () => { local.text = ""; markDirty("message", false); store.set({ relay: null }); } }, "Cancel relay")) : null,
      h("textarea", { id: "msg-text", rows: 3, placeholder: relay ? "Relayed text" : "Write a message", "aria-label": relay ? "Relayed text" : "Message", oninput: (e) => {
        local.text = e.target.value;
        markDirty("message", !!local.text.trim());
      } }, local.text || ""),
      fixed
        ? h("p", { class: "recipients", id: "msg-to-fixed", "data-to": members[0] }, h("span", { class: "muted" }, "To: "), partyName(view, members[0]),
          fmtName === "proximity" ? h("span", { class: "muted small" }, " (in proximity talks you address the mediator, who relays)") : null)
        : h("div", { class: "recipients", role: "group", "aria-label": "Recipients" }, h("span", { class: "muted" }, "To: "),
          members.map((p) => h("label", { class: "check" }, h("input", { type: max === 1 ? "radio" : "checkbox", name: "msg-to", id: `msg-to-${p}`, checked: !!local.to[p],
            disabled: max > 1 && !local.to[p] && chosen.length >= max, onchange: (e) => toggle(p, e.target.checked) }), " ", partyName(view, p))),
          h("span", { class: "muted small", id: "msg-to-hint" }, !chosen.length && everyone && !relay ? " (none ticked: everyone at the table)" : max ? ` (at most ${max})` : "")),
      local.problem ? h("p", { class: "error-text", id: "msg-problem", role: "alert" }, local.problem) : null,
      h("div", { class: "form-foot" },
        h("span", { class: "muted small" }, `Format: ${fmtName}${(view.format.no_direct || []).length ? " · " + view.format.no_direct.map((pr) => `${partyName(view, pr[0])} and ${partyName(view, pr[1])} do not meet`).join("; ") : ""}`),
        h("button", { type: "submit", id: "msg-send", class: "primary" }, relay ? "Relay" : "Send message")));
  },
});

// ---------------------------------------------------------------- decision

// decision is the decision rule and the session's settings.
export const decision = define("parley-decision", {
  select: (st) => ({ decision: st.view.decision, settings: st.view.settings, format: st.view.format, protocol: st.protocol }),
  render: (st) => decisionSection(st.view, st.protocol),
});

function decisionSection(view, facts) {
  const d = view.decision || {};
  const rule = d.rule === "quorum" ? `quorum of ${d.quorum}` : d.rule || "unanimity";
  return h("section", { id: "decision", class: "card" },
    h("h2", {}, "Decision rule"),
    h("dl", { class: "facts" },
      h("dt", {}, "Rule"), h("dd", { id: "decision-rule" }, rule),
      h("dt", {}, "Vetoes"), h("dd", { id: "decision-vetoes" }, (d.vetoes || []).length ? d.vetoes.map((p) => partyName(view, p)).join(", ") : "none"),
      h("dt", {}, "Agreement"), h("dd", {}, d.agreement === "provisional" ? "provisional, point by point" : "nothing is agreed until everything is agreed"),
      h("dt", {}, "Protocol"), h("dd", { id: "settings-protocol", "data-protocol": view.settings.protocol, title: facts && facts.description ? firstSentence(facts.description) : null }, headingOf(facts) || view.settings.protocol),
      h("dt", {}, "Format"), h("dd", {}, view.settings.format || view.format.default || "plenary"),
      view.settings.rounds ? [h("dt", {}, "Deadline"), h("dd", {}, `${view.settings.rounds} rounds`)] : null,
      view.settings.minutes ? [h("dt", {}, "Time limit"), h("dd", {}, `${fmt.num(view.settings.minutes, 0)} minutes`)] : null));
}

// ratificationSection tracks the steps as the engine reports them
// (state.steps: done, ready, or waiting and why — for the steps a step
// waits for, or the plan's condition, such as the referendum's 60 days of
// ceasefire); with props.actions, a party's delegation gets the buttons
// for every ready step of its own.
export const ratification = define("parley-ratification", {
  select: (st, el) => ({ steps: st.view.decision.ratification, state: st.view.state, party: st.view.party, role: st.view.role, actions: !!el.props.actions }),
  render: (st, el) => {
    const view = st.view;
    const can = el.props.actions && view.role === "party" && statusOf(view) === "pending-ratification";
    return ratificationSection(view, can ? (ref, yes, btn) => el.room.move({ kind: "ratify", ref, yes }, btn) : null);
  },
});

function ratificationSection(view, onRatify) {
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
          h("button", { id: `ratify-${i + 1}`, class: "primary", "data-testid": "ratify", onclick: (e) => {
            if (confirm(`Record that ${step.body} ratifies the agreement (${partyName(view, step.party)})? This cannot be undone.`)) onRatify(i + 1, true, e.currentTarget);
          } }, `Ratify: ${step.body}…`),
          h("button", { id: `ratify-reject-${i + 1}`, class: "danger", onclick: (e) => {
            if (confirm(`Record that ${step.body} rejects the agreement? The agreement then fails.`)) onRatify(i + 1, false, e.currentTarget);
          } }, "Record rejection")) : null);
    })));
}

// agreement shows the agreed package.
export const agreement = define("parley-agreement", {
  select: (st) => ({ agreement: st.view.state && st.view.state.agreement, status: st.view.state && st.view.state.status }),
  render: (st) => agreementSection(st.view),
});

function agreementSection(view) {
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

// framework lists every point with its options and clause text (the
// framework does not change: it renders once).
export const framework = define("parley-framework", {
  init: () => ({ openPoints: {} }),
  select: () => 0,
  render: (st, el) => frameworkSection(st.view, el.local),
});

function frameworkSection(view, ui) {
  const f = view.framework;
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
export const utilityChart = define("parley-utility-chart", {
  select: (st) => ({ utilities: st.view.utilities, reservation: st.view.reservation, profile: st.view.profile, names: st.view.parties }),
  render: (st) => utilityChartOf(st.view, st.view.profile ? compile(st.view.framework, st.view.profile).max : 0),
});

function utilityChartOf(view, max) {
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
