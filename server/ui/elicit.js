// Profile elicitation (after Inspire): before the talks start a party
// states its own preferences in four steps — importance of the points,
// scores of the options (ranked with up/down buttons, fine-tuned with a
// slider) and the value of numeric points, fallback or reservation value,
// red lines — and saves them with PUT /api/negotiations/{id}/profile.
// Fields the steps do not edit (uncertainty, discount, ...) are sent back
// as they came.
//
// What a person reads: a notice while the numbers are still the scenario
// author's, the glossary's words as tooltips (glossary.js), utilities as
// "% of your best" (exact figures in tooltips), live warnings when the
// profile contradicts itself (a red line on the best option of a point, a
// reservation above every acceptable package, no importance anywhere).
// Unsaved changes are kept in the tab's sessionStorage, per seat, so a
// reload restores them (and says so).

import { h, s as svg, api, guard, fmt, notice, packagePicker, pointTitle, optionLabel, KIND_OPTIONS, KIND_INTEGER, kindOf, isScaleMax, prose, levels, partyName } from "./lib.js";
import { compile, utility, evalFunc, bestAllowedPackage, describeInteraction } from "./profile.js";
import { define } from "./component.js";
import { markDirty } from "./common.js";
import { term, asShare } from "./glossary.js";

const STEPS = ["Importance", "Options", "Fallback", "Red lines", "Combinations"];

// IA_ROWS is how many points an interaction stated in step 5 combines at
// most; IA_LABEL bounds its label in bytes (room.MaxInteractionLabel).
const IA_ROWS = 3;
const IA_LABEL = 200;

// OPEN_POINTS is how many points (the most important) step 2 shows open
// when the framework has more than FEW_POINTS; the others are collapsed.
const OPEN_POINTS = 5;
const FEW_POINTS = 6;

// SHAPES of a numeric point's value function as step 2 elicits it.
const SHAPES = [
  ["keep", "As it is now"],
  ["more", "More is better"],
  ["less", "Less is better"],
  ["peak", "Best at a value in between"],
];

function numericDefaults(pt) {
  const min = pt.min || 0, max = pt.max || 0;
  return { shape: "keep", best: max, lo: min, hi: max };
}

function initState(view, step) {
  const f = view.framework, p = view.profile;
  const maxW = Math.max(...p.weights, 0) || 1;
  const t = compile(f, p);
  const eli = {
    sig: JSON.stringify(p),
    step: step || 1,
    imp: p.weights.map((w) => Math.round((w / maxW) * 100)),
    wDirty: false,
    sc: f.points.map((pt, i) => {
      if (kindOf(pt) !== KIND_OPTIONS) return null;
      const row = (p.scores && p.scores[i]) || [];
      if (isScaleMax(p)) {
        const mx = Math.max(...row, 0);
        return row.map((v) => (mx > 0 ? Math.round((v / mx) * 100) : 0));
      }
      return row.map((v) => Math.max(0, Math.min(100, Math.round(v * 100))));
    }),
    sDirty: f.points.map(() => false),
    nf: f.points.map((pt) => (kindOf(pt) === KIND_OPTIONS ? null : numericDefaults(pt))),
    fDirty: f.points.map(() => false),
    open: {},
    mode: p.fallback ? "fallback" : "reservation",
    resPct: t.max > 0 ? Math.round(((p.reservation ?? 0) / t.max) * 100) : 0,
    fallback: p.fallback ? p.fallback.slice() : f.points.map(() => 0),
    rDirty: false,
    rl: {},
    rlKept: [],
    rlDirty: false,
    ia: structuredClone(p.interactions || []),
    iaDirty: false,
    iaNew: newInteractionForm(),
    iaErr: null,
    dirty: false,
  };
  for (const r of p.red_lines || []) {
    const terms = r.terms || [];
    if (terms.length === 1 && terms[0].levels.length === 1 && kindOf(f.points[terms[0].point]) === KIND_OPTIONS) {
      eli.rl[`${terms[0].point}:${terms[0].levels[0]}`] = { on: true, reason: r.reason || "" };
    } else {
      eli.rlKept.push(r);
    }
  }
  return eli;
}

// newInteractionForm is the empty form of step 5: up to IA_ROWS points
// with one option each, worth more or less, by a share of the best package.
function newInteractionForm() {
  return { rows: Array.from({ length: IA_ROWS }, () => ({ point: "", level: "" })), dir: "more", amount: "5", label: "" };
}

// numericFunc is the value function a numeric point's answers describe
// (profile.ValueFunc as JSON), or null when they describe none (kept as
// it is) or are inconsistent:
//   more: worth 0 at or below lo, rising linearly to 100% at best;
//   less: 100% at best, falling linearly to 0 at or above hi;
//   peak: 0 at or below lo, 100% at best, 0 at or above hi.
export function numericFunc(nf) {
  if (!nf) return null;
  const b = Number(nf.best), lo = Number(nf.lo), hi = Number(nf.hi);
  switch (nf.shape) {
    case "more":
      return b > lo ? { kind: "linear", origin: b, offset: 1, slope: 1 / (b - lo) } : null;
    case "less":
      return hi > b ? { kind: "linear", origin: b, offset: 1, slope: -1 / (hi - b) } : null;
    case "peak":
      return lo < b && b < hi ? { kind: "triangular", low: lo, top: b, high: hi, top_value: 1 } : null;
  }
  return null;
}

// buildProfile returns the profile the steps describe.
export function buildProfile(view, eli) {
  const f = view.framework;
  const p = structuredClone(view.profile);
  if (eli.wDirty) {
    const orig = p.weights.reduce((a, b) => a + b, 0) || 1;
    const sum = eli.imp.reduce((a, b) => a + b, 0);
    p.weights = sum > 0 ? eli.imp.map((v) => (v / sum) * orig) : eli.imp.map(() => 0);
  }
  f.points.forEach((pt, i) => {
    if (kindOf(pt) !== KIND_OPTIONS) {
      const fn = eli.fDirty && eli.fDirty[i] ? numericFunc(eli.nf[i]) : null;
      if (fn) {
        p.funcs = p.funcs || f.points.map(() => null);
        p.funcs[i] = fn;
      }
      return;
    }
    if (!eli.sDirty[i]) return;
    if (isScaleMax(p)) {
      // Keep the unit of the scores (uncertainty intervals use it).
      const mx = Math.max(...p.scores[i], 0);
      const unit = mx > 0 ? mx / 100 : 1;
      p.scores[i] = eli.sc[i].map((v) => v * unit);
    } else {
      p.scores[i] = eli.sc[i].map((v) => v / 100);
    }
  });
  if (eli.rDirty) {
    if (eli.mode === "fallback") {
      p.fallback = eli.fallback.slice();
      delete p.reservation;
    } else {
      // The reservation is a utility: a share of the best package, in the
      // units of the (possibly re-weighted) profile.
      const t = compile(f, Object.assign({}, p, { reservation: undefined, fallback: undefined }));
      p.reservation = Math.round((eli.resPct / 100) * t.max * 10000) / 10000;
      delete p.fallback;
    }
  }
  if (eli.rlDirty) {
    const lines = eli.rlKept.slice();
    for (const [k, v] of Object.entries(eli.rl)) {
      if (!v.on) continue;
      const [pt, l] = k.split(":").map(Number);
      const r = { terms: [{ point: pt, levels: [l] }] };
      if (v.reason && v.reason.trim()) r.reason = v.reason.trim();
      lines.push(r);
    }
    lines.sort((a, b) => a.terms[0].point - b.terms[0].point || a.terms[0].levels[0] - b.terms[0].levels[0]);
    if (lines.length) p.red_lines = lines;
    else delete p.red_lines;
  }
  if (eli.iaDirty) {
    if (eli.ia.length) p.interactions = structuredClone(eli.ia);
    else delete p.interactions;
  }
  return p;
}

// warnings lists what contradicts itself in the profile the steps
// describe: [{kind, text}]. kind is one of weights-zero, all-red,
// redline-best, no-package, reservation-high, numeric-invalid.
export function warnings(view, eli) {
  const f = view.framework;
  const out = [];
  const p = buildProfile(view, eli);
  if (!p.weights.some((w) => w > 0)) out.push({ kind: "weights-zero", text: "Every point has importance 0: every package would be worth the same to you, and your profile cannot be saved. Give at least one point some importance (step 1)." });
  let allRed = false;
  f.points.forEach((pt, i) => {
    if (kindOf(pt) !== KIND_OPTIONS) {
      const nf = eli.nf[i];
      if (eli.fDirty[i] && nf.shape !== "keep" && !numericFunc(nf)) out.push({ kind: "numeric-invalid", text: `“${pointTitle(pt)}”: the best value must lie ${nf.shape === "peak" ? "strictly between the two values worth nothing" : nf.shape === "more" ? "above the value worth nothing" : "below the value worth nothing"}; until it does, the point keeps its value function.` });
      return;
    }
    const on = pt.options.map((o, l) => !!(eli.rl[`${i}:${l}`] || {}).on);
    const sc = eli.sc[i], mx = Math.max(...sc);
    if (on.length && on.every(Boolean)) {
      allRed = true;
      out.push({ kind: "all-red", text: `Every option of “${pointTitle(pt)}” is a red line: no package is acceptable to you.` });
      return;
    }
    on.forEach((x, l) => {
      if (x && mx > Math.min(...sc) && sc[l] === mx) out.push({ kind: "redline-best", text: `“${optionLabel(pt, l)}” is a red line, yet it is your best option on “${pointTitle(pt)}” (score ${sc[l]} of 100). Lower its score in step 2, or take the red line off.` });
    });
  });
  if (out.some((w) => w.kind === "weights-zero") || allRed) return out;
  const t = compile(f, p);
  const best = bestAllowedPackage(t, p);
  if (!best) {
    out.push({ kind: "no-package", text: "Every package crosses one of your red lines: no agreement is acceptable to you." });
  } else if (t.hasReservation) {
    const ub = utility(t, best);
    if (t.reservation > ub + 1e-4 * Math.max(t.max, 1e-9)) {
      out.push({ kind: "reservation-high", text: `Your ${eli.mode === "fallback" ? "fallback is worth" : "reservation value is"} ${fmt.pct(t.max > 0 ? t.reservation / t.max : 0)} of your best, above every package you can accept (the best of them, within your red lines, is worth ${fmt.pct(t.max > 0 ? ub / t.max : 0)}): you would accept no agreement at all.` });
    }
  }
  return out;
}

function warningNodes(view, eli) {
  return warnings(view, eli).map((w) => h("p", { class: "eli-warning", "data-warning": w.kind }, h("strong", {}, "Check: "), w.text));
}

// Drafts: the unsaved state of the steps, per seat, in the tab's
// sessionStorage (it survives a reload, not the tab), with the profile it
// started from: a draft of an older profile is dropped.
function draftKey(view) {
  return `parley-eli-draft:${view.id}:${view.party}`;
}

function saveDraft(view, eli) {
  try {
    sessionStorage.setItem(draftKey(view), JSON.stringify({ base: eli.sig, at: Date.now(), eli }));
  } catch {
    /* storage full or disabled: nothing is kept */
  }
}

function loadDraft(view, sig) {
  try {
    const d = JSON.parse(sessionStorage.getItem(draftKey(view)) || "null");
    if (d && d.eli && d.base === sig) return d;
    if (d) sessionStorage.removeItem(draftKey(view));
  } catch {
    /* an unreadable draft is no draft */
  }
  return null;
}

function dropDraft(view) {
  try {
    sessionStorage.removeItem(draftKey(view));
  } catch {
    /* nothing to drop */
  }
}

// elicitation is the four steps, as a section: its state (eli) is its own
// and survives the View's updates; a saved profile that comes back from
// the server starts it afresh (on the same step) unless there are unsaved
// changes.
export const elicitation = define("parley-elicitation", {
  init: () => ({}),
  select: (s) => ({ profile: s.view.profile, saved: !!(s.view.seat && s.view.seat.profile_saved) }),
  render: (s, el) => elicitationOf(s.view, el.local, () => el.update(), el.room.refresh),
});

function elicitationOf(view, ui, rerender, refresh) {
  const sig = JSON.stringify(view.profile);
  if (!ui.eli) {
    const d = loadDraft(view, sig);
    if (d) {
      ui.eli = Object.assign(initState(view, 1), d.eli, { dirty: true });
      ui.restoredAt = d.at;
      markDirty("profile", true);
    }
  }
  if (!ui.eli || (ui.eli.sig !== sig && !ui.eli.dirty)) ui.eli = initState(view, ui.eli ? ui.eli.step : ui.eliStep);
  const eli = ui.eli;
  const refreshWarnings = () => {
    const w = document.getElementById("eli-warnings");
    if (w) w.replaceChildren(...warningNodes(view, eli));
  };
  const touch = () => {
    eli.dirty = true;
    markDirty("profile", true);
    const d = document.getElementById("eli-dirty");
    if (d) d.hidden = false;
    saveDraft(view, eli);
    refreshWarnings();
  };
  const go = (n) => {
    eli.step = n;
    if (eli.dirty) saveDraft(view, eli);
    rerender();
    const w = document.getElementById("elicitation");
    if (w) w.scrollIntoView({ block: "start" });
  };

  const stepper = h("ol", { class: "stepper", id: "eli-steps" }, STEPS.map((name, k) =>
    h("li", { class: eli.step === k + 1 ? "current" : eli.step > k + 1 ? "done" : "" },
      h("button", { type: "button", id: `eli-step-${k + 1}`, class: "step-button", "aria-current": eli.step === k + 1 ? "step" : null, onclick: () => go(k + 1) }, h("span", { class: "step-no" }, String(k + 1)), " ", name))));

  let body;
  if (eli.step === 1) body = stepImportance(view, eli, touch);
  else if (eli.step === 2) body = stepScores(view, eli, touch, rerender);
  else if (eli.step === 3) body = stepFallback(view, eli, touch);
  else if (eli.step === 4) body = stepRedLines(view, eli, touch, rerender);
  else body = stepInteractions(view, eli, touch, rerender);

  const save = async (btn) => {
    const p = buildProfile(view, eli);
    if (!p.weights.some((w) => w > 0)) throw new Error("Give at least one point some importance.");
    await guard(async () => {
      try {
        await api("PUT", `/api/negotiations/${view.id}/profile`, p);
      } catch (e) {
        // profile.Check names the interaction by number: show the
        // message next to it, on step 5.
        const m = /interaction (\d+)/.exec(e.message || "");
        if (m && Number(m[1]) >= 1 && Number(m[1]) <= eli.ia.length) {
          eli.iaErr = { index: Number(m[1]) - 1, text: e.message };
          eli.step = 5;
          rerender();
        }
        throw e;
      }
      eli.iaErr = null;
      dropDraft(view);
      markDirty("profile", false);
      ui.eliStep = eli.step;
      ui.eli = null;
      ui.restoredAt = null;
      ui.eliSaved = true;
      notice("Your profile is saved.");
      await refresh();
      rerender();
      // The step stays; focus stays on the save button (or goes to the
      // "Saved" badge if the button went).
      const a = document.activeElement;
      if (!a || a === document.body || !a.isConnected) {
        const b = document.getElementById("eli-save") || document.getElementById("eli-saved");
        if (b) b.focus({ preventScroll: true });
      }
    }, btn);
  };

  const nav = h("div", { class: "wizard-nav" },
    eli.step > 1 ? h("button", { type: "button", id: "eli-back", onclick: () => go(eli.step - 1) }, "← Back") : h("span"),
    h("span", { id: "eli-dirty", class: "unsaved", hidden: !eli.dirty }, "Unsaved changes"),
    h("span", { class: "wizard-nav-right" },
      eli.step < STEPS.length ? h("button", { type: "button", id: "eli-next", class: "primary", onclick: () => go(eli.step + 1) }, `Next: ${STEPS[eli.step]} →`) : null,
      // Saving is possible from every step: a party that agrees with the
      // rest need not walk through it.
      h("button", { type: "button", id: "eli-save", class: eli.step === STEPS.length ? "primary" : "", "data-testid": "save-profile", onclick: (e) => guard(() => save(e.currentTarget)) }, "Save my profile")));

  const prefilled = view.seat && !view.seat.profile_saved;
  return h("section", { id: "elicitation", class: "card wizard", "data-step": String(eli.step) },
    h("div", { class: "card-head" }, h("h2", {}, "Your profile"),
      ui.eliSaved && !eli.dirty ? h("span", { id: "eli-saved", class: "badge st-agreed", tabindex: "-1", role: "status" }, "Saved") : null),
    prefilled ? h("div", { id: "eli-prefilled", class: "eli-notice", role: "note" },
      h("strong", {}, "These numbers are not yours yet. "),
      "They are ", term("prefilled", "pre-filled"), ` from the scenario's author: the profile written for ${partyName(view, view.party)} in the scenario “${view.scenario}”. Until you save your own, the tools and the mediator's analysis use the author's numbers. Check each step, change what is not your view, and save.`) : null,
    ui.restoredAt && eli.dirty ? h("div", { id: "eli-restored", class: "eli-notice restored", role: "status" },
      `Restored unsaved changes from ${fmt.clock(ui.restoredAt)} (kept in this browser tab). They are not saved yet. `,
      h("button", { type: "button", id: "eli-discard", class: "subtle", onclick: () => {
        dropDraft(view);
        markDirty("profile", false);
        ui.eli = null;
        ui.restoredAt = null;
        rerender();
      } }, "Discard them")) : null,
    h("p", { class: "muted" }, "Your profile is private: the other parties never see it. It sets how the tools below rate packages for you, as a share of ", term("best", "your best"), " package. You can revise it until the mediator opens the talks."),
    stepper, body,
    h("div", { id: "eli-warnings", class: "eli-warnings", role: "status", "aria-live": "polite" }, warningNodes(view, eli)),
    nav);
}

function stepImportance(view, eli, touch) {
  const f = view.framework;
  const share = (i) => {
    const sum = eli.imp.reduce((a, b) => a + b, 0);
    return sum > 0 ? eli.imp[i] / sum : 0;
  };
  const update = () => {
    eli.imp.forEach((v, i) => {
      const a = document.getElementById(`w-${i}-val`);
      const b = document.getElementById(`w-${i}-share`);
      const bar = document.getElementById(`w-${i}-bar`);
      if (a) a.textContent = String(v);
      if (b) b.textContent = fmt.pct(share(i));
      if (bar) bar.style.width = (share(i) * 100 * 3).toFixed(1) + "%";
    });
  };
  return h("div", { class: "wizard-step", id: "eli-importance" },
    h("h3", {}, "Step 1 · How ", term("importance", "important"), " is each point to you?"),
    h("p", { class: "help" }, "Put the point that matters most to you at 100 and rate the others relative to it (arrow keys move a slider; Home and End jump to 0 and 100). The weights on the right are the shares that result."),
    h("table", { class: "sliders compact" },
      h("thead", {}, h("tr", {}, h("th", {}, "Point"), h("th", {}, "Importance"), h("th", { class: "num" }, ""), h("th", { class: "num" }, term("importance", "Weight")))),
      h("tbody", {}, f.points.map((pt, i) => h("tr", {},
        h("td", { class: "point-cell" }, h("label", { for: `w-${i}` }, pointTitle(pt))),
        h("td", { class: "slider-cell" }, h("input", { type: "range", min: 0, max: 100, step: 1, value: eli.imp[i], id: `w-${i}`, "aria-label": `Importance of ${pointTitle(pt)}`,
          oninput: (e) => {
            eli.imp[i] = Number(e.target.value);
            eli.wDirty = true;
            touch();
            update();
          } })),
        h("td", { class: "num", id: `w-${i}-val` }, String(eli.imp[i])),
        h("td", { class: "num share-cell" }, h("span", { class: "share-bar", id: `w-${i}-bar`, style: `width:${(share(i) * 300).toFixed(1)}%` }), h("span", { id: `w-${i}-share` }, fmt.pct(share(i)))))))));
}

// ranked returns the options of point i, best first (ties: framework order).
function ranked(eli, i) {
  const sc = eli.sc[i];
  return sc.map((_, l) => l).sort((a, b) => sc[b] - sc[a] || a - b);
}

// digest is a point's summary line: its best and worst option.
function digest(pt, eli, i) {
  if (kindOf(pt) !== KIND_OPTIONS) {
    const nf = eli.nf[i];
    if (nf.shape === "keep") return "numeric: value function as it is";
    const label = SHAPES.find((s) => s[0] === nf.shape)[1].toLowerCase();
    return `numeric: ${label}, best at ${nf.best}`;
  }
  const r = ranked(eli, i);
  if (!r.length) return "";
  return `best: ${optionLabel(pt, r[0])} · worst: ${optionLabel(pt, r[r.length - 1])}`;
}

function stepScores(view, eli, touch, rerender) {
  const f = view.framework;
  const n = f.points.length;
  const byImportance = f.points.map((_, i) => i).sort((a, b) => eli.imp[b] - eli.imp[a] || a - b);
  const top = new Set(n <= FEW_POINTS ? byImportance : byImportance.slice(0, OPEN_POINTS));
  const isOpen = (i) => (eli.open[i] === undefined ? top.has(i) : eli.open[i]);
  // A point's open state is noted by its toggle event, which the browser
  // sends a task after the click: a re-render before it (an option ranked
  // at once) drew the point closed again, its buttons gone with the focus.
  // So the points' live state is read before every re-render from this
  // step ("Open/Close every point" set theirs and re-render directly).
  const redraw = () => {
    f.points.forEach((_, i) => {
      const d = document.getElementById(`sp-${i}`);
      if (d) eli.open[i] = d.open;
    });
    rerender();
  };
  const sum = eli.imp.reduce((a, b) => a + b, 0) || 1;
  const setDigest = (pt, i) => {
    const d = document.getElementById(`sp-${i}-digest`);
    if (d) d.textContent = digest(pt, eli, i);
  };
  const pointBox = (pt, i) => h("details", { class: "score-point", id: `sp-${i}`, open: isOpen(i), ontoggle: (e) => (eli.open[i] = e.currentTarget.open) },
    h("summary", { id: `sp-${i}-summary` },
      h("span", { class: "sp-title" }, pointTitle(pt)),
      h("span", { class: "sp-weight muted small", title: "the point's weight (step 1)" }, fmt.pct(eli.imp[i] / sum)),
      h("span", { class: "sp-digest muted small", id: `sp-${i}-digest` }, digest(pt, eli, i))),
    kindOf(pt) === KIND_OPTIONS ? optionRows(pt, i) : numericPoint(view, pt, i, eli, touch, redraw, () => setDigest(pt, i)));

  const optionRows = (pt, i) => {
    const order = ranked(eli, i);
    const move = (r, d) => {
      const j = r + d;
      if (j < 0 || j >= order.length) return;
      const a = order[r], b = order[j], sc = eli.sc[i];
      if (sc[a] !== sc[b]) [sc[a], sc[b]] = [sc[b], sc[a]];
      else if (d < 0) {
        if (sc[b] < 100) sc[a] = sc[b] + 1;
        else sc[b] = sc[a] - 1;
      } else if (sc[b] > 0) sc[a] = sc[b] - 1;
      else sc[b] = sc[a] + 1;
      eli.sDirty[i] = true;
      touch();
      redraw();
      // Focus follows the option moved, whether the click focused its
      // button or not (a tap may not): the keyboard goes on from there.
      const btn = document.getElementById(`s-${i}-${a}-${d < 0 ? "up" : "down"}`);
      if (btn && document.activeElement !== btn) btn.focus({ preventScroll: true });
    };
    return h("ol", { class: "rank-list", "aria-label": `Options of ${pointTitle(pt)}, best first` }, order.map((l, r) => {
      const o = pt.options[l], label = o.label || o.id;
      return h("li", { class: "score-row", "data-option": String(l) },
        h("span", { class: "rank-no", "aria-hidden": "true" }, String(r + 1)),
        h("label", { for: `s-${i}-${l}`, class: "score-label" }, h("span", { class: "opt-label" }, label),
          o.clause ? h("span", { class: "clause-snippet", title: prose(o.clause).join("\n\n") }, prose(o.clause).join(" ")) : null),
        h("span", { class: "rank-buttons" },
          h("button", { type: "button", class: "icon", id: `s-${i}-${l}-up`, "aria-label": `Rank ${label} higher`, title: "Rank higher", "aria-disabled": r === 0 ? "true" : null, onclick: () => move(r, -1) }, "▲"),
          h("button", { type: "button", class: "icon", id: `s-${i}-${l}-down`, "aria-label": `Rank ${label} lower`, title: "Rank lower", "aria-disabled": r === order.length - 1 ? "true" : null, onclick: () => move(r, 1) }, "▼")),
        h("input", { type: "range", min: 0, max: 100, step: 1, value: eli.sc[i][l], id: `s-${i}-${l}`, "aria-label": `Score of ${label} (0 to 100)`,
          oninput: (e) => {
            eli.sc[i][l] = Number(e.target.value);
            eli.sDirty[i] = true;
            touch();
            const v = document.getElementById(`s-${i}-${l}-val`);
            if (v) v.textContent = e.target.value;
            setDigest(pt, i);
          },
          // Re-rank once the slider is let go.
          onchange: () => redraw() }),
        h("span", { class: "num score-val", id: `s-${i}-${l}-val` }, String(eli.sc[i][l])));
    }));
  };

  const topList = byImportance.filter((i) => top.has(i)).sort((a, b) => a - b);
  const rest = f.points.map((_, i) => i).filter((i) => !top.has(i));
  return h("div", { class: "wizard-step", id: "eli-scores" },
    h("h3", {}, "Step 2 · How good is each option for you?"),
    h("p", { class: "help" }, "Rank the options of each point with ▲ and ▼ (best first), then adjust the ", term("score", "scores"), " if you like: 0 is the worst for you, 100 the best. For a ", term("numeric", "numeric point"), ", say which value is best and how fast its worth falls away."),
    h("div", { class: "form-foot left" },
      h("button", { type: "button", id: "sp-open-all", class: "subtle", onclick: () => { f.points.forEach((_, i) => (eli.open[i] = true)); rerender(); } }, "Open every point"),
      h("button", { type: "button", id: "sp-close-all", class: "subtle", onclick: () => { f.points.forEach((_, i) => (eli.open[i] = false)); rerender(); } }, "Close every point")),
    rest.length ? h("h4", { class: "sp-group" }, "The points that matter most to you") : null,
    topList.map((i) => pointBox(f.points[i], i)),
    rest.length ? h("h4", { class: "sp-group" }, "The other points") : null,
    rest.map((i) => pointBox(f.points[i], i)));
}

// numericPoint elicits a numeric point's value function: its shape, the
// best value and where it is worth nothing, with a preview.
function numericPoint(view, pt, i, eli, touch, rerender, onDigest) {
  const nf = eli.nf[i];
  const min = pt.min || 0, max = pt.max || 0;
  const kept = (view.profile.funcs || [])[i];
  const current = () => (nf.shape === "keep" ? kept : numericFunc(nf) || kept);
  const unit = kindOf(pt) === KIND_INTEGER ? 1 : "any";
  const refreshPreview = () => {
    const p = document.getElementById(`nf-${i}-preview`);
    if (p) p.replaceWith(preview(pt, i, current(), nf.shape === "keep" ? undefined : Number(nf.best)));
    onDigest();
  };
  const field = (key, label) => h("label", { class: "nf-field" }, label,
    h("input", { type: "number", id: `nf-${i}-${key}`, value: nf[key], min, max, step: unit,
      oninput: (e) => {
        nf[key] = Number(e.target.value);
        eli.fDirty[i] = true;
        touch();
        refreshPreview();
      } }));
  return h("div", { class: "numeric-point" },
    h("p", { class: "small muted" }, `From ${min} to ${max}. `, nf.shape === "keep" ? "Pick a shape to state your own." : ""),
    h("div", { class: "nf-fields" },
      h("label", { class: "nf-field" }, "Which values are better for you?",
        h("select", { id: `nf-${i}-shape`, onchange: (e) => {
          nf.shape = e.target.value;
          if (nf.shape === "more") Object.assign(nf, { best: max, lo: min });
          if (nf.shape === "less") Object.assign(nf, { best: min, hi: max });
          if (nf.shape === "peak") Object.assign(nf, { best: kindOf(pt) === KIND_INTEGER ? Math.round((min + max) / 2) : (min + max) / 2, lo: min, hi: max });
          eli.fDirty[i] = true;
          touch();
          rerender();
        } }, SHAPES.map(([k, label]) => h("option", { value: k, selected: nf.shape === k }, label)))),
      nf.shape !== "keep" ? field("best", "Best value") : null,
      nf.shape === "more" || nf.shape === "peak" ? field("lo", "Worth nothing at or below") : null,
      nf.shape === "less" || nf.shape === "peak" ? field("hi", "Worth nothing at or above") : null),
    preview(pt, i, current(), nf.shape === "keep" ? undefined : Number(nf.best)));
}

// preview draws a value function over a numeric point's range, with its
// worth at the ends and at the best value (best: the value the party
// named best; a function flat at 100% beyond it — "less is better, best at
// 1" is worth 100% at 0 too — still reads "best at 1").
function preview(pt, i, fn, best) {
  const min = pt.min || 0, max = pt.max || 0;
  const W = 260, H = 80, n = Math.min(levels(pt), 61);
  const xs = [];
  for (let k = 0; k < n; k++) xs.push(n > 1 ? min + ((max - min) * k) / (n - 1) : min);
  const ys = xs.map((x) => Math.max(0, Math.min(1, evalFunc(fn, x))));
  const top = Math.max(...ys, 1e-9);
  const px = (k) => (n > 1 ? 6 + ((W - 12) * k) / (n - 1) : W / 2);
  const py = (y) => H - 14 - ((H - 22) * y) / top;
  const pts = ys.map((y, k) => `${px(k).toFixed(1)},${py(y).toFixed(1)}`).join(" ");
  const bestK = ys.indexOf(Math.max(...ys));
  const say = (x, y) => `${Math.round(x * 1000) / 1000}: ${fmt.pct(y / top)}`;
  const named = typeof best === "number" && isFinite(best) && best >= min && best <= max;
  const bestSay = named ? say(best, Math.max(0, Math.min(1, evalFunc(fn, best)))) : say(xs[bestK], ys[bestK]);
  return h("div", { class: "nf-preview", id: `nf-${i}-preview` },
    svg("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: "img", "aria-label": `Worth of ${pointTitle(pt)} across its range` },
      svg("line", { x1: 6, y1: H - 14, x2: W - 6, y2: H - 14, class: "nf-axis" }),
      svg("polyline", { points: pts, class: "nf-line", fill: "none" }),
      svg("text", { x: 6, y: H - 2, class: "nf-tick" }, String(min)),
      svg("text", { x: W - 6, y: H - 2, class: "nf-tick", "text-anchor": "end" }, String(max))),
    h("p", { class: "small figure", id: `nf-${i}-text` }, `Worth to you (100% = this point's best): at ${say(xs[0], ys[0])} · best at ${bestSay} · at ${say(xs[n - 1], ys[n - 1])}`));
}

function stepFallback(view, eli, touch) {
  const f = view.framework;
  const preview = () => {
    const p = buildProfile(view, Object.assign({}, eli, { rDirty: false }));
    const t = compile(f, Object.assign({}, p, { reservation: undefined, fallback: undefined }));
    return { t, fbU: utility(t, eli.fallback) };
  };
  const resFigure = (t) => h("p", { id: "eli-res-figure", class: "figure", title: `utility ${fmt.num((eli.resPct / 100) * t.max, 4)} of a best possible ${fmt.num(t.max, 4)}` },
    `You would rather have no agreement than a package worth less than ${eli.resPct}% of your best.`);
  const fbFigure = (t, fbU) => h("p", { id: "eli-fb-figure", class: "figure" }, "This fallback is worth ", asShare(fbU, t.max), " to you.");
  const refreshFigures = () => {
    const { t, fbU } = preview();
    const r = document.getElementById("eli-res-figure");
    if (r) r.replaceWith(resFigure(t));
    const b = document.getElementById("eli-fb-figure");
    if (b) b.replaceWith(fbFigure(t, fbU));
  };
  const { t, fbU } = preview();
  const setMode = (m) => {
    eli.mode = m;
    eli.rDirty = true;
    touch();
    document.getElementById("eli-res-box").classList.toggle("inactive", m !== "reservation");
    document.getElementById("eli-fb-box").classList.toggle("inactive", m !== "fallback");
  };
  return h("div", { class: "wizard-step", id: "eli-fallback" },
    h("h3", {}, "Step 3 · What happens without an agreement?"),
    h("p", { class: "help" }, "A package worth less to you than your alternative is worse than no agreement. State it either as a ", term("reservation", "reservation value"), " (a share of your best package) or as a ", term("fallback", "fallback package"), " — the outcome you expect if the talks fail."),
    h("div", { class: "choice", role: "radiogroup", "aria-label": "How you state your alternative" },
      h("label", { class: "radio" }, h("input", { type: "radio", name: "eli-mode", id: "eli-mode-reservation", checked: eli.mode === "reservation", onchange: () => setMode("reservation") }), " Reservation value"),
      h("label", { class: "radio" }, h("input", { type: "radio", name: "eli-mode", id: "eli-mode-fallback", checked: eli.mode === "fallback", onchange: () => setMode("fallback") }), " Fallback package")),
    h("div", { id: "eli-res-box", class: ["subpanel", eli.mode !== "reservation" ? "inactive" : ""] },
      h("label", { for: "eli-res-pct" }, "Least acceptable share of your best package: ", h("strong", { id: "eli-res-val" }, `${eli.resPct}%`)),
      h("input", { type: "range", id: "eli-res-pct", min: 0, max: 100, step: 1, value: eli.resPct,
        oninput: (e) => {
          eli.resPct = Number(e.target.value);
          if (eli.mode !== "reservation") {
            setMode("reservation");
            document.getElementById("eli-mode-reservation").checked = true;
          }
          eli.rDirty = true;
          touch();
          const v = document.getElementById("eli-res-val");
          if (v) v.textContent = `${eli.resPct}%`;
          refreshFigures();
        } }),
      resFigure(t)),
    h("div", { id: "eli-fb-box", class: ["subpanel", eli.mode !== "fallback" ? "inactive" : ""] },
      h("p", {}, "Your fallback package: the option you expect on every point without an agreement."),
      packagePicker(f, eli.fallback, { idPrefix: "fb", onChange: () => {
        if (eli.mode !== "fallback") {
          setMode("fallback");
          document.getElementById("eli-mode-fallback").checked = true;
        }
        eli.rDirty = true;
        touch();
        refreshFigures();
      } }),
      fbFigure(t, fbU)));
}

function stepRedLines(view, eli, touch, rerender) {
  const f = view.framework;
  const rows = [];
  f.points.forEach((pt, i) => {
    if (kindOf(pt) !== KIND_OPTIONS) return;
    const on = (l) => !!(eli.rl[`${i}:${l}`] || {}).on;
    rows.push(h("div", { class: ["rl-point", pt.options.some((o, l) => on(l)) ? "has-red" : ""], role: "group", "aria-labelledby": `rl-${i}-title` },
      h("div", { class: "rl-title", id: `rl-${i}-title` }, pointTitle(pt)),
      h("div", { class: "rl-options" }, pt.options.map((o, l) => {
        const key = `${i}:${l}`;
        const v = eli.rl[key] || { on: false, reason: "" };
        return h("label", { class: ["rl-chip", v.on ? "on" : ""], for: `rl-${i}-${l}`, title: `your score: ${eli.sc[i][l]} of 100` },
          h("input", { type: "checkbox", id: `rl-${i}-${l}`, checked: v.on, "aria-label": `Never accept ${o.label || o.id}`,
            onchange: (e) => {
              eli.rl[key] = Object.assign({}, v, { on: e.target.checked });
              eli.rlDirty = true;
              touch();
              rerender();
            } }), " ", o.label || o.id, h("span", { class: "rl-score muted" }, ` ${eli.sc[i][l]}`));
      })),
      pt.options.some((o, l) => on(l) && eli.sc[i][l] === Math.max(...eli.sc[i]) && eli.sc[i][l] > Math.min(...eli.sc[i]))
        ? h("p", { class: "eli-warning inline", "data-warning": "redline-best-here" }, "You ticked your best option on this point: is that what you mean?") : null,
      pt.options.map((o, l) => {
        if (!on(l)) return null;
        const key = `${i}:${l}`;
        return h("input", { type: "text", id: `rl-${i}-${l}-reason`, class: "reason", value: eli.rl[key].reason || "", placeholder: `Private reason for never accepting “${o.label || o.id}” (optional)`, maxlength: 2000, "aria-label": `Private reason for never accepting ${o.label || o.id}`,
          oninput: (e) => {
            eli.rl[key] = Object.assign({}, eli.rl[key], { reason: e.target.value });
            eli.rlDirty = true;
            touch();
          } });
      })));
  });
  return h("div", { class: "wizard-step", id: "eli-redlines" },
    h("h3", {}, "Step 4 · ", term("redline", "Red lines")),
    h("p", { class: "help" }, "Tick the options you will never accept, whatever else a package offers (the number is your score of the option). A package with one of them is unacceptable to you. The reason is for your own record and is never shown to anyone else."),
    eli.rlKept.length ? h("div", { class: "subpanel", id: "rl-kept" },
      h("strong", {}, "Combinations you will not accept (kept as they are):"),
      h("ul", {}, eli.rlKept.map((r) => h("li", {}, r.terms.map((t) => `${pointTitle(f.points[t.point])}: ${t.levels.map((l) => optionLabel(f.points[t.point], l)).join(" or ")}`).join(" together with "), r.reason ? h("span", { class: "muted" }, ` — ${r.reason}`) : null)))) : null,
    h("div", { class: "redlines compact" }, rows));
}

// validateInteraction checks step 5's form as profile.Check would check
// the interaction it describes, and returns {errors, interaction}: errors
// per field (rows: per row; amount; label; form: the whole), each naming
// the problem, and the interaction (value in the profile's units: the
// share of the best package times base) when there is none.
export function validateInteraction(f, form, base) {
  const errors = { rows: [] };
  const terms = [];
  const seen = {};
  form.rows.forEach((r, k) => {
    if (r.point === "" || r.point === undefined) return;
    const i = Number(r.point), pt = f.points[i];
    if (!pt || kindOf(pt) !== KIND_OPTIONS) {
      errors.rows[k] = "Choose a point from the list.";
      return;
    }
    if (seen[i] !== undefined) {
      errors.rows[k] = `“${pointTitle(pt)}” is chosen twice: choose each point once.`;
      return;
    }
    seen[i] = k;
    if (r.level === "" || r.level === undefined || !(Number(r.level) >= 0 && Number(r.level) < pt.options.length)) {
      errors.rows[k] = `Choose an option of “${pointTitle(pt)}”.`;
      return;
    }
    terms.push({ point: i, levels: [Number(r.level)] });
  });
  if (!terms.length && !errors.rows.some(Boolean)) errors.form = "Choose an option on at least one point: the combination the amount depends on.";
  const amount = typeof form.amount === "string" && form.amount.trim() === "" ? NaN : Number(form.amount);
  if (!isFinite(amount) || amount <= 0) errors.amount = "The amount must be a number above 0 (a share of your best package, in %).";
  else if (amount > 100) errors.amount = `${amount}% is more than your whole best package: at most 100%.`;
  const label = (form.label || "").trim();
  const bytes = new TextEncoder().encode(label).length;
  if (bytes > IA_LABEL) errors.label = `The label is ${bytes} bytes long: at most ${IA_LABEL}.`;
  if (!(base > 0) && !errors.form) errors.form = "Every point has importance 0: give some point importance (step 1) before stating a combination.";
  const bad = errors.form || errors.amount || errors.label || errors.rows.some(Boolean);
  if (bad) return { errors };
  terms.sort((a, b) => a.point - b.point);
  const value = (form.dir === "less" ? -1 : 1) * Number(((amount / 100) * base).toPrecision(6));
  const it = { terms, value };
  if (label) it.label = label;
  return { errors, interaction: it };
}

// stepInteractions is step 5: the combinations that make an option worth
// more or less to the party (profile.Interaction), listed with a button to
// remove each, and a form to state one: an option on each of one to three
// points, worth more or less by a share of the best package, and a label.
function stepInteractions(view, eli, touch, rerender) {
  const f = view.framework;
  // The amounts are shares of the best package without the combinations.
  const base = compile(f, Object.assign(buildProfile(view, eli), { interactions: undefined, reservation: undefined, fallback: undefined })).max;
  const form = eli.iaNew;
  const errs = form.errors || { rows: [] };
  const share = (v) => (base > 0 ? `${v >= 0 ? "+" : "−"}${fmt.pct(Math.abs(v) / base, 1)}` : String(v));
  const optionPoints = f.points.map((pt, i) => i).filter((i) => kindOf(f.points[i]) === KIND_OPTIONS);
  const errNode = (id, text) => h("p", { id, class: "field-error", role: "alert", hidden: !text }, text || "");
  const described = (...ids) => ids.filter(Boolean).join(" ") || null;

  const list = eli.ia.length
    ? h("ul", { id: "ia-list", class: "ia-list" }, eli.ia.map((it, k) => {
      const name = it.label || `Combination ${k + 1}`;
      const err = eli.iaErr && eli.iaErr.index === k ? eli.iaErr.text : "";
      return h("li", { id: `ia-${k}`, class: ["ia-item", it.value >= 0 ? "ia-plus" : "ia-minus", err ? "invalid" : ""] },
        h("span", { class: "ia-text" }, h("strong", { class: "ia-label" }, name), " — worth ", h("span", { class: "ia-value", id: `ia-${k}-value`, title: `utility ${it.value >= 0 ? "+" : ""}${fmt.num(it.value, 4)}` }, share(it.value)), " of your best ", describeInteraction(f, it)),
        h("button", { type: "button", class: "subtle", id: `ia-${k}-remove`, "aria-label": `Remove the combination “${name}”`, "aria-describedby": err ? `ia-${k}-error` : null, onclick: () => {
          eli.ia.splice(k, 1);
          eli.iaDirty = true;
          eli.iaErr = null;
          touch();
          rerender();
          const next = document.getElementById(`ia-${Math.min(k, eli.ia.length - 1)}-remove`) || document.getElementById("ia-new-0-point");
          if (next) next.focus();
        } }, "Remove"),
        err ? errNode(`ia-${k}-error`, err) : null);
    }))
    : h("p", { id: "ia-none", class: "muted" }, "No combination yet: every option is worth the same to you whatever else the package holds.");

  const rows = form.rows.map((r, k) => {
    const pi = r.point === "" ? -1 : Number(r.point);
    const pt = pi >= 0 ? f.points[pi] : null;
    const errId = errs.rows[k] ? `ia-new-${k}-error` : null;
    return h("div", { class: "ia-row", role: "group", "aria-label": k === 0 ? "First point of the combination" : `Point ${k + 1} of the combination (optional)` },
      h("label", { class: "ia-field" }, k === 0 ? "When the package takes, on" : "and on",
        h("select", { id: `ia-new-${k}-point`, "aria-invalid": errId ? "true" : null, "aria-describedby": described(errId), onchange: (e) => {
          r.point = e.target.value;
          r.level = "";
          rerender();
          const el = document.getElementById(`ia-new-${k}-level`) || document.getElementById(`ia-new-${k}-point`);
          if (el) el.focus();
        } },
          h("option", { value: "", selected: r.point === "" }, k === 0 ? "— choose a point —" : "— no other point —"),
          optionPoints.map((i) => h("option", { value: String(i), selected: r.point === String(i) }, pointTitle(f.points[i]))))),
      pt ? h("label", { class: "ia-field" }, "the option",
        h("select", { id: `ia-new-${k}-level`, "aria-invalid": errId ? "true" : null, "aria-describedby": described(errId), onchange: (e) => { r.level = e.target.value; } },
          h("option", { value: "", selected: r.level === "" }, "— choose an option —"),
          pt.options.map((o, l) => h("option", { value: String(l), selected: r.level === String(l) }, optionLabel(pt, l))))) : null,
      errNode(`ia-new-${k}-error`, errs.rows[k]));
  });

  const add = () => {
    const { errors, interaction } = validateInteraction(f, form, base);
    form.errors = errors;
    if (!interaction) {
      rerender();
      const first = document.querySelector("#ia-form [aria-invalid=true]") || document.getElementById("ia-new-error");
      if (first) first.focus();
      return;
    }
    eli.ia.push(interaction);
    eli.iaDirty = true;
    eli.iaErr = null;
    eli.iaNew = newInteractionForm();
    touch();
    rerender();
    const status = document.getElementById("ia-added");
    if (status) status.textContent = `Added “${interaction.label || `Combination ${eli.ia.length}`}”. Save your profile to keep it.`;
  };

  return h("div", { class: "wizard-step", id: "eli-interactions" },
    h("h3", {}, "Step 5 · ", term("interaction", "Combinations")),
    h("p", { class: "help" }, "Is an option worth more to you — or less — when the package also takes another option? Say so here: the amount (a share of your best package) is added to, or taken from, what a package holding them all is worth to you. Like the rest of your profile, your combinations and their labels are never shown to the other parties."),
    list,
    h("p", { id: "ia-added", class: "visually-hidden", role: "status", "aria-live": "polite" }),
    h("fieldset", { id: "ia-form", class: "subpanel ia-form" },
      h("legend", {}, "State a combination"),
      rows,
      h("div", { class: "ia-row" },
        h("div", { class: "choice", role: "radiogroup", "aria-label": "Worth more or less" },
          h("label", { class: "radio" }, h("input", { type: "radio", name: "ia-new-dir", id: "ia-new-more", checked: form.dir !== "less", onchange: () => (form.dir = "more") }), " worth more"),
          h("label", { class: "radio" }, h("input", { type: "radio", name: "ia-new-dir", id: "ia-new-less", checked: form.dir === "less", onchange: () => (form.dir = "less") }), " worth less")),
        h("label", { class: "ia-field" }, "by",
          h("input", { type: "number", id: "ia-new-amount", min: 0, max: 100, step: "any", value: form.amount, class: "short", "aria-invalid": errs.amount ? "true" : null, "aria-describedby": described("ia-new-amount-help", errs.amount ? "ia-new-amount-error" : null), oninput: (e) => (form.amount = e.target.value) }),
          h("span", { id: "ia-new-amount-help" }, "% of your best package")),
        errNode("ia-new-amount-error", errs.amount)),
      h("label", { class: "ia-field wide" }, "Label (private, optional)",
        h("input", { type: "text", id: "ia-new-label", value: form.label, maxlength: IA_LABEL, placeholder: "e.g. guarantees matter more with a ceasefire", "aria-invalid": errs.label ? "true" : null, "aria-describedby": described(errs.label ? "ia-new-label-error" : null), oninput: (e) => (form.label = e.target.value) })),
      errNode("ia-new-label-error", errs.label),
      errNode("ia-new-error", errs.form),
      h("div", { class: "form-foot left" }, h("button", { type: "button", id: "ia-add", onclick: add }, "Add this combination"))));
}

// profileSummary shows a profile read-only (props: title).
export const profileSummary = define("parley-profile-summary", {
  select: (s, el) => ({ profile: s.view.profile, reservation: s.view.reservation, title: el.props.title }),
  render: (s, el) => profileSummaryOf(s.view, el.props.title),
});

function profileSummaryOf(view, title) {
  const f = view.framework, p = view.profile;
  if (!p) return null;
  const t = compile(f, p);
  const sum = p.weights.reduce((a, b) => a + b, 0) || 1;
  const order = p.weights.map((w, i) => i).sort((a, b) => p.weights[b] - p.weights[a]);
  const best = t.contrib.map((c) => c.indexOf(Math.max(...c)));
  const weightsTable = (idx) => h("table", { class: "weights" }, h("tbody", {}, idx.map((i) => h("tr", {},
    h("td", { class: "point-cell" }, pointTitle(f.points[i]), h("div", { class: "muted small" }, "Best: ", optionLabel(f.points[i], best[i]))),
    h("td", { class: "bar-cell" }, h("span", { class: "wbar", style: `width:${Math.min(100, (p.weights[i] / sum) * 100 * 4).toFixed(1)}%` })),
    h("td", { class: "num" }, fmt.pct(p.weights[i] / sum))))));
  const res = view.reservation ?? t.reservation;
  // Combinations are shares of the best package without them (step 5).
  const baseMax = (p.interactions || []).length ? compile(f, Object.assign({}, p, { interactions: undefined })).max : t.max;
  return h("section", { id: "profile-summary", class: "card" },
    h("h2", {}, title || "Your profile"),
    h("p", { class: "muted small" }, "Private to you. ",
      t.hasReservation ? ["Your ", term("reservation", "reservation value"), ": ", asShare(res, t.max, { id: "profile-reservation" }), "."] : "No reservation value."),
    h("h3", {}, "What matters most"),
    weightsTable(order.slice(0, 6)),
    order.length > 6 ? h("details", { class: "more-weights" }, h("summary", { class: "small" }, `The other ${order.length - 6} points`), weightsTable(order.slice(6))) : null,
    (p.red_lines || []).length ? h("div", {}, h("h3", {}, term("redline", "Red lines")), h("ul", { class: "redline-list" }, p.red_lines.map((r) => h("li", {},
      (r.terms || []).map((tm) => `${pointTitle(f.points[tm.point])}: ${tm.levels.map((l) => optionLabel(f.points[tm.point], l)).join(" or ")}`).join(" + "),
      r.reason ? h("div", { class: "muted small" }, r.reason) : null)))) : null,
    (p.interactions || []).length ? h("div", {}, h("h3", {}, term("interaction", "Combinations")), h("ul", { class: "ia-list", id: "profile-interactions" }, p.interactions.map((it) => h("li", {},
      it.label ? h("strong", {}, it.label, " ") : null, "worth ", `${it.value >= 0 ? "+" : "−"}${fmt.pct(baseMax > 0 ? Math.abs(it.value) / baseMax : 0, 1)}`, " of your best ", describeInteraction(f, it))))) : null,
    p.fallback ? h("p", { class: "small" }, "Fallback package set (worth ", asShare(utility(t, p.fallback), t.max), ").") : null);
}
