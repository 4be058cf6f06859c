// Client-side evaluation of a profile (the same arithmetic as
// profile/profile.go Compile), used to preview an elicited profile before
// it is saved. The server's /evaluate remains the authority.

import { KIND_OPTIONS, kindOf, isScaleMax, levels, levelValue } from "./lib.js";

function clamp01(v) {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

// evalFunc mirrors profile.ValueFunc.Eval (kinds linear, triangular,
// constant; older servers sent 0, 1, 2 and capitalised Low/High/Top).
function evalFunc(f, x) {
  if (!f) return 0;
  switch (f.kind === undefined ? "linear" : f.kind) {
    case 0:
    case "linear":
      return clamp01((f.offset || 0) + (f.slope || 0) * (x - (f.origin || 0)));
    case 1:
    case "triangular": {
      const low = f.low ?? f.Low ?? 0, top = f.top ?? f.Top ?? 0, high = f.high ?? f.High ?? 0, tv = f.top_value || 0;
      if (x < low) return 0;
      if (x < top) return (tv * (x - low)) / (top - low);
      if (x < high) return tv * (1 - (x - top) / (high - top));
      return 0;
    }
    case 2:
    case "constant":
      return f.value || 0;
  }
  return 0;
}

// compile returns {contrib, max, reservation, hasReservation} for profile p.
export function compile(framework, p) {
  const contrib = framework.points.map((pt, i) => {
    const w = (p.weights || [])[i] || 0;
    const n = levels(pt);
    const out = new Array(n).fill(0);
    if (kindOf(pt) === KIND_OPTIONS) {
      const sc = (p.scores || [])[i] || [];
      let div = 1;
      if (isScaleMax(p)) {
        div = Math.max(...sc, -Infinity);
        if (!(div >= 0.00001)) return out;
      }
      sc.forEach((v, l) => (out[l] = w * (v / div)));
      return out;
    }
    const f = (p.funcs || [])[i];
    for (let l = 0; l < n && l < 5000; l++) out[l] = w * evalFunc(f, levelValue(pt, l));
    return out;
  });
  const max = contrib.reduce((s, c) => s + (c.length ? Math.max(...c) : 0), 0);
  const t = { contrib, max, reservation: 0, hasReservation: false };
  if (p.reservation !== undefined && p.reservation !== null) {
    t.reservation = p.reservation;
    t.hasReservation = true;
  }
  if (p.fallback) {
    const u = utility(t, p.fallback);
    if (!t.hasReservation || u > t.reservation) t.reservation = u;
    t.hasReservation = true;
  }
  return t;
}

export function utility(t, pkg) {
  let u = 0;
  pkg.forEach((l, i) => {
    if (l >= 0 && t.contrib[i] && t.contrib[i][l] !== undefined) u += t.contrib[i][l];
  });
  return u;
}

// crossedRedLine returns the index of the first red line pkg crosses, or -1.
export function crossedRedLine(p, pkg) {
  const rls = p.red_lines || [];
  for (let k = 0; k < rls.length; k++) {
    const terms = rls[k].terms || [];
    if (terms.length && terms.every((t) => (t.levels || []).includes(pkg[t.point]))) return k;
  }
  return -1;
}

// bestPackage returns the package of the best option on every point.
export function bestPackage(t) {
  return t.contrib.map((c) => {
    let best = 0;
    c.forEach((v, l) => {
      if (v > c[best]) best = l;
    });
    return best;
  });
}
