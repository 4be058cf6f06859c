// Profile elicitation (after Inspire): before the talks start a party
// states its own preferences in four steps — importance of the points,
// scores of the options, fallback or reservation value, red lines — and
// saves them with PUT /api/negotiations/{id}/profile. Fields the steps do
// not edit (uncertainty, discount, value functions of numeric points, ...)
// are sent back as they came.

import { h, api, guard, fmt, notice, packagePicker, pointTitle, optionLabel, KIND_OPTIONS, kindOf, isScaleMax, prose } from "./lib.js";
import { compile, utility } from "./profile.js";
import { define } from "./component.js";

const STEPS = ["Importance", "Options", "Fallback", "Red lines"];

function initState(view) {
  const f = view.framework, p = view.profile;
  const maxW = Math.max(...p.weights, 0) || 1;
  const t = compile(f, p);
  const eli = {
    sig: JSON.stringify(p),
    step: 1,
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
    mode: p.fallback ? "fallback" : "reservation",
    resPct: t.max > 0 ? Math.round(((p.reservation ?? 0) / t.max) * 100) : 0,
    fallback: p.fallback ? p.fallback.slice() : f.points.map(() => 0),
    rDirty: false,
    rl: {},
    rlKept: [],
    rlDirty: false,
    saved: false,
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

// buildProfile returns the profile the steps describe.
export function buildProfile(view, eli) {
  const f = view.framework;
  const p = structuredClone(view.profile);
  if (eli.wDirty) {
    const orig = p.weights.reduce((a, b) => a + b, 0) || 1;
    const sum = eli.imp.reduce((a, b) => a + b, 0);
    if (sum > 0) p.weights = eli.imp.map((v) => (v / sum) * orig);
  }
  f.points.forEach((pt, i) => {
    if (!eli.sDirty[i] || kindOf(pt) !== KIND_OPTIONS) return;
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
  return p;
}

// elicitation is the four steps, as a section: its state (eli) is its own
// and survives the View's updates; a saved profile that comes back from
// the server starts it afresh unless there are unsaved changes.
export const elicitation = define("parley-elicitation", {
  init: () => ({}),
  select: (s) => s.view.profile,
  render: (s, el) => elicitationOf(s.view, el.local, () => el.update(), el.room.refresh),
});

function elicitationOf(view, ui, rerender, refresh) {
  const f = view.framework;
  const sig = JSON.stringify(view.profile);
  if (!ui.eli || (ui.eli.sig !== sig && !ui.eli.dirty)) ui.eli = initState(view);
  const eli = ui.eli;
  const touch = () => {
    eli.dirty = true;
    const d = document.getElementById("eli-dirty");
    if (d) d.hidden = false;
  };
  const go = (n) => {
    eli.step = n;
    rerender();
    const w = document.getElementById("elicitation");
    if (w) w.scrollIntoView({ block: "start" });
  };

  const stepper = h("ol", { class: "stepper", id: "eli-steps" }, STEPS.map((name, k) =>
    h("li", { class: eli.step === k + 1 ? "current" : eli.step > k + 1 ? "done" : "" },
      h("button", { type: "button", id: `eli-step-${k + 1}`, class: "step-button", onclick: () => go(k + 1) }, h("span", { class: "step-no" }, String(k + 1)), " ", name))));

  let body;
  if (eli.step === 1) body = stepImportance(view, eli, touch);
  else if (eli.step === 2) body = stepScores(view, eli, touch);
  else if (eli.step === 3) body = stepFallback(view, eli, touch);
  else body = stepRedLines(view, eli, touch, rerender);

  const save = async (btn) => {
    const p = buildProfile(view, eli);
    if (p.weights.every((w) => w === 0)) throw new Error("Give at least one point some importance.");
    await guard(async () => {
      await api("PUT", `/api/negotiations/${view.id}/profile`, p);
      ui.eli = null;
      ui.eliSaved = true;
      notice("Your profile is saved.");
      await refresh();
      ui.eliSaved = true;
      rerender();
    }, btn);
  };

  const nav = h("div", { class: "wizard-nav" },
    eli.step > 1 ? h("button", { type: "button", id: "eli-back", onclick: () => go(eli.step - 1) }, "← Back") : h("span"),
    h("span", { id: "eli-dirty", class: "unsaved", hidden: !eli.dirty }, "Unsaved changes"),
    eli.step < 4 ? h("button", { type: "button", id: "eli-next", class: "primary", onclick: () => go(eli.step + 1) }, `Next: ${STEPS[eli.step]} →`)
      : h("button", { type: "button", id: "eli-save", class: "primary", "data-testid": "save-profile", onclick: (e) => guard(() => save(e.currentTarget)) }, "Save my profile"));

  return h("section", { id: "elicitation", class: "card wizard", "data-step": String(eli.step) },
    h("div", { class: "card-head" }, h("h2", {}, "Your profile"),
      ui.eliSaved && !eli.dirty ? h("span", { id: "eli-saved", class: "badge st-agreed" }, "Saved") : null),
    h("p", { class: "muted" }, "Your profile is private: the other parties never see it. It sets how the tools below score packages for you. You can revise it until the mediator opens the talks."),
    stepper, body, nav);
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
    h("h3", {}, "Step 1 · How important is each point to you?"),
    h("p", { class: "help" }, "Put the point that matters most to you at 100 and rate the others relative to it. The shares on the right are the weights that result."),
    h("table", { class: "sliders" },
      h("thead", {}, h("tr", {}, h("th", {}, "Point"), h("th", {}, "Importance"), h("th", { class: "num" }, ""), h("th", { class: "num" }, "Weight"))),
      h("tbody", {}, f.points.map((pt, i) => h("tr", {},
        h("td", { class: "point-cell" }, pointTitle(pt)),
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

function stepScores(view, eli, touch) {
  const f = view.framework;
  return h("div", { class: "wizard-step", id: "eli-scores" },
    h("h3", {}, "Step 2 · How good is each option for you?"),
    h("p", { class: "help" }, "Score the options of every point from 0 (the worst for you) to 100 (the best)."),
    f.points.map((pt, i) => h("fieldset", { class: "score-point" },
      h("legend", {}, pointTitle(pt)),
      kindOf(pt) !== KIND_OPTIONS
        ? h("p", { class: "muted" }, `A numeric point (${pt.min || 0} to ${pt.max || 0}): its value function is kept as it is.`)
        : pt.options.map((o, l) => h("div", { class: "score-row" },
          h("label", { for: `s-${i}-${l}`, class: "score-label" }, h("span", { class: "opt-label" }, o.label || o.id), o.clause ? h("span", { class: "clause-snippet", title: prose(o.clause).join("\n\n") }, prose(o.clause).join(" ")) : null),
          h("input", { type: "range", min: 0, max: 100, step: 1, value: eli.sc[i][l], id: `s-${i}-${l}`,
            oninput: (e) => {
              eli.sc[i][l] = Number(e.target.value);
              eli.sDirty[i] = true;
              touch();
              const v = document.getElementById(`s-${i}-${l}-val`);
              if (v) v.textContent = e.target.value;
            } }),
          h("span", { class: "num score-val", id: `s-${i}-${l}-val` }, String(eli.sc[i][l])))))));
}

function stepFallback(view, eli, touch) {
  const f = view.framework;
  const preview = () => {
    const p = buildProfile(view, Object.assign({}, eli, { rDirty: false }));
    const t = compile(f, Object.assign({}, p, { reservation: undefined, fallback: undefined }));
    return { t, fbU: utility(t, eli.fallback) };
  };
  const refreshFigures = () => {
    const { t, fbU } = preview();
    const r = document.getElementById("eli-res-figure");
    if (r) r.textContent = `${eli.resPct}% of your best package = utility ${fmt.num((eli.resPct / 100) * t.max, 3)} (best: ${fmt.num(t.max, 3)})`;
    const b = document.getElementById("eli-fb-figure");
    if (b) b.textContent = `This fallback is worth ${fmt.num(fbU, 3)} to you (${fmt.pct(t.max > 0 ? fbU / t.max : 0)} of your best package).`;
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
    h("p", { class: "help" }, "A package worth less to you than your alternative is worse than no agreement. State it either as a reservation value (a share of your best package) or as a fallback package — the outcome you expect if the talks fail."),
    h("div", { class: "choice" },
      h("label", { class: "radio" }, h("input", { type: "radio", name: "eli-mode", id: "eli-mode-reservation", checked: eli.mode === "reservation", onchange: () => setMode("reservation") }), " Reservation value"),
      h("label", { class: "radio" }, h("input", { type: "radio", name: "eli-mode", id: "eli-mode-fallback", checked: eli.mode === "fallback", onchange: () => setMode("fallback") }), " Fallback package")),
    h("div", { id: "eli-res-box", class: ["subpanel", eli.mode !== "reservation" ? "inactive" : ""] },
      h("label", { for: "eli-res-pct" }, "Least acceptable share of your best package"),
      h("input", { type: "range", id: "eli-res-pct", min: 0, max: 100, step: 1, value: eli.resPct,
        oninput: (e) => {
          eli.resPct = Number(e.target.value);
          if (eli.mode !== "reservation") setMode("reservation");
          eli.rDirty = true;
          touch();
          refreshFigures();
        } }),
      h("p", { id: "eli-res-figure", class: "figure" }, `${eli.resPct}% of your best package = utility ${fmt.num((eli.resPct / 100) * t.max, 3)} (best: ${fmt.num(t.max, 3)})`)),
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
      h("p", { id: "eli-fb-figure", class: "figure" }, `This fallback is worth ${fmt.num(fbU, 3)} to you (${fmt.pct(t.max > 0 ? fbU / t.max : 0)} of your best package).`)));
}

function stepRedLines(view, eli, touch, rerender) {
  const f = view.framework;
  const rows = [];
  f.points.forEach((pt, i) => {
    if (kindOf(pt) !== KIND_OPTIONS) return;
    pt.options.forEach((o, l) => {
      const key = `${i}:${l}`;
      const v = eli.rl[key] || { on: false, reason: "" };
      rows.push(h("tr", { class: v.on ? "redline-on" : "" },
        l === 0 ? h("td", { class: "point-cell", rowspan: pt.options.length }, pointTitle(pt)) : null,
        h("td", {}, h("label", { for: `rl-${i}-${l}` }, o.label || o.id)),
        h("td", { class: "center" }, h("input", { type: "checkbox", id: `rl-${i}-${l}`, checked: v.on, "aria-label": `Never accept ${o.label || o.id}`,
          onchange: (e) => {
            eli.rl[key] = Object.assign({}, v, { on: e.target.checked });
            eli.rlDirty = true;
            touch();
            rerender();
          } })),
        h("td", {}, v.on ? h("input", { type: "text", id: `rl-${i}-${l}-reason`, class: "reason", value: v.reason || "", placeholder: "Private reason (optional)", maxlength: 2000,
          oninput: (e) => {
            eli.rl[key] = Object.assign({}, eli.rl[key], { reason: e.target.value });
            eli.rlDirty = true;
            touch();
          } }) : null)));
    });
  });
  return h("div", { class: "wizard-step", id: "eli-redlines" },
    h("h3", {}, "Step 4 · Red lines"),
    h("p", { class: "help" }, "Mark the options you will never accept, whatever else a package offers. A package with one of them is unacceptable to you. The reason is for your own record and is never shown to anyone else."),
    eli.rlKept.length ? h("div", { class: "subpanel", id: "rl-kept" },
      h("strong", {}, "Combinations you will not accept (kept as they are):"),
      h("ul", {}, eli.rlKept.map((r) => h("li", {}, r.terms.map((t) => `${pointTitle(f.points[t.point])}: ${t.levels.map((l) => optionLabel(f.points[t.point], l)).join(" or ")}`).join(" together with "), r.reason ? h("span", { class: "muted" }, ` — ${r.reason}`) : null)))) : null,
    h("table", { class: "redlines" },
      h("thead", {}, h("tr", {}, h("th", {}, "Point"), h("th", {}, "Option"), h("th", { class: "center" }, "Never accept"), h("th", {}, "Private reason"))),
      h("tbody", {}, rows)));
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
  return h("section", { id: "profile-summary", class: "card" },
    h("h2", {}, title || "Your profile"),
    h("p", { class: "muted small" }, "Private to you. Best possible utility ", h("strong", {}, fmt.num(t.max, 3)),
      t.hasReservation ? [", reservation ", h("strong", { id: "profile-reservation" }, fmt.num(view.reservation ?? t.reservation, 3))] : ", no reservation value", "."),
    h("h3", {}, "What matters most"),
    weightsTable(order.slice(0, 6)),
    order.length > 6 ? h("details", { class: "more-weights" }, h("summary", { class: "small" }, `The other ${order.length - 6} points`), weightsTable(order.slice(6))) : null,
    (p.red_lines || []).length ? h("div", {}, h("h3", {}, "Red lines"), h("ul", { class: "redline-list" }, p.red_lines.map((r) => h("li", {},
      (r.terms || []).map((tm) => `${pointTitle(f.points[tm.point])}: ${tm.levels.map((l) => optionLabel(f.points[tm.point], l)).join(" or ")}`).join(" + "),
      r.reason ? h("div", { class: "muted small" }, r.reason) : null)))) : null,
    p.fallback ? h("p", { class: "small" }, "Fallback package set (", fmt.num(utility(t, p.fallback), 3), ").") : null);
}
