// The negotiation room: loads the View into the room's store, keeps it
// current through the event stream, and mounts the screen — the mediator
// console, the party screen or the compliance dashboard — whose sections
// re-render from the store as the data they show changes.
//
// The room's store holds:
//   view      the caller's View (GET /api/negotiations/{id})
//   live      the stream's state, {on, text}
//   protocol  the protocol's facts (GET /api/protocols)
//   seats     the seats and invitations the caller may see (loaded on demand)
//   analysis  the mediator's analysis, {loading, started, data, error}
//   draft     the mediator's draft text in the editor, {text, dirty, version}
//   plan, at, planTick, filter   the compliance dashboard's data, instant and filters

import { h, api, replace, showError, link, guard, ApiError } from "./lib.js";
import { createStore } from "./store.js";
import { liveStream } from "./streams.js";
import { loadProtocols, factsFor } from "./protocols.js";
import { partyScreen } from "./party.js";
import { mediatorScreen } from "./mediator.js";
import { complianceScreen } from "./compliance.js";

// openRoom renders negotiation id into root and returns a cleanup function.
// screen "compliance" opens the compliance dashboard instead of the talks
// (a verifier's seat always gets the dashboard).
export async function openRoom(root, id, setContext, screen) {
  replace(root, h("p", { class: "loading", id: "room-loading" }, "Opening the negotiation…"));
  const store = createStore({ view: null, live: { on: false, text: "Connecting…" }, protocol: null });
  let closed = false;

  // refresh re-reads the View (one read at a time; a call during a read
  // asks for another after it).
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
          if (closed) return;
          store.set({ view: v });
          root.dataset.seq = String(v.seq);
        } catch (e) {
          if (!store.state.view) {
            replace(root, h("section", { class: "card narrow" }, h("h1", {}, "This negotiation cannot be opened"), h("p", {}, e.message),
              h("p", {}, link("/", "Back to the start page"))));
          }
          showError(e);
        }
      } while (again && !closed);
    })();
    try {
      await inflight;
    } finally {
      inflight = null;
    }
  };

  const room = {
    id,
    store,
    refresh,
    get view() {
      return store.state.view;
    },
    get closed() {
      return closed;
    },
    // move submits a move from the caller's seat; after runs once it is
    // accepted, then the View is read again.
    async move(m, btn, after) {
      const r = await guard(() => api("POST", `/api/negotiations/${id}/moves`, m), btn);
      if (r) {
        if (after) after();
        await refresh();
      }
      return r;
    },
  };

  const [, facts] = await Promise.all([refresh(), loadProtocols().catch((e) => {
    showError(e);
    return [];
  })]);
  const view = store.state.view;
  if (!view) return () => {};
  store.set({ protocol: factsFor(facts, view.settings.protocol) });
  setContext(view);

  const role = view.role;
  const make = role === "verifier" || screen === "compliance" ? complianceScreen : role === "mediator" ? mediatorScreen : partyScreen;
  replace(root, make(room));
  root.dataset.role = role;

  // Realtime updates: every batch of events triggers a re-read.
  let timer = null;
  const stream = liveStream(() => `/api/negotiations/${id}/stream?after=${store.state.view.seq}`, {
    onEvents: () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 60);
    },
    onLive: (on, text) => store.set({ live: { on, text } }),
    onEnd: (e) => {
      let err = { code: "unauthorized", message: "Your access to this negotiation ended: open it again." };
      try {
        err = JSON.parse(e.data).error || err;
      } catch {
        /* keep the general message */
      }
      showError(new ApiError(err.code, err.message, 401));
    },
    retry: refresh,
  });
  // A safety net against missed events (e.g. profile changes, which are
  // not events): re-read now and then.
  const poll = setInterval(() => {
    if (document.visibilityState === "visible") refresh();
  }, 30000);

  return () => {
    closed = true;
    clearInterval(poll);
    clearTimeout(timer);
    stream.close();
    // The screen's sections let go of the store as they leave the page.
    replace(root);
  };
}
