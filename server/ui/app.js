// Parley web UI: a single page application over the JSON API. Screens:
//   /               the mediator's home (sign-in, negotiations, classes)
//   /join#TOKEN     a party's invitation link: joins, then opens the room
//   /n/{id}         the room: mediator console, party screen or observer view
//                   (a verifier's seat: the compliance dashboard)
//   /n/{id}/compliance  the compliance dashboard of the agreement's implementation
//   /classes/{id}   the debrief of a teaching class, following its rooms live
//   /shuttles/{id}  the mediator's combined view of shuttle talks (its owner only)
//   /account        your sign-ins and password; the owner's accounts
//
// Screens are built of sections (component.js): custom elements that
// subscribe to the screen's store (store.js) and re-render on their own
// data; see docs/extending-ui.md.

import { h, api, replace, showError, clearError, link, navigate, partyName } from "./lib.js";
import { renderHome } from "./home.js";
import { openRoom } from "./room.js";
import { renderClass } from "./class.js";
import { renderShuttle } from "./shuttle.js";
import { renderAccounts } from "./accounts.js";
import { unsavedWork, clearDirty } from "./common.js";

const root = document.getElementById("app");
let cleanup = null;
let me = null;

function setUserBar() {
  const bar = document.getElementById("topbar-user");
  if (!bar) return;
  if (me && me.user) {
    replace(bar, h("span", { id: "signed-in-as" }, me.user.name), " ",
      link("/account", me.user.role === "owner" ? "Accounts" : "Account", { id: "account-link", class: "topbar-button", style: "text-decoration: none" }), " ",
      h("button", { type: "button", id: "logout", class: "topbar-button", onclick: async () => {
        try {
          await api("POST", "/api/logout");
        } catch (e) {
          showError(e);
        }
        me = { viewer: {} };
        navigate("/");
      } }, "Sign out"));
  } else if (me && me.viewer && me.viewer.party) {
    replace(bar, h("span", { id: "signed-in-as", "data-party": me.viewer.party }, `Seat: ${me.seatName || me.viewer.party}${me.viewer.observer ? " (observer)" : ""}`));
  } else if (me && me.viewer && me.viewer.verifier) {
    replace(bar, h("span", { id: "signed-in-as" }, `Verifier: ${me.viewer.verifier}`));
  } else {
    replace(bar);
  }
}

function setContext(text) {
  replace(document.getElementById("topbar-context"), text || "");
}

async function loadMe() {
  try {
    me = await api("GET", "/api/me");
  } catch (e) {
    // Stale cookies: the server refuses them; treat as signed out.
    me = { viewer: {} };
    if (e.status !== 401 && e.status !== 404) showError(e);
  }
  setUserBar();
}

async function join() {
  const token = decodeURIComponent(location.hash.replace(/^#/, ""));
  // Keep the secret out of the address bar and the history.
  history.replaceState(null, "", "/join");
  if (!token) {
    replace(root, h("section", { class: "card narrow", id: "join" }, h("h1", {}, "Invitation"),
      h("p", {}, "This invitation link is incomplete: open the full link you received (it ends with #…)."), h("p", {}, link("/", "Start page"))));
    return;
  }
  replace(root, h("section", { class: "card narrow", id: "join" }, h("h1", {}, "Joining…"), h("p", { class: "muted" }, "Checking your invitation.")));
  try {
    const v = await api("POST", "/api/join", { token });
    history.replaceState(null, "", `/n/${v.negotiation}`);
    await route();
  } catch (e) {
    replace(root, h("section", { class: "card narrow", id: "join" }, h("h1", {}, "This invitation cannot be used"),
      h("p", { id: "join-error" }, e.message), h("p", { class: "muted" }, "Ask the mediator for a new link.")));
    showError(e);
  }
}

async function route() {
  if (cleanup) {
    cleanup();
    cleanup = null;
  }
  clearDirty();
  clearError();
  setContext("");
  const path = location.pathname;
  document.body.dataset.screen = "";
  try {
    if (path === "/join") {
      document.body.dataset.screen = "join";
      return await join();
    }
    await loadMe();
    let m;
    if ((m = path.match(/^\/n\/([^/]+)(\/compliance)?$/))) {
      document.body.dataset.screen = m[2] ? "compliance" : "room";
      cleanup = await openRoom(root, decodeURIComponent(m[1]), (v) => {
        setContext(v.title);
        shuttleContext(v);
        document.title = `${v.title} — Parley`;
        // The seat by the party's name, which the room's view knows.
        if (me && me.viewer && me.viewer.party) {
          me.seatName = partyName(v, me.viewer.party);
          setUserBar();
        }
      }, m[2] ? "compliance" : "");
      return;
    }
    if ((m = path.match(/^\/classes\/([^/]+)$/))) {
      document.body.dataset.screen = "class";
      if (!me.user) return renderHome(root, me, setMe);
      cleanup = await renderClass(root, decodeURIComponent(m[1]), setContext);
      return;
    }
    if ((m = path.match(/^\/shuttles\/([^/]+)$/))) {
      // Only the mediator who created them: an invitation (a delegation's
      // seat) is no way in; the sign-in page is shown instead.
      document.body.dataset.screen = "shuttle";
      if (!me.user) return renderHome(root, me, setMe);
      cleanup = await renderShuttle(root, decodeURIComponent(m[1]), setContext);
      return;
    }
    if (path === "/account") {
      document.body.dataset.screen = "account";
      document.title = "Your account — Parley";
      return await renderAccounts(root, me, () => setMe({ viewer: {} }) || navigate("/"));
    }
    document.body.dataset.screen = "home";
    document.title = "Parley";
    await renderHome(root, me, setMe);
    if (path === "/new") {
      const form = document.getElementById("new-negotiation");
      if (form) form.scrollIntoView({ block: "start" });
    }
  } catch (e) {
    showError(e);
  }
}

// shuttleContext links a table of shuttle talks to their page, in the top
// bar, for the mediator who owns them (a table's Class is its shuttle's id;
// anyone else has no shuttle page to go back to).
async function shuttleContext(v) {
  if (!me || !me.user || !v.class || v.role !== "mediator" || v.invited) return;
  let list = [];
  try {
    list = await api("GET", "/api/shuttles");
  } catch {
    return; // the room is what matters here: its top bar stays as it is
  }
  const s = list.find((x) => x.id === v.class);
  if (!s || location.pathname !== `/n/${v.id}`) return;
  setContext([link(`/shuttles/${s.id}`, `Shuttle talks: ${s.title}`, { id: "context-shuttle-link" }), " · ", v.title]);
}

function setMe(m) {
  me = m;
  setUserBar();
}

document.getElementById("error-dismiss").addEventListener("click", clearError);
// The skip link moves the focus to the content without touching the
// address (a hash would route the page again).
document.getElementById("skip-link").addEventListener("click", (e) => {
  e.preventDefault();
  const main = document.getElementById("app");
  const h1 = main.querySelector("h1");
  if (h1 && !h1.hasAttribute("tabindex")) h1.setAttribute("tabindex", "-1");
  (h1 || main).focus();
  (h1 || main).scrollIntoView({ block: "start" });
});
document.addEventListener("click", (e) => {
  const a = e.target.closest("a[data-link]");
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  e.preventDefault();
  if (unsavedWork() && !confirm("Leave this page? What you have not sent or saved here is lost.")) return;
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", route);
window.addEventListener("parley:navigate", route);
route();
