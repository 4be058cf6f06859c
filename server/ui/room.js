// The negotiation room: loads the View, keeps it current through the event
// stream, and renders the mediator console or the party screen.

import { h, api, replace, showError, link } from "./lib.js";
import { renderParty } from "./party.js";
import { renderMediator } from "./mediator.js";
import { renderCompliance } from "./compliance.js";

// openRoom renders negotiation id into root and returns a cleanup function.
// screen "compliance" opens the compliance dashboard instead of the talks
// (a verifier's seat always gets the dashboard).
export async function openRoom(root, id, setContext, screen) {
  const st = {
    id,
    view: null,
    sig: "",
    ui: {}, // per-screen state that survives re-renders (forms, open panels)
    closed: false,
    es: null,
  };
  replace(root, h("p", { class: "loading", id: "room-loading" }, "Opening the negotiation…"));

  const render = () => {
    if (st.closed || !st.view) return;
    // Keep the focus and caret across the rebuild (ids are stable).
    const a = document.activeElement;
    const focus = a && a.id && a !== document.body ? { id: a.id, start: a.selectionStart, end: a.selectionEnd } : null;
    const role = st.view.role;
    const content = role === "verifier" || screen === "compliance" ? renderCompliance(st, render, refresh)
      : role === "mediator" ? renderMediator(st, render, refresh) : renderParty(st, render, refresh);
    replace(root, content);
    if (focus) {
      const el = document.getElementById(focus.id);
      if (el) {
        el.focus({ preventScroll: true });
        try {
          if (typeof focus.start === "number" && el.setSelectionRange) el.setSelectionRange(focus.start, focus.end);
        } catch {
          /* not a text field */
        }
      }
    }
    root.dataset.seq = String(st.view.seq);
    root.dataset.role = st.view.role;
  };
  st.ui.rerender = render;

  // refresh re-reads the View; it re-renders only when something the
  // viewer sees changed (seq also counts events the viewer cannot see).
  let inflight = null, again = false;
  const refresh = async () => {
    if (inflight) {
      again = true;
      return inflight;
    }
    inflight = (async () => {
      do {
        again = false;
        try {
          const v = await api("GET", `/api/negotiations/${id}`);
          if (st.closed) return;
          const { seq, ...rest } = v;
          const sig = JSON.stringify(rest);
          const first = !st.view;
          st.view = v;
          if (first) setContext(v);
          if (sig !== st.sig || first) {
            st.sig = sig;
            render();
          } else {
            root.dataset.seq = String(v.seq);
          }
        } catch (e) {
          if (!st.view) {
            replace(root, h("section", { class: "card narrow" }, h("h1", {}, "This negotiation cannot be opened"), h("p", {}, e.message),
              h("p", {}, link("/", "Back to the start page"))));
          }
          showError(e);
        }
      } while (again && !st.closed);
    })();
    try {
      await inflight;
    } finally {
      inflight = null;
    }
  };
  st.refresh = refresh;

  await refresh();
  if (!st.view) return () => {};

  // Realtime updates: every batch of events triggers a re-read.
  let timer = null;
  const setLive = (on, text) => {
    st.live = { on, text };
    const el = document.getElementById("live-indicator");
    if (el) {
      el.dataset.live = on ? "on" : "off";
      el.textContent = text;
    }
  };
  const connect = () => {
    if (st.closed) return;
    const es = new EventSource(`/api/negotiations/${id}/stream?after=${st.view.seq}`);
    st.es = es;
    es.addEventListener("open", () => setLive(true, "Live"));
    es.addEventListener("events", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 60);
    });
    es.addEventListener("error", () => {
      if (es.readyState === EventSource.CLOSED) {
        setLive(false, "Offline — retrying");
        setTimeout(() => {
          refresh().then(connect);
        }, 3000);
      } else {
        setLive(false, "Reconnecting…");
      }
    });
  };
  connect();
  // A safety net against missed events (e.g. profile changes, which are
  // not events): re-read now and then.
  const poll = setInterval(() => {
    if (document.visibilityState === "visible") refresh();
  }, 30000);

  return () => {
    st.closed = true;
    clearTimeout(st.ui.planTimer);
    clearInterval(poll);
    clearTimeout(timer);
    if (st.es) st.es.close();
  };
}
