// The account screen (/account): everyone signed in lists and ends its
// own sign-ins and changes its password; the room's owner account also
// lists, adds and removes the other accounts and ends their sign-ins. The
// rules are the server's (server/accounts.go, room/accounts.go): a button
// shown here is also checked there.

import { h, api, guard, fmt, notice, replace, link, copyText, clearError } from "./lib.js";

const ROLES = [["mediator", "Mediator"], ["instructor", "Instructor"]];
const ROLE_NAME = { owner: "Owner", mediator: "Mediator", instructor: "Instructor" };

// renderAccounts renders the screen into root for me (GET /api/me);
// signedOut is called when the caller's own sign-in ends.
export async function renderAccounts(root, me, signedOut) {
  if (!me.user) {
    replace(root, h("section", { class: "card narrow", id: "account" }, h("h1", {}, "Your account"),
      h("p", {}, "Sign in to manage your account: ", link("/", "sign in"), ".")));
    return;
  }
  const owner = me.user.role === "owner";
  replace(root, h("p", { class: "loading" }, "Loading…"));
  const [mine, accounts] = await Promise.all([
    api("GET", "/api/me/sessions"),
    owner ? api("GET", "/api/accounts") : Promise.resolve(null),
  ]);
  const again = () => renderAccounts(root, me, signedOut);
  // ended answers a revocation: signed out, or the screen again.
  const ended = async (res, what) => {
    if (res.signed_out) {
      notice("You are signed out.");
      signedOut();
      return;
    }
    notice(what);
    await again();
  };

  replace(root, h("div", { class: "account", id: "account" },
    h("div", { class: "page-head" }, h("h1", {}, "Your account"),
      h("p", { class: "muted" }, `Signed in as ${me.user.name} (${ROLE_NAME[me.user.role] || me.user.role}).`),
      h("p", {}, link("/", "← Your negotiations", { id: "account-back" }))),
    signInsCard(mine, ended),
    passwordCard(again),
    owner ? accountsCard(me, accounts, again, ended) : null));
  const h1 = root.querySelector("h1");
  if (h1) {
    h1.setAttribute("tabindex", "-1");
    h1.focus();
  }
}

// sessionTable is a table of sign-ins; revoke(s, button) ends one.
function sessionTable(list, idPrefix, revoke) {
  return h("div", { class: "table-scroll" }, h("table", { class: "list", id: idPrefix + "s-list" },
    h("caption", { class: "visually-hidden" }, "Sign-ins"),
    h("thead", {}, h("tr", {}, h("th", {}, "Signed in"), h("th", {}, "Expires"), h("th", {}, "Actions"))),
    h("tbody", {}, list.map((s) => h("tr", { "data-testid": `${idPrefix}-${s.id}`, class: s.current ? "current" : null },
      h("td", {}, fmt.time(s.created) || "—", s.current ? h("strong", { class: "signin-current" }, " · this sign-in") : null),
      h("td", { class: s.expired ? "muted" : null }, s.expired ? `expired ${fmt.time(s.expires)}` : fmt.time(s.expires)),
      h("td", { class: "row-actions" },
        h("button", { type: "button", class: "small-button danger subtle", id: `${idPrefix}-revoke-${s.id}`,
          "aria-label": s.current ? "Sign out here (end this sign-in)" : `End the sign-in made ${fmt.time(s.created)}`,
          onclick: (e) => revoke(s, e.currentTarget) }, s.current ? "Sign out" : "End")))))));
}

function signInsCard(mine, ended) {
  const revoke = (s, btn) => guard(async () => {
    const res = await api("POST", "/api/me/sessions/revoke", { ids: [s.id] });
    await ended(res, "The sign-in is ended: it opens nothing any more.");
  }, btn);
  const revokeAll = (btn) => {
    if (!confirm("End every sign-in of your account, this one included? You sign in again where you need to.")) return;
    guard(async () => ended(await api("POST", "/api/me/sessions/revoke", { all: true }), "Every sign-in is ended."), btn);
  };
  return h("section", { class: "card", id: "my-signins", "aria-labelledby": "my-signins-title" },
    h("h2", { id: "my-signins-title" }, "My sign-ins"),
    h("p", { class: "muted small" }, "Every browser or script signed in as you. End one you do not recognise, or all of them if your password may have leaked (then change it)."),
    mine.length ? sessionTable(mine, "my-signin", revoke) : h("p", { class: "muted" }, "No sign-in."),
    h("div", { class: "form-foot" }, h("span"),
      h("button", { type: "button", id: "my-signins-revoke-all", class: "danger", onclick: (e) => revokeAll(e.currentTarget) }, "Sign out everywhere")));
}

function passwordCard(again) {
  const submit = (e) => {
    e.preventDefault();
    const current = document.getElementById("password-current").value;
    const next = document.getElementById("password-new").value;
    const repeat = document.getElementById("password-repeat").value;
    guard(async () => {
      if (next !== repeat) throw new Error("The new password and its repetition differ.");
      await api("POST", "/api/me/password", { current, password: next });
      e.target.reset();
      clearError();
      notice("Your password is changed; your other sign-ins are ended.");
      await again();
    }, e.submitter);
  };
  return h("section", { class: "card", id: "change-password", "aria-labelledby": "change-password-title" },
    h("h2", { id: "change-password-title" }, "Change your password"),
    h("form", { class: "stacked", id: "password-form", onsubmit: submit },
      h("label", { for: "password-current" }, "Current password"),
      h("input", { type: "password", id: "password-current", autocomplete: "current-password", required: true }),
      h("label", { for: "password-new" }, "New password (8 characters or more)"),
      h("input", { type: "password", id: "password-new", autocomplete: "new-password", required: true, minlength: 8, maxlength: 1024 }),
      h("label", { for: "password-repeat" }, "New password again"),
      h("input", { type: "password", id: "password-repeat", autocomplete: "new-password", required: true, minlength: 8, maxlength: 1024 }),
      h("p", { class: "muted small" }, "Every other sign-in of your account ends; this one continues."),
      h("div", { class: "form-foot" }, h("span"), h("button", { type: "submit", id: "password-submit", class: "primary" }, "Change the password"))));
}

function accountsCard(me, accounts, again, ended) {
  const created = h("div", { id: "account-created", "aria-live": "polite" });
  const remove = (u, btn) => {
    if (!confirm(`Remove the account “${u.name}”? It can no longer sign in, and its sign-ins end. An account that still has negotiations or classes is not removed.`)) return;
    guard(async () => {
      await api("DELETE", `/api/accounts/${encodeURIComponent(u.id)}`);
      notice(`“${u.name}” is removed.`);
      await again();
    }, btn);
  };
  // theirs shows an account's sign-ins under its row, with a button that
  // ends them all.
  const theirs = (u, row, btn) => guard(async () => {
    const open = row.nextElementSibling && row.nextElementSibling.dataset.signinsOf === u.id;
    if (open) {
      row.nextElementSibling.remove();
      btn.setAttribute("aria-expanded", "false");
      return;
    }
    const list = await api("GET", `/api/accounts/${encodeURIComponent(u.id)}/sessions`);
    const endAll = (b) => {
      if (!confirm(`End every sign-in of “${u.name}”?`)) return;
      guard(async () => ended(await api("POST", `/api/accounts/${encodeURIComponent(u.id)}/sessions/revoke`, { all: true }), `Every sign-in of “${u.name}” is ended.`), b);
    };
    const one = (s, b) => guard(async () => ended(await api("POST", `/api/accounts/${encodeURIComponent(u.id)}/sessions/revoke`, { ids: [s.id] }), "The sign-in is ended."), b);
    row.after(h("tr", { dataset: { signinsOf: u.id }, id: `account-signins-${u.id}` },
      h("td", { colspan: 4 },
        h("p", { class: "small" }, `${u.name}: ${list.length} sign-in${list.length === 1 ? "" : "s"}.`),
        list.length ? sessionTable(list, `account-${u.id}-signin`, one) : null,
        list.length ? h("button", { type: "button", class: "small-button danger", id: `account-revoke-all-${u.id}`, onclick: (e) => endAll(e.currentTarget) }, `End all of ${u.name}'s sign-ins`) : null)));
    btn.setAttribute("aria-expanded", "true");
  }, btn);

  const add = (e) => {
    e.preventDefault();
    const name = document.getElementById("account-name").value.trim();
    const role = document.getElementById("account-role").value;
    const password = document.getElementById("account-password").value;
    guard(async () => {
      const res = await api("POST", "/api/accounts", password ? { name, role, password } : { name, role });
      await again();
      const box = document.getElementById("account-created");
      if (!box) return;
      if (res.password) {
        const field = h("input", { type: "text", id: "account-new-password", class: "mono", readonly: true, value: res.password, "aria-label": `The password of ${res.user.name}` });
        replace(box, h("div", { class: "note", id: "account-password-once" },
          h("p", {}, `“${res.user.name}” is added. Its password, shown this once — give it to them by a safe way:`),
          h("div", { class: "inline-form" }, field,
            h("button", { type: "button", id: "account-password-copy", onclick: () => copyText(res.password, field) }, "Copy"))));
      } else {
        replace(box, h("p", { class: "note" }, `“${res.user.name}” is added, with the password you gave.`));
      }
    }, e.submitter);
  };

  return h("section", { class: "card", id: "accounts", "aria-labelledby": "accounts-title" },
    h("h2", { id: "accounts-title" }, "Accounts"),
    h("p", { class: "muted small" }, "The mediators and instructors of this room. Each sees only its own negotiations and classes."),
    h("div", { class: "table-scroll" }, h("table", { class: "list", id: "accounts-list" },
      h("caption", { class: "visually-hidden" }, "Accounts of this room"),
      h("thead", {}, h("tr", {}, h("th", {}, "Name"), h("th", {}, "Role"), h("th", {}, "Added"), h("th", {}, "Actions"))),
      h("tbody", {}, accounts.map((u) => {
        const row = h("tr", { "data-testid": `account-${u.name}`, dataset: { id: u.id } },
          h("td", {}, u.name, u.id === me.user.id ? h("span", { class: "muted small" }, " (you)") : null),
          h("td", {}, ROLE_NAME[u.role] || u.role),
          h("td", { class: "muted" }, fmt.date(u.created)),
          h("td", { class: "row-actions" }));
        const actions = row.lastChild;
        actions.append(h("button", { type: "button", class: "small-button", id: `account-signins-button-${u.id}`, "aria-expanded": "false",
          "aria-label": `Sign-ins of ${u.name}`, onclick: (e) => theirs(u, row, e.currentTarget) }, "Sign-ins"));
        if (u.id !== me.user.id) {
          actions.append(" ", h("button", { type: "button", class: "small-button danger subtle", id: `account-remove-${u.id}`,
            "aria-label": `Remove ${u.name}`, onclick: (e) => remove(u, e.currentTarget) }, "Remove"));
        }
        return row;
      })))),
    h("h3", {}, "Add an account"),
    h("form", { class: "stacked", id: "account-add", onsubmit: add },
      h("label", { for: "account-name" }, "Name (they sign in with it)"),
      h("input", { type: "text", id: "account-name", required: true, maxlength: 100, autocomplete: "off" }),
      h("label", { for: "account-role" }, "Role"),
      h("select", { id: "account-role" }, ROLES.map(([v, t]) => h("option", { value: v }, t))),
      h("label", { for: "account-password" }, "Password (leave empty to make one, shown once)"),
      h("input", { type: "password", id: "account-password", autocomplete: "new-password", minlength: 8, maxlength: 1024 }),
      h("div", { class: "form-foot" }, h("span"), h("button", { type: "submit", id: "account-add-submit", class: "primary" }, "Add the account"))),
    created);
}
