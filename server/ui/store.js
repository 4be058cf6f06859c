// A tiny observable store: one state object, replaced (never mutated) on
// every change, and subscribers told after each change.
//
//   const store = createStore({ view: null, live: { on: false } });
//   store.state                     // the current state
//   store.set({ live: { on: true } })  // shallow merge (or a function of the state)
//   const off = store.subscribe((state) => ...)
//   const off = store.select((s) => s.live, (live, before) => ...)
//
// select calls its listener only when what the selector returns changed
// (deep equality of plain data), which is how a section of the page
// re-renders when, and only when, the data it shows changed.

export function createStore(initial) {
  let state = initial;
  const subs = new Set();
  const store = {
    get state() {
      return state;
    },
    set(patch) {
      const next = typeof patch === "function" ? patch(state) : Object.assign({}, state, patch);
      if (next === state) return;
      state = next;
      // A listener may set the state again: the ones after it then see the
      // newest state, as every listener reads store.state.
      for (const fn of [...subs]) if (subs.has(fn)) fn(state);
    },
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    select(selector, onChange, eq = equal) {
      let cur = selector(state);
      return store.subscribe((s) => {
        const next = selector(s);
        if (eq(cur, next)) return;
        const before = cur;
        cur = next;
        onChange(next, before);
      });
    },
  };
  return store;
}

// equal compares plain data (JSON-like values) deeply; functions and
// other objects compare by identity.
export function equal(a, b) {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const pa = Object.getPrototypeOf(a), pb = Object.getPrototypeOf(b);
  if (pa !== pb || (pa !== Object.prototype && pa !== null)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!Object.prototype.hasOwnProperty.call(b, k) || !equal(a[k], b[k])) return false;
  return true;
}
