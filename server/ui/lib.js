// Shared helpers of the Parley web UI: element builders, the API client,
// the error banner, and small formatting and framework utilities.
// Everything that shows data builds DOM nodes (never HTML strings), so no
// text from the server is ever interpreted as markup.

const SVGNS = "http://www.w3.org/2000/svg";

// h builds an element: h("div", {class: "x", onclick: fn}, child, ...).
// Props: class, id, text, dataset (object), style (string), on<event>
// (listener), boolean attributes (true sets, false/null omits), and any
// other attribute. Children: nodes, strings, numbers, arrays; null, false
// and undefined are skipped.
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  setProps(el, props);
  append(el, children);
  return el;
}

// s builds an SVG element.
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") el.textContent = String(v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function setProps(el, props) {
  if (!props) return;
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = Array.isArray(v) ? v.filter(Boolean).join(" ") : v;
    else if (k === "text") el.textContent = String(v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style") el.setAttribute("style", v);
    else if (k === "value") el.value = v;
    else if (k === "checked") el.checked = !!v;
    else if (k === "selected") el.selected = !!v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

// replace empties el and appends children.
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

// ApiError is an error response of the API: {"error": {code, message}}.
export class ApiError extends Error {
  constructor(code, message, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// api calls the JSON API with a relative URL (same origin: the server
// refuses cross-origin unsafe requests) and returns the decoded body.
export async function api(method, path, body) {
  const init = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError("network", "The server cannot be reached: " + e.message, 0);
  }
  const text = await res.text();
  let data = null;
  if (text !== "") {
    try {
      data = JSON.parse(text);
    } catch {
      throw new ApiError("bad-response", `${method} ${path}: the server answered with something that is not JSON (HTTP ${res.status})`, res.status);
    }
  }
  if (!res.ok) {
    const e = data && data.error ? data.error : { code: "http-" + res.status, message: `${method} ${path} failed (HTTP ${res.status})` };
    throw new ApiError(e.code, e.message, res.status);
  }
  if (data === null) {
    throw new ApiError("empty-response", `${method} ${path}: the server sent an empty answer (HTTP ${res.status})`, res.status);
  }
  return data;
}

// showError shows err in the dismissable banner at the top of the page.
export function showError(err) {
  const banner = document.getElementById("error-banner");
  const msg = document.getElementById("error-message");
  if (!banner || !msg) return;
  let text = err && err.message ? err.message : String(err);
  if (err && err.code && err.code !== "network") text = `${text} (${err.code})`;
  msg.textContent = text;
  banner.hidden = false;
  banner.dataset.code = (err && err.code) || "";
  if (err && !(err instanceof ApiError)) console.error(err);
}

export function clearError() {
  const banner = document.getElementById("error-banner");
  if (banner) banner.hidden = true;
}

// notice shows a short confirmation that fades after a few seconds.
export function notice(text) {
  const el = document.getElementById("notice");
  if (!el) return;
  el.textContent = text;
  el.hidden = false;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => (el.hidden = true), 4000);
}

// guard runs an async action, reporting failures in the banner. The
// button, if given, is disabled while the action runs.
export async function guard(fn, button) {
  if (button) button.disabled = true;
  try {
    return await fn();
  } catch (e) {
    showError(e);
    return undefined;
  } finally {
    if (button && button.isConnected) button.disabled = false;
  }
}

// navigate moves to an in-app path without reloading.
export function navigate(path) {
  history.pushState(null, "", path);
  window.dispatchEvent(new Event("parley:navigate"));
}

// link is an in-app link.
export function link(href, text, props) {
  return h("a", Object.assign({ href, "data-link": "" }, props || {}), text);
}

// Formatting.
export const fmt = {
  num(v, d = 2) {
    return typeof v === "number" && isFinite(v) ? v.toFixed(d) : "–";
  },
  pct(v, d = 0) {
    return typeof v === "number" && isFinite(v) ? (v * 100).toFixed(d) + "%" : "–";
  },
  time(t) {
    if (!t) return "";
    const d = new Date(t);
    if (isNaN(d) || d.getFullYear() < 2) return "";
    return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  },
  clock(t) {
    const d = new Date(t);
    return isNaN(d) ? "" : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  },
  date(t) {
    if (!t) return "";
    const d = new Date(t);
    if (isNaN(d) || d.getFullYear() < 2) return "";
    return d.toLocaleDateString(undefined, { year: "numeric", month: "short", day: "numeric" });
  },
};

// bigNumber renders a count, in powers of ten when large (a node).
export function bigNumber(v) {
  const n = typeof v === "string" ? Number(v) : v;
  if (typeof n !== "number" || !isFinite(n)) return document.createTextNode(String(v));
  if (n < 1e6) return document.createTextNode(Math.round(n).toLocaleString());
  const [m, e] = n.toExponential(2).split("e");
  return h("span", { class: "big-number" }, `${m} × 10`, h("sup", {}, String(Number(e))));
}

// prose turns text wrapped at fixed width (YAML block scalars) into
// paragraphs: single line breaks become spaces.
export function prose(text) {
  return (text || "").trim().split(/\n\s*\n/).map((p) => p.replace(/\s*\n\s*/g, " "));
}

// firstSentence returns the first sentence of a text.
export function firstSentence(text) {
  const t = prose(text)[0] || "";
  const m = t.match(/^.*?[.!?](\s|$)/);
  return m ? m[0].trim() : t;
}

// Framework helpers. The API names point kinds ("options", "integer",
// "real"); older servers sent 0, 1, 2. kindOf reads both.
export const KIND_OPTIONS = 0;
export const KIND_INTEGER = 1;
export const KIND_REAL = 2;

export function kindOf(pt) {
  switch (pt.kind) {
    case 1:
    case "integer":
      return KIND_INTEGER;
    case 2:
    case "real":
      return KIND_REAL;
  }
  return KIND_OPTIONS;
}

// isScaleMax tells whether a profile divides scores by the point's best
// ("max", 0) rather than using them as evaluations ("absolute", 1).
export function isScaleMax(p) {
  return p.scale === undefined || p.scale === null || p.scale === 0 || p.scale === "max";
}

export function levels(pt) {
  if (kindOf(pt) === KIND_OPTIONS) return (pt.options || []).length;
  if (kindOf(pt) === KIND_INTEGER) return Math.floor((pt.max || 0) - (pt.min || 0)) + 1;
  return pt.steps || 11;
}

export function levelValue(pt, l) {
  const min = pt.min || 0, max = pt.max || 0;
  if (kindOf(pt) === KIND_INTEGER) return min + l;
  if (kindOf(pt) === KIND_REAL) {
    const n = levels(pt);
    if (n <= 1) return min;
    if (l === n - 1) return max;
    return min + (l * (max - min)) / (n - 1);
  }
  return l;
}

export function optionLabel(pt, l) {
  if (l === -1 || l === null || l === undefined) return "(open)";
  if (kindOf(pt) === KIND_OPTIONS) {
    const o = (pt.options || [])[l];
    return o ? o.label || o.id : "?";
  }
  const v = levelValue(pt, l);
  return kindOf(pt) === KIND_INTEGER ? String(v) : String(Math.round(v * 1000) / 1000);
}

export function optionClause(pt, l) {
  if (kindOf(pt) !== KIND_OPTIONS) return "";
  const o = (pt.options || [])[l];
  return o ? o.clause || "" : "";
}

export function pointTitle(pt) {
  return pt.title || pt.id;
}

export function partyName(view, id) {
  const p = (view.parties || []).find((x) => x.id === id);
  return p && p.name ? p.name : id;
}

// verifierName is the name of one of the plan's verifiers (a monitoring body).
export function verifierName(view, id) {
  const v = (view.verifiers || []).find((x) => x.id === id);
  return v && v.name ? v.name : id;
}

// reading renders the options open on one point of a single text: one
// option is the settled reading, several are [A / B] brackets.
export function reading(pt, alts) {
  if (!alts || alts.length === 0) return h("span", { class: "muted" }, "(no text)");
  if (alts.length === 1) return h("span", { class: "settled", title: optionClause(pt, alts[0]) || null }, optionLabel(pt, alts[0]));
  // [A / B / C], one alternative a line.
  const last = alts.length - 1;
  return h("span", { class: "bracketed", title: "Bracketed: the alternatives still open" }, alts.map((l, i) =>
    h("span", { class: "alt-line" },
      i === 0 ? h("span", { class: "bracket" }, "[") : null,
      h("span", { class: "alt", title: optionClause(pt, l) || null }, optionLabel(pt, l)),
      i < last ? h("span", { class: "bracket-sep" }, " /") : h("span", { class: "bracket" }, "]"))));
}

// packagePicker renders a select per point. pkg is edited in place;
// onChange is called after each change. allowOpen adds an "(open)" choice.
export function packagePicker(framework, pkg, { idPrefix, allowOpen, onChange, disabled }) {
  const rows = framework.points.map((pt, i) => {
    const n = levels(pt);
    let input;
    if (n > 300) {
      input = h("input", {
        type: "number", id: `${idPrefix}-${i}`, min: 0, max: n - 1, step: 1, value: pkg[i] >= 0 ? pkg[i] : "",
        disabled, placeholder: "level", "aria-label": pointTitle(pt),
        onchange: (e) => {
          const v = e.target.value === "" ? -1 : Number(e.target.value);
          pkg[i] = v;
          onChange && onChange(i, v);
        },
      });
    } else {
      const opts = [];
      if (allowOpen) opts.push(h("option", { value: "-1", selected: pkg[i] === -1 }, "(open)"));
      for (let l = 0; l < n; l++) opts.push(h("option", { value: String(l), selected: pkg[i] === l }, optionLabel(pt, l)));
      input = h("select", {
        id: `${idPrefix}-${i}`, disabled, "aria-label": pointTitle(pt),
        onchange: (e) => {
          pkg[i] = Number(e.target.value);
          onChange && onChange(i, pkg[i]);
        },
      }, opts);
    }
    return h("div", { class: "picker-row" }, h("label", { for: `${idPrefix}-${i}`, class: "picker-label" }, pointTitle(pt)), input);
  });
  return h("div", { class: "picker" }, rows);
}

// Status presentation.
export const STATUS_TEXT = {
  "not-started": "Not started",
  negotiating: "Negotiating",
  "pending-ratification": "Agreement pending ratification",
  "in-force": "Agreement in force",
  failed: "Failed",
  "no-agreement": "Ended without agreement",
};

export function statusOf(view) {
  if (!view.started || !view.state) return "not-started";
  return view.state.status;
}

// copyText copies to the clipboard, falling back to selecting the field.
export async function copyText(text, field) {
  try {
    await navigator.clipboard.writeText(text);
    notice("Copied to the clipboard.");
  } catch {
    if (field) {
      field.focus();
      field.select();
      notice("Press Ctrl+C to copy the selected link.");
    }
  }
}
