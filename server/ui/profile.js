// Client-side evaluation of a profile (the same arithmetic as
// profile/profile.go Compile), used to preview an elicited profile before
// it is saved. The server's /evaluate remains the authority.

import { KIND_OPTIONS, kindOf, isScaleMax, levels, levelValue } from "./lib.js";

function clamp01(v) {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

// evalFunc mirrors profile.ValueFunc.Eval (kinds linear, triangular,
// constant; older servers sent 0, 1, 2 and capitalised Low/High/Top).
export function evalFunc(f, x) {
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

// bestAllowedPackage returns the best package that crosses none of the
// profile's red lines (the package of the best option on every point when
// it crosses none), or null when none is found. It is agent.BestPackages
// (Go) with no floor: packages are explored best first over per-point
// option ranks, ties by package, examining at most 1088 of them; options
// that a one-point red line forbids are left out of the search first
// (unless every option of the point is forbidden), which changes nothing
// but its cost.
export function bestAllowedPackage(t, p) {
  const n = t.contrib.length;
  const lines = (p && p.red_lines) || [];
  const banned = t.contrib.map((c) => new Array(c.length).fill(false));
  for (const r of lines) {
    const terms = r.terms || [];
    if (terms.length !== 1) continue;
    for (const l of terms[0].levels || []) if (banned[terms[0].point] && l >= 0 && l < banned[terms[0].point].length) banned[terms[0].point][l] = true;
  }
  const order = t.contrib.map((c, k) => {
    let idx = c.map((_, l) => l);
    idx.sort((a, b) => (c[a] > c[b] ? -1 : c[a] < c[b] ? 1 : a - b));
    const kept = idx.filter((l) => !banned[k][l]);
    return kept.length ? kept : idx;
  });
  if (order.some((o) => o.length === 0)) return null;
  const pkgOf = (ranks) => ranks.map((r, k) => order[k][r]);
  const less = (x, y) => {
    if (x.u !== y.u) return x.u > y.u;
    for (let k = 0; k < n; k++) if (x.pkg[k] !== y.pkg[k]) return x.pkg[k] < y.pkg[k];
    return false;
  };
  // A binary heap of {ranks, pkg, u}, the best on top.
  const heap = [];
  const up = (i) => {
    while (i > 0) {
      const j = (i - 1) >> 1;
      if (!less(heap[i], heap[j])) break;
      [heap[i], heap[j]] = [heap[j], heap[i]];
      i = j;
    }
  };
  const down = (i) => {
    for (;;) {
      const a = 2 * i + 1, b = a + 1;
      let m = i;
      if (a < heap.length && less(heap[a], heap[m])) m = a;
      if (b < heap.length && less(heap[b], heap[m])) m = b;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  };
  const seen = new Set();
  const push = (ranks) => {
    const key = ranks.join(",");
    if (seen.has(key)) return;
    seen.add(key);
    const pkg = pkgOf(ranks);
    heap.push({ ranks, pkg, u: utility(t, pkg) });
    up(heap.length - 1);
  };
  push(new Array(n).fill(0));
  for (let budget = 64 + 1024; heap.length && budget > 0; budget--) {
    const it = heap[0];
    const last = heap.pop();
    if (heap.length) {
      heap[0] = last;
      down(0);
    }
    if (crossedRedLine(p || {}, it.pkg) < 0) return it.pkg;
    it.ranks.forEach((r, k) => {
      if (r + 1 < order[k].length) {
        const next = it.ranks.slice();
        next[k]++;
        push(next);
      }
    });
  }
  return null;
}

// shareOfBest is u as a share of the best possible utility (0 when the
// best is 0).
export function shareOfBest(t, u) {
  return t.max > 0 ? u / t.max : 0;
}
