// Seats and invitations: the mediator's invitations panel (every seat's
// status, re-issue and revoke, public observers), the notice a seat gets
// when it was re-issued, and a delegation's own observers.
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
    active(seat) ? h("button", { type: "button", class: "link-button", id: `revoke-seat-${key}`, onclick: (e) => revoke(room, cur, `the invitation of ${cur.person || "this seat"}`, e.currentTarget) }, "Revoke") : null);
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
  connected: (el) => loadSeats(el.room),
  select: (s) => ({ seats: s.seats || null, started: s.view.started, parties: s.view.parties, verifiers: s.view.verifiers, vetoes: s.view.decision.vetoes }),
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
  const start = !view.started ? h("div", { class: "start-box" },
    h("p", { class: "small" }, "Open the talks when the parties have joined and set their profiles. Profiles are fixed from then on."),
    h("button", { id: "start", class: "primary big", "data-testid": "start", onclick: (e) => guard(async () => {
      await api("POST", `/api/negotiations/${view.id}/start`);
      ui.newLink = null;
      notice("The talks are open.");
      await room.refresh();
    }, e.currentTarget) }, "Open the talks")) : null;
  return h("section", { id: "invites", class: "card" },
    h("h2", {}, "Parties and invitations"),
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
