// Seats and invitations: the mediator's invitations panel (the readiness
// board — per party joined, profile saved, last active, kept current by
// the seats' event stream — every seat's status, re-issue and revoke,
// public observers, the confirmation that opens the talks), the notice a
// seat gets when it was re-issued, and a delegation's own observers.
//
// A seat has one invitation at a time; issuing another while one is
// active re-issues the seat, which revokes the one before at once. The
// observers of a party's seat are invited by its delegation; the mediator
// sees only how many there are.

import { h, api, guard, fmt, notice, partyName, verifierName, copyText } from "./lib.js";
import { define } from "./component.js";

const STATUS_LABEL = { vacant: "not invited", issued: "invited, not joined", joined: "joined", revoked: "revoked", expired: "expired" };
const STATUS_CLASS = { vacant: "st-not-started", issued: "st-open", joined: "st-agreed", revoked: "st-failed", expired: "st-failed" };

function statusBadge(status) {
  return h("span", { class: ["badge", STATUS_CLASS[status] || ""] }, STATUS_LABEL[status] || status);
}

function active(seat) {
  return seat && (seat.status === "issued" || seat.status === "joined");
}

// seatKey names a seat in the mediator's form: a party's id, "verifier:ID",
// or "observer:" for a public observer.
function seatKey(seat) {
  return seat.verifier ? "verifier:" + seat.verifier : seat.party;
}

function seatLabel(view, key) {
  if (key === "observer:") return "a public observer";
  if (key.startsWith("verifier:")) return verifierName(view, key.slice("verifier:".length));
  return partyName(view, key);
}

// loadSeats reads the caller's seats and invitations into the store
// (seats) once per room; reloadSeats reads them again.
function loadSeats(room) {
  if (room.store.state.seats !== undefined || room.seatsLoading) return;
  room.seatsLoading = true;
  api("GET", `/api/negotiations/${room.id}/invites`).then((s) => {
    room.store.set({ seats: s });
  }).catch((e) => {
    room.store.set({ seats: { seats: [], observers: [] } });
    guard(async () => { throw e; });
  }).finally(() => (room.seatsLoading = false));
}

async function reloadSeats(room) {
  room.store.set({ seats: await api("GET", `/api/negotiations/${room.id}/invites`) });
}

// followSeats keeps the seats current for the mediator: the server sends
// them again whenever a seat changes (GET .../invites/stream). It returns
// the function that stops following.
function followSeats(room) {
  if (typeof EventSource === "undefined") return () => {};
  const es = new EventSource(`/api/negotiations/${room.id}/invites/stream`);
  es.addEventListener("seats", (e) => {
    try {
      if (!room.closed) room.store.set({ seats: JSON.parse(e.data) });
    } catch {
      /* a broken message: the next one, or the reload, brings them */
    }
  });
  // The server ends the stream when the sign-in no longer holds or the
  // negotiation is gone: the room's own stream says so.
  es.addEventListener("end", () => es.close());
  return () => es.close();
}

// ago says how long ago a time was, in words.
function ago(t) {
  const d = new Date(t);
  if (!t || isNaN(d) || d.getFullYear() < 2) return "";
  const s = Math.max(0, (Date.now() - d.getTime()) / 1000);
  if (s < 90) return "just now";
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return fmt.time(t);
}

// readiness sums up, per party that negotiates, what the mediator may know
// of its seat: whether its current invitation was used (joined), whether
// its profile was saved, and when it was last active.
export function readiness(view, seats) {
  const list = (seats && seats.seats) || [];
  return view.parties.filter((p) => p.role !== "mediator").map((p) => {
    const seat = list.find((x) => x.party === p.id && !x.verifier);
    return {
      party: p.id, name: p.name || p.id, profile: !!p.has_profile,
      joined: !!seat && seat.status === "joined",
      status: seat ? seat.status : "vacant",
      saved: !!seat && !!seat.profile_saved,
      last: seat ? seat.last_active || "" : "",
    };
  });
}

// notReady lists the parties that never joined and those that never saved
// a profile (of those with one).
function notReady(rows) {
  return {
    absent: rows.filter((r) => !r.joined),
    unsaved: rows.filter((r) => r.profile && !r.saved),
  };
}

// readinessBoard is the mediator's table of the parties' readiness, with a
// preview of each party's screen.
function readinessBoard(view, seats, room) {
  const rows = readiness(view, seats);
  const yes = (on, text, title) => h("span", { class: ["badge", on ? "st-agreed" : "st-not-started"], title: title || "" }, text);
  return h("div", { id: "readiness", class: "readiness" },
    h("h3", {}, "Readiness"),
    h("p", { class: "muted small" }, "Updated live: who has joined, who has saved a profile, and when each seat was last active. Profiles stay private: you see only that they were saved. Preview shows a party's screen, read-only."),
    h("div", { class: "table-scroll" }, h("table", { class: "list", id: "readiness-board" },
      h("thead", {}, h("tr", {}, h("th", {}, "Party"), h("th", {}, "Joined"), h("th", {}, "Profile"), h("th", {}, "Active"))),
      h("tbody", {}, rows.map((r) => h("tr", { "data-testid": `ready-${r.party}`, "data-joined": String(r.joined), "data-saved": String(r.saved) },
        h("td", {}, r.name, h("div", {}, h("button", { type: "button", class: "link-button small", id: `preview-${r.party}`, "aria-label": `Preview ${r.name}'s screen, read-only`, onclick: () => room.store.set({ preview: r.party }) }, "Preview"))),
        h("td", {}, r.joined ? yes(true, "joined") : yes(false, { issued: "invited", revoked: "revoked", expired: "expired" }[r.status] || "not invited")),
        h("td", {}, !r.profile ? h("span", { class: "muted" }, "—") : r.saved ? yes(true, "saved") : yes(false, "not saved", "The scenario's pre-filled numbers stand until the party saves its own")),
        h("td", { class: "muted small", "data-testid": `ready-last-${r.party}`, title: r.last ? `Last active ${fmt.time(r.last)}` : "Never active" }, r.last ? ago(r.last) : "never")))))));
}

// newLinkBox shows an invitation link once.
function newLinkBox(ui, rerender) {
  const l = ui.newLink;
  if (!l) return null;
  return h("div", { class: "new-link", id: "invite-new", "data-party": l.party },
    h("p", {}, h("strong", {}, `Invitation for ${l.name}${l.person ? ` (${l.person})` : ""}${l.reissued ? " — the seat was re-issued" : ""}`),
      h("span", { class: "muted small" }, " — shown once: send it privately; anyone with the link takes the seat.")),
    h("div", { class: "copy-row" },
      h("input", { type: "text", readonly: true, id: "invite-link", value: l.url, "data-party": l.party, onfocus: (e) => e.target.select() }),
      h("button", { type: "button", id: "invite-copy", onclick: () => copyText(l.url, document.getElementById("invite-link")) }, "Copy"),
      h("button", { type: "button", class: "link-button", id: "invite-dismiss", onclick: () => { ui.newLink = null; rerender(); } }, "Done")));
}

// seatCell describes a seat for the mediator: the current invitation, its
// status, the profile, the delegation's observers (a count), re-issues.
function seatCell(room, seat, key) {
  if (!seat || !seat.invitations.length) return h("span", { class: "muted" }, "not yet");
  const inv = seat.invitations;
  const cur = inv.slice().reverse().find((i) => i.status === "issued" || i.status === "joined") || inv[inv.length - 1];
  const facts = [];
  if (cur.status === "joined") facts.push(`joined ${fmt.time(cur.used)}`);
  else if (cur.status === "revoked") facts.push(`revoked ${fmt.time(cur.revoked)}`);
  else facts.push(`link valid until ${fmt.date(cur.expires)}`);
  if (seat.profile_saved) facts.push("profile saved");
  if (seat.observers) facts.push(`${seat.observers} observer${seat.observers > 1 ? "s" : ""} (invited by the delegation)`);
  if (seat.reissued && seat.reissued.length) facts.push(`re-issued ${seat.reissued.length}×`);
  return h("div", { class: "small seat-cell", "data-status": seat.status },
    statusBadge(seat.status), " ", cur.person || "(unnamed)",
    h("div", { class: "muted" }, facts.join(" · ")),
    active(seat) ? h("button", { type: "button", class: "link-button", id: `revoke-seat-${key}`, onclick: (e) => revoke(room, cur, `the invitation of ${cur.person || "this seat"}`, e.currentTarget) }, "Revoke") : null,
    active(seat) ? [" ", h("button", { type: "button", class: "link-button", id: `reissue-seat-${key}`, onclick: () => chooseSeat(room, seatKey(seat)) }, "Re-issue")] : null);
}

// chooseSeat puts a seat in the invitation form (to re-issue it) and takes
// the focus there.
function chooseSeat(room, key) {
  room.store.set({ inviteChoice: { key, at: Date.now() } });
  requestAnimationFrame(() => {
    const f = document.getElementById("invite-reason") || document.getElementById("invite-person");
    if (f) {
      f.scrollIntoView({ block: "center" });
      f.focus();
    }
  });
}

async function revokeNow(room, inv) {
  await api("POST", `/api/negotiations/${room.id}/invites/${encodeURIComponent(inv.id)}/revoke`, {});
  await reloadSeats(room);
  notice("Revoked: the link opens nothing any more.");
}

function revoke(room, inv, what, btn) {
  if (!confirm(`Revoke ${what}? Whoever holds the link loses access at once.`)) return;
  guard(() => revokeNow(room, inv), btn);
}

// mediatorSeats is the mediator's "Parties and invitations" panel, with
// the box that opens the talks before they start.
export const mediatorSeats = define("parley-invites", {
  init: () => ({}),
  connected: (el) => {
    loadSeats(el.room);
    el.onDisconnect(followSeats(el.room));
  },
  select: (s) => ({ seats: s.seats || null, started: s.view.started, parties: s.view.parties, verifiers: s.view.verifiers, vetoes: s.view.decision.vetoes, choice: s.inviteChoice || null }),
  render: (s, el) => invitesPanel(s, el.room, el.local, () => el.update()),
});

function invitesPanel(s, room, ui, rerender) {
  const view = s.view;
  const seats = s.seats;
  const list = (seats && seats.seats) || [];
  const seatOf = (key) => list.find((s) => seatKey(s) === key);
  const parties = view.parties.filter((p) => p.role !== "mediator");
  const verifiers = view.verifiers || [];
  ui.inviteForm = ui.inviteForm || { party: (parties.find((p) => p.role === "principal") || parties[0] || {}).id || "observer:", person: "", reason: "" };
  const form = ui.inviteForm;
  if (s.inviteChoice && s.inviteChoice.at !== ui.choiceAt) {
    ui.choiceAt = s.inviteChoice.at;
    form.party = s.inviteChoice.key;
  }
  const chosen = seatOf(form.party);
  const reissuing = active(chosen);

  const create = (btn) => guard(async () => {
    // Read the fields themselves: they are the truth (autofill, scripts).
    form.party = document.getElementById("invite-party").value;
    form.person = document.getElementById("invite-person").value;
    const reasonEl = document.getElementById("invite-reason");
    form.reason = reasonEl ? reasonEl.value : "";
    const seat = seatOf(form.party);
    const reissue = active(seat);
    if (reissue && !confirm(`Re-issue the seat of ${seatLabel(view, form.party)}? Its current invitation stops working at once${seat.party ? ", with the invitations of its observers" : ""}, and the seat is told that you re-issued it.`)) return;
    let body;
    if (form.party === "observer:") body = { observer: true, person: form.person.trim() };
    else if (form.party.startsWith("verifier:")) body = { verifier: form.party.slice("verifier:".length), person: form.person.trim() };
    else body = { party: form.party, person: form.person.trim() };
    if (reissue) body.reissue = true;
    if (form.reason.trim()) body.reason = form.reason.trim();
    const r = await api("POST", `/api/negotiations/${view.id}/invites`, body);
    const key = r.invite.verifier ? "verifier:" + r.invite.verifier : r.invite.observer ? "observer:" : r.invite.party;
    ui.newLink = { party: key, name: seatLabel(view, key), person: r.invite.person, reissued: r.invite.reissued, url: location.origin + r.link };
    form.person = "";
    form.reason = "";
    await reloadSeats(room);
    // Suggest the next party's seat without an invitation.
    const now = room.store.state.seats.seats;
    const next = parties.find((p) => p.role === "principal" && !active(now.find((x) => x.party === p.id)));
    if (next) form.party = next.id;
    rerender();
  }, btn);

  const observers = (seats && seats.observers) || [];
  const start = !view.started ? startBox(view, seats, room, ui, rerender) : null;
  return h("section", { id: "invites", class: "card" },
    h("h2", {}, "Parties and invitations"),
    readinessBoard(view, seats, room),
    h("table", { class: "parties", id: "party-list" },
      h("thead", {}, h("tr", {}, h("th", {}, "Party"), h("th", {}, "Role"), h("th", {}, "Invitation"))),
      h("tbody", {}, view.parties.map((p) => h("tr", { "data-testid": `party-row-${p.id}` },
        h("td", {}, h("strong", {}, p.name || p.id), h("div", { class: "muted small" }, p.id)),
        h("td", {}, p.role, (view.decision.vetoes || []).includes(p.id) ? h("span", { class: "badge st-objected", title: "Holds a veto" }, "veto") : null),
        h("td", { "data-testid": `invite-status-${p.id}` }, p.role === "mediator" ? h("span", { class: "muted" }, "you") : seatCell(room, seatOf(p.id), p.id)))),
      verifiers.map((v) => h("tr", { "data-testid": `party-row-verifier-${v.id}` },
        h("td", {}, h("strong", {}, v.name || v.id), h("div", { class: "muted small" }, v.id)),
        h("td", {}, "verifier"),
        h("td", { "data-testid": `invite-status-verifier-${v.id}` }, seatCell(room, seatOf("verifier:" + v.id), "verifier-" + v.id)))))),
    observers.length ? h("div", { id: "public-observers" }, h("h3", {}, "Public observers"),
      h("ul", { class: "plain small" }, observers.map((o) => h("li", { "data-testid": `observer-${o.id}` },
        statusBadge(o.status), " ", o.person || "(unnamed)",
        o.status === "issued" || o.status === "joined" ? [" ", h("button", { type: "button", class: "link-button", id: `revoke-observer-${o.id}`, onclick: (e) => revoke(room, o, `the observer invitation of ${o.person || "(unnamed)"}`, e.currentTarget) }, "Revoke")] : null)))) : null,
    newLinkBox(ui, rerender),
    h("form", { id: "invite-form", class: "inline-form", onsubmit: (e) => { e.preventDefault(); create(e.submitter); } },
      h("label", { for: "invite-party" }, "Seat"),
      h("select", { id: "invite-party", onchange: (e) => { form.party = e.target.value; rerender(); } },
        parties.map((p) => h("option", { value: p.id, selected: form.party === p.id }, p.name || p.id)),
        verifiers.length ? h("optgroup", { label: "Verifiers (implementation)" }, verifiers.map((v) => h("option", { value: "verifier:" + v.id, selected: form.party === "verifier:" + v.id }, v.name || v.id))) : null,
        h("option", { value: "observer:", selected: form.party === "observer:" }, "Public observer (sees public events only)")),
      h("label", { for: "invite-person" }, "Person"),
      h("input", { type: "text", id: "invite-person", value: form.person, placeholder: "Name (optional)", maxlength: 100, oninput: (e) => (form.person = e.target.value) }),
      reissuing ? h("input", { type: "text", id: "invite-reason", value: form.reason, placeholder: "Why (the seat sees it)", maxlength: 4000, oninput: (e) => (form.reason = e.target.value) }) : null,
      h("button", { type: "submit", id: "invite-create", class: reissuing ? "danger" : "primary" }, reissuing ? "Re-issue the seat" : "Create invitation link")),
    reissuing ? h("p", { class: "muted small", id: "reissue-note" }, `${seatLabel(view, form.party)} has an invitation in use: a new one revokes it at once, and the seat is told.`) : null,
    h("p", { class: "muted small" }, "Observers of a party's seat are invited by that party's delegation, from its own screen."),
    start);
}

// startBox opens the talks, after a confirmation that names the parties
// that never joined and those that never saved a profile: opening cannot
// be undone, and it fixes the profiles.
function startBox(view, seats, room, ui, rerender) {
  const open = (btn) => guard(async () => {
    await api("POST", `/api/negotiations/${view.id}/start`);
    ui.newLink = null;
    ui.confirmStart = false;
    notice("The talks are open.");
    await room.refresh();
  }, btn);
  if (!ui.confirmStart) {
    return h("div", { class: "start-box" },
      h("p", { class: "small" }, "Open the talks when the parties have joined and set their profiles. Profiles are fixed from then on."),
      h("button", { id: "start", class: "primary big", "data-testid": "start", onclick: () => {
        ui.confirmStart = true;
        rerender();
        requestAnimationFrame(() => {
          const b = document.getElementById("start-cancel");
          if (b) b.focus();
        });
      } }, "Open the talks"));
  }
  const { absent, unsaved } = notReady(readiness(view, seats));
  const names = (rows) => rows.map((r) => r.name).join(", ");
  const ready = !absent.length && !unsaved.length;
  return h("div", { class: "start-box", id: "start-confirm", role: "alertdialog", "aria-labelledby": "start-confirm-title", "aria-describedby": "start-confirm-body", "data-ready": String(ready) },
    h("p", { id: "start-confirm-title" }, h("strong", {}, "Open the talks? This cannot be undone: every profile is fixed from then on.")),
    h("div", { id: "start-confirm-body", class: ready ? "" : "note" },
      ready ? h("p", { class: "small" }, "Every party has joined and saved its profile.") : null,
      absent.length ? h("p", { class: "small", id: "start-absent" }, h("strong", {}, "Never joined: "), names(absent), ".") : null,
      unsaved.length ? h("p", { class: "small", id: "start-unsaved" }, h("strong", {}, "Never saved a profile: "), names(unsaved), " — the scenario's pre-filled numbers will be used.") : null),
    h("div", { class: "form-foot" },
      h("button", { type: "button", id: "start-cancel", onclick: () => { ui.confirmStart = false; rerender(); } }, "Not yet"),
      h("button", { type: "button", id: "start-confirm-open", class: ready ? "primary" : "danger", onclick: (e) => open(e.currentTarget) }, ready ? "Open the talks" : "Open the talks anyway")));
}

// seatNotice tells a party or verifier that its seat was re-issued (the
// latest time), or null.
export function seatNotice(view) {
  const re = view.seat && view.seat.reissued;
  if (!re || !re.length) return null;
  const last = re[re.length - 1];
  const by = last.by ? partyName(view, last.by) : "the negotiation's host";
  return h("div", { class: "note seat-notice", id: "seat-notice", "data-count": re.length },
    h("strong", {}, "Your seat was re-issued"), ` on ${fmt.time(last.at)} by ${by}`, last.reason ? `: “${last.reason}”` : "", ". ",
    "Earlier invitations to this seat no longer open it", re.length > 1 ? ` (re-issued ${re.length} times in all).` : ".");
}

// delegationCard lets a party's delegation invite, list and revoke the
// observers of its own seat.
export const delegationCard = define("parley-delegation", {
  init: () => ({ observerForm: { person: "" } }),
  connected: (el) => loadSeats(el.room),
  select: (s) => s.seats || null,
  render: (s, el) => delegationOf(s, el.room, el.local, () => el.update()),
});

function delegationOf(s, room, ui, rerender) {
  const view = s.view;
  const form = ui.observerForm;
  const observers = (s.seats && s.seats.observers) || [];
  const create = (btn) => guard(async () => {
    form.person = document.getElementById("observer-person").value;
    const r = await api("POST", `/api/negotiations/${view.id}/invites`, { observer: true, person: form.person.trim() });
    ui.observerLink = { person: r.invite.person, url: location.origin + r.link };
    form.person = "";
    await reloadSeats(room);
    rerender();
  }, btn);
  const link = ui.observerLink;
  return h("section", { class: "card", id: "delegation-observers" },
    h("h2", {}, "Observers of your seat"),
    h("p", { class: "muted small" }, "They see what your seat sees, your profile included, and make no moves. Only your delegation invites and revokes them; the mediator sees only how many there are."),
    observers.length ? h("ul", { class: "plain small", id: "observer-list" }, observers.map((o) => h("li", { "data-testid": `observer-${o.id}` },
      statusBadge(o.status), " ", o.person || "(unnamed)",
      h("span", { class: "muted" }, o.status === "revoked" ? ` · revoked ${fmt.time(o.revoked)}${o.revoke_reason ? ` (${o.revoke_reason})` : ""}` : ` · until ${fmt.date(o.expires)}`),
      o.status === "issued" || o.status === "joined" ? [" ", h("button", { type: "button", class: "link-button", id: `revoke-observer-${o.id}`, onclick: (e) => revoke(room, o, `the observer invitation of ${o.person || "(unnamed)"}`, e.currentTarget) }, "Revoke")] : null))) : h("p", { class: "muted small", id: "observer-none" }, "No observers invited."),
    link ? h("div", { class: "new-link", id: "observer-new" },
      h("p", {}, h("strong", {}, `Observer invitation${link.person ? ` for ${link.person}` : ""}`), h("span", { class: "muted small" }, " — shown once; send it privately.")),
      h("div", { class: "copy-row" },
        h("input", { type: "text", readonly: true, id: "observer-link", value: link.url, onfocus: (e) => e.target.select() }),
        h("button", { type: "button", id: "observer-copy", onclick: () => copyText(link.url, document.getElementById("observer-link")) }, "Copy"),
        h("button", { type: "button", class: "link-button", id: "observer-dismiss", onclick: () => { ui.observerLink = null; rerender(); } }, "Done"))) : null,
    h("form", { id: "observer-form", class: "inline-form", onsubmit: (e) => { e.preventDefault(); create(e.submitter); } },
      h("label", { for: "observer-person" }, "Person"),
      h("input", { type: "text", id: "observer-person", value: form.person, placeholder: "Name (optional)", maxlength: 100, oninput: (e) => (form.person = e.target.value) }),
      h("button", { type: "submit", id: "observer-create" }, "Invite an observer")));
}
