// Sections of a screen as custom elements, without a build step.
//
// A section is a custom element that owns its subscription to the screen's
// store: it subscribes when it is connected (connectedCallback) and lets go
// when it is removed (disconnectedCallback). It selects the part of the
// state it shows and re-renders when, and only when, that part changed,
// so a change re-renders the sections that depend on it and leaves the
// others — the field being typed in, a list scrolled, a panel opened —
// as they are.
//
//   export const messages = define("parley-messages", {
//     init: (el) => ({ text: "" }),               // the section's own state (el.local)
//     select: (s, el) => messageEvents(s.view),   // what it depends on
//     render: (s, el) => h("section", ...),       // its content (nodes, arrays, null)
//   });
//   const el = messages(room, { readonly: true });  // room: { store, ... }; props: el.props
//
// el.update() re-renders the section at once (after a change of its own
// state); within the section, focus, caret and scroll positions survive.
// Layout sections reuse their children across re-renders with
// el.child(key, factory, props), so that the children keep their state.

import { replace } from "./lib.js";
import { equal } from "./store.js";

export class Section extends HTMLElement {
  constructor() {
    super();
    this.room = null;
    this.props = {};
    this.local = null;
    this.deps = undefined;
    this.rendered = false;
    this.off = null;
    this.kids = null;
    this.rendering = false;
    this.cleanups = [];
  }

  get spec() {
    return this.constructor.spec;
  }

  // state is the screen's current state.
  get state() {
    return this.room.store.state;
  }

  connectedCallback() {
    if (!this.room || this.off) return;
    if (!this.local) this.local = this.spec.init ? this.spec.init(this) : {};
    this.off = this.room.store.subscribe(() => this.check());
    this.check();
    if (this.spec.connected) this.spec.connected(this);
  }

  disconnectedCallback() {
    if (this.off) {
      this.off();
      this.off = null;
    }
    for (const f of this.cleanups.splice(0)) f();
    if (this.spec.disconnected) this.spec.disconnected(this);
  }

  // onDisconnect registers work to undo when the section leaves the page
  // (timers, listeners).
  onDisconnect(f) {
    this.cleanups.push(f);
  }

  // check re-renders if what the section selects changed.
  check() {
    if (!this.room) return;
    if (this.rendering) {
      queueMicrotask(() => this.check());
      return;
    }
    const deps = this.spec.select ? this.spec.select(this.state, this) : this.state;
    if (this.rendered && equal(deps, this.deps)) return;
    this.deps = deps;
    this.update();
  }

  update() {
    if (!this.room || !this.local) return;
    const kept = saveView(this);
    this.rendering = true;
    try {
      replace(this, this.spec.render(this.state, this));
    } finally {
      this.rendering = false;
    }
    this.rendered = true;
    restoreView(this, kept);
  }

  // child returns the section element kept under key, made with
  // factory(room, props) the first time; new props re-render it.
  child(key, factory, props) {
    this.kids = this.kids || new Map();
    let c = this.kids.get(key);
    if (!c) {
      c = factory(this.room, props);
      this.kids.set(key, c);
    } else if (props !== undefined && !equal(props, c.props)) {
      c.props = props;
      c.rendered = false;
      if (c.isConnected) c.check();
    }
    return c;
  }
}

// define registers the custom element tag for a section and returns its
// factory: (room, props) => element.
export function define(tag, spec) {
  const C = class extends Section {};
  C.spec = spec;
  customElements.define(tag, C);
  return (room, props) => {
    const el = document.createElement(tag);
    // The section's element adds no box of its own: its content is laid
    // out as if it stood in its place (style.css, .ui-section).
    el.classList.add("ui-section");
    el.room = room;
    el.props = props || {};
    return el;
  };
}

// saveView notes the focused field (by id) and the scrolled elements of a
// section before it re-renders; restoreView puts them back.
function saveView(el) {
  const a = document.activeElement;
  let focus = null;
  if (a && a !== document.body && a.id && el.contains(a)) {
    focus = { id: a.id, start: null, end: null };
    try {
      focus.start = a.selectionStart;
      focus.end = a.selectionEnd;
    } catch {
      /* not a text field */
    }
  }
  const scrolls = [];
  if (el.rendered) {
    for (const n of el.querySelectorAll("[id], .messages, .heat-wrap, .table-scroll, .timeline-wrap, .lines")) {
      if (n.scrollTop || n.scrollLeft) scrolls.push({ key: scrollKey(el, n), top: n.scrollTop, left: n.scrollLeft });
    }
  }
  return { focus, scrolls };
}

function scrollKey(root, n) {
  if (n.id) return "#" + n.id;
  const cls = n.className && typeof n.className === "string" ? n.className.split(" ")[0] : n.tagName.toLowerCase();
  const same = [...root.querySelectorAll("." + cls)];
  return "." + cls + "@" + same.indexOf(n);
}

function findKey(root, key) {
  if (key.startsWith("#")) return root.querySelector(`[id="${CSS.escape(key.slice(1))}"]`);
  const [cls, i] = key.slice(1).split("@");
  return root.querySelectorAll("." + cls)[Number(i)] || null;
}

function restoreView(el, kept) {
  for (const s of kept.scrolls) {
    const n = findKey(el, s.key);
    if (n) {
      n.scrollTop = s.top;
      n.scrollLeft = s.left;
    }
  }
  const f = kept.focus;
  if (!f || (document.activeElement && document.activeElement !== document.body && document.activeElement.isConnected)) return;
  const n = document.getElementById(f.id);
  if (!n || !el.contains(n)) return;
  n.focus({ preventScroll: true });
  try {
    if (typeof f.start === "number" && n.setSelectionRange) n.setSelectionRange(f.start, f.end);
  } catch {
    /* not a text field */
  }
}
