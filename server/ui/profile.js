// Client-side evaluation of a profile (the same arithmetic as
// profile/profile.go Compile), used to preview an elicited profile before
// it is saved. The server's /evaluate remains the authority.

import { KIND_OPTIONS, kindOf, isScaleMax, levels, levelValue, pointTitle, optionLabel } from "./lib.js";

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
  const effects = compileEffects(framework, p);
  const t = { contrib, effects, max: 0, reservation: 0, hasReservation: false };
  t.max = effects.length ? extreme(t).u : contrib.reduce((s, c) => s + (c.length ? Math.max(...c) : 0), 0);
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

// compileEffects mirrors profile.compileEffects: the profile's
// interactions as {terms: [{point, in: [bool per level]}], value, outside,
// last, index}, ordered by last point, then as declared.
function compileEffects(framework, p) {
  const out = [];
  (p.interactions || []).forEach((it, index) => {
    const e = { terms: [], value: Number(it.value) || 0, outside: !!it.outside, last: -1, index };
    for (const tm of it.terms || []) {
      const pt = framework.points[tm.point];
      if (!pt) continue;
      const m = new Array(levels(pt)).fill(false);
      for (const l of tm.levels || []) if (l >= 0 && l < m.length) m[l] = true;
      e.terms.push({ point: tm.point, in: m });
      e.last = Math.max(e.last, tm.point);
    }
    if (e.terms.length) out.push(e);
  });
  // Array.prototype.sort is stable.
  return out.sort((a, b) => a.last - b.last);
}

// applies mirrors profile.Effect.Applies: every term's point is decided
// and every term matches (or, outside, some does not).
export function applies(e, pkg) {
  let all = true;
  for (const tm of e.terms) {
    const l = pkg[tm.point];
    if (l === undefined || l < 0) return false;
    if (!tm.in[l]) all = false;
  }
  return all !== e.outside;
}

// utility mirrors profile.Table.Utility: point by point, each effect added
// right after the contribution of its last point.
export function utility(t, pkg) {
  let u = 0, k = 0;
  const effects = t.effects || [];
  pkg.forEach((l, i) => {
    if (l >= 0 && t.contrib[i] && t.contrib[i][l] !== undefined) u += t.contrib[i][l];
    for (; k < effects.length && effects[k].last <= i; k++) if (applies(effects[k], pkg)) u += effects[k].value;
  });
  return u;
}

// extreme returns the best complete package and its utility, {u, pkg}, by
// dynamic programming over the points (profile.Table.Max): partial
// packages are told apart only by which open effects still match.
function extreme(t) {
  const n = t.contrib.length, effects = t.effects || [];
  const first = effects.map((e) => Math.min(...e.terms.map((tm) => tm.point)));
  // states: key → {u, pkg, m: per effect, whether every term so far matched}
  let states = new Map([["", { u: 0, pkg: [], m: effects.map(() => true) }]]);
  for (let i = 0; i < n; i++) {
    const next = new Map();
    const c = t.contrib[i] || [];
    for (const st of states.values()) {
      for (let l = 0; l < c.length; l++) {
        let u = st.u + c[l];
        const m = st.m.slice();
        effects.forEach((e, k) => {
          for (const tm of e.terms) if (tm.point === i && !tm.in[l]) m[k] = false;
        });
        effects.forEach((e, k) => {
          if (e.last === i && m[k] !== e.outside) u += e.value;
        });
        const key = effects.map((e, k) => (first[k] <= i && i < e.last ? (m[k] ? "1" : "0") : "")).join(",");
        const old = next.get(key);
        if (!old || u > old.u) next.set(key, { u, pkg: st.pkg.concat([l]), m });
      }
    }
    states = next;
  }
  let best = null;
  for (const st of states.values()) if (!best || st.u > best.u) best = st;
  return best ? { u: best.u, pkg: best.pkg } : { u: 0, pkg: [] };
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

// bestPackage returns the package of the best option on every point (with
// interactions, a best package).
export function bestPackage(t) {
  if ((t.effects || []).length) return extreme(t).pkg;
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
// but its cost. With interactions it is exact (agent.BestAllowed).
export function bestAllowedPackage(t, p) {
  const n = t.contrib.length;
  const lines = (p && p.red_lines) || [];
  if ((t.effects || []).length) {
    // With interactions: exactly, as agent.BestAllowed does, by the
    // dynamic programming of extreme with each red line an effect worth
    // -Infinity (a package crossing one is never the best).
    const red = lines.map((r) => ({ terms: (r.terms || []).map((tm) => ({ point: tm.point, in: (t.contrib[tm.point] || []).map((_, l) => (tm.levels || []).includes(l)) })), value: -Infinity, outside: false }))
      .filter((e) => e.terms.length && e.terms.every((tm) => tm.point >= 0 && tm.point < n))
      .map((e) => Object.assign(e, { last: Math.max(...e.terms.map((tm) => tm.point)) }));
    const effects = t.effects.concat(red).sort((a, b) => a.last - b.last);
    const best = extreme({ contrib: t.contrib, effects });
    return best.u === -Infinity || best.pkg.length !== n ? null : best.pkg;
  }
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

// describeInteraction says in words when an interaction applies: "when
// Point: option with Point: option", or "unless …" for one that applies
// when some term does not match (outside).
export function describeInteraction(framework, it) {
  const terms = ((it && it.terms) || []).filter((tm) => framework.points[tm.point]);
  const text = terms.map((tm) => `${pointTitle(framework.points[tm.point])}: ${(tm.levels || []).map((l) => optionLabel(framework.points[tm.point], l)).join(" or ")}`).join(" with ");
  return `${it && it.outside ? "unless" : "when"} ${text}`;
}
