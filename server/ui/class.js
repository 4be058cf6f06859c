// Teaching classes. On the home page: the form that creates a class —
// the roles picked from the chosen scenario's parties by name, a roster
// of students spread over the rooms, an automatic mediator per room, a
// student mediator per room or the instructor, locked role profiles, a confirmation above a few rooms —
// and, once created, every invitation link with a CSV download and a
// printable page. On /classes/{id}: the monitor of the rooms (status,
// round, who is awaited, last activity, agreement) and the debrief over
// the finished rooms only, both live through the class's stream
// (streams.js); starting, cloning, archiving and deleting the class.

import { h, api, guard, fmt, link, navigate, replace, notice, STATUS_TEXT } from "./lib.js";
import { createStore } from "./store.js";
import { define } from "./component.js";
import { classStream } from "./streams.js";
import { term, glossaryPanel } from "./glossary.js";

// CONFIRM_ROOMS: creating more rooms than this asks first. The server's
// limit is room.MaxRooms (MAX_ROOMS here, for the form's own message).
export const CONFIRM_ROOMS = 4;
export const MAX_ROOMS = 100;

// The mediator strategies of package mediator (mediator.Names); the
// server checks the name and whether it needs the profiles.
// Hill-climbing first: it needs no agreement zone (the zone strategies end
// the talks at once where the profiles leave none, as in tiny-2p).
const STRATEGIES = [
  ["hill", "Hill-climbing (sees no profile: learns from the responses and votes)", false],
  ["nash", "Nash bargaining (aims at the agreement zone's Nash package; sees the profiles)", true],
  ["kalai-smorodinsky", "Kalai–Smorodinsky (sees the profiles)", true],
  ["egalitarian", "Egalitarian (sees the profiles)", true],
];

const roleLabel = (r) => (r.mediator ? `Mediator${r.name && r.name !== "Mediator" ? ` — ${r.name}` : ""}` : r.name && r.name !== r.id ? `${r.name} (${r.id})` : r.id);

// MEDIATOR_SEAT is the value of a student mediator's seat in the form: the
// server resolves it to the room's mediator's seat ({mediator: true}).
const MEDIATOR_SEAT = "@mediator";

// seatLabel names an issued seat's role: a student mediator's, a party's or
// a public observer's.
const seatLabel = (st, name) => (st.mediator ? `Mediator${name[st.party] && name[st.party] !== "Mediator" ? ` — ${name[st.party]}` : ""}` : st.party ? name[st.party] || st.party : "public observer");

// newClassForm returns the "New class" card of the home page. scenarios
// are GET /api/scenarios (with each one's roles); protocolSelect(id)
// and seesSelect(id) are the home page's selects.
export function newClassForm({ scenarios, protocolSelect }) {
  const byName = Object.fromEntries(scenarios.map((s) => [s.name, s]));
  const state = { seats: [] }; // {room, party, person}
  const roles = () => ((byName[document.getElementById("class-scenario").value] || {}).roles || []);
  const studentMediates = () => !!(document.getElementById("class-mediator-student") || {}).checked;
  // The roles students take: the principals, and the mediator's seat when
  // a student mediates each room (first in each room).
  const seatRoles = () => {
    const rs = roles().filter((r) => r.role === "principal");
    if (!studentMediates()) return rs;
    const m = roles().find((r) => r.role === "mediator");
    return [{ id: MEDIATOR_SEAT, name: m ? m.name || m.id : "Mediator", role: "mediator", mediator: true }, ...rs];
  };
  const rooms = () => Number(document.getElementById("class-rooms").value) || 0;

  const seatsBody = h("tbody", { id: "class-seat-rows" });
  const renderSeats = () => {
    const rs = seatRoles();
    const n = Math.max(1, Math.min(rooms(), MAX_ROOMS));
    replace(seatsBody, state.seats.map((st, k) => h("tr", { "data-seat": String(k) },
      h("td", {}, h("label", { class: "visually-hidden", for: `class-seat-room-${k}` }, `Seat ${k + 1}: room`),
        h("select", { id: `class-seat-room-${k}`, onchange: (e) => { st.room = Number(e.target.value); } },
          Array.from({ length: Math.max(n, st.room) }, (_, i) => h("option", { value: String(i + 1), selected: st.room === i + 1 }, `Room ${i + 1}`)))),
      h("td", {}, h("label", { class: "visually-hidden", for: `class-seat-party-${k}` }, `Seat ${k + 1}: role`),
        h("select", { id: `class-seat-party-${k}`, onchange: (e) => { st.party = e.target.value; } },
          rs.map((r) => h("option", { value: r.id, selected: st.party === r.id }, roleLabel(r))))),
      h("td", {}, h("label", { class: "visually-hidden", for: `class-seat-person-${k}` }, `Seat ${k + 1}: student`),
        h("input", { type: "text", id: `class-seat-person-${k}`, value: st.person, maxlength: 100, placeholder: "Student's name", oninput: (e) => { st.person = e.target.value; } })),
      h("td", {}, h("button", { type: "button", class: "small-button subtle", "aria-label": `Remove seat ${k + 1}`, onclick: () => { state.seats.splice(k, 1); renderSeats(); } }, "Remove")))));
    seatsTable.hidden = state.seats.length === 0;
  };
  const seatsTable = h("table", { class: "list", id: "class-seat-table", hidden: true },
    h("thead", {}, h("tr", {}, h("th", {}, "Room"), h("th", {}, "Role"), h("th", {}, "Student"), h("th", {}, h("span", { class: "visually-hidden" }, "Actions")))),
    seatsBody);
  const rolesNote = h("p", { class: "muted small", id: "class-roles", "aria-live": "polite" });
  const showRoles = () => {
    const rs = seatRoles();
    rolesNote.textContent = rs.length ? `Roles to seat in each room: ${rs.map(roleLabel).join(", ")}.` : "This scenario has no roles to seat.";
    // Seats of another scenario's roles are dropped.
    const ids = new Set(rs.map((r) => r.id));
    state.seats = state.seats.filter((st) => ids.has(st.party));
    renderSeats();
  };
  const addSeat = () => {
    const rs = seatRoles();
    if (!rs.length) return;
    // The next role not yet seated, room by room.
    const n = Math.max(1, Math.min(rooms(), MAX_ROOMS));
    let room = 1, party = rs[0].id;
    search: for (let r = 1; r <= n; r++) {
      for (const role of rs) {
        if (!state.seats.some((st) => st.room === r && st.party === role.id)) {
          room = r;
          party = role.id;
          break search;
        }
      }
    }
    state.seats.push({ room, party, person: "" });
    renderSeats();
  };
  // assignRoster seats the students of the roster in order: room 1's
  // roles, then room 2's…, growing the number of rooms to fit.
  const assignRoster = () => {
    const names = document.getElementById("class-roster").value.split("\n").map((l) => l.trim()).filter(Boolean);
    const rs = seatRoles();
    if (!names.length || !rs.length) throw new Error("Write one student per line, and choose a scenario with roles.");
    const need = Math.ceil(names.length / rs.length);
    if (need > MAX_ROOMS) throw new Error(`${names.length} students need ${need} rooms: a class has at most ${MAX_ROOMS}.`);
    document.getElementById("class-rooms").value = String(Math.max(need, 1));
    state.seats = names.map((person, k) => ({ room: Math.floor(k / rs.length) + 1, party: rs[k % rs.length].id, person }));
    renderSeats();
    notice(`${names.length} students seated in ${need} room${need === 1 ? "" : "s"}.`);
  };

  const mediatorBox = h("div", { id: "class-auto-box" },
    h("label", { for: "class-strategy" }, "Strategy"),
    h("select", { id: "class-strategy" }, STRATEGIES.map(([v, t]) => h("option", { value: v }, t))));
  const pickMediator = () => {
    mediatorBox.hidden = !document.getElementById("class-mediator-auto").checked;
    showRoles(); // the mediator's seat comes and goes with a student mediator
  };

  const issuedBox = h("div", { id: "class-issued" });
  const create = (btn) => guard(async () => {
    const n = rooms();
    if (!Number.isInteger(n) || n < 1 || n > MAX_ROOMS) throw new Error(`Rooms: ${document.getElementById("class-rooms").value || "none"}; a class has 1 to ${MAX_ROOMS} rooms.`);
    for (const [k, st] of state.seats.entries()) {
      if (st.room > n) throw new Error(`Seat ${k + 1} is in room ${st.room}, and the class has ${n} room${n === 1 ? "" : "s"}.`);
    }
    const settings = {
      protocol: document.getElementById("class-protocol").value,
      rounds: Number(document.getElementById("class-rounds").value || 0) || undefined,
      lock_profiles: document.getElementById("class-lock").checked,
      mediator_sees: "overlap",
    };
    if (document.getElementById("class-mediator-auto").checked) {
      const strat = document.getElementById("class-strategy").value;
      settings.auto_mediator = strat;
      // A strategy aiming at a bargaining solution needs the profiles.
      if (STRATEGIES.find(([v]) => v === strat)[2]) settings.mediator_sees = "full";
    } else if (document.getElementById("class-sees-full").checked) {
      settings.mediator_sees = "full";
    }
    if (n > CONFIRM_ROOMS && !confirm(`Create ${n} rooms? Each room is a negotiation of its own, with its seats; the class can be deleted later, but its invitations go out as soon as you send them.`)) return;
    const body = {
      title: document.getElementById("class-title").value.trim(),
      scenario: { builtin: document.getElementById("class-scenario").value },
      rooms: n,
      settings,
      seats: state.seats.map((st) => (st.party === MEDIATOR_SEAT ? { room: st.room, mediator: true, person: st.person.trim() } : { room: st.room, party: st.party, person: st.person.trim() })),
    };
    const dl = document.getElementById("class-deadline").value;
    if (dl) body.deadline = new Date(dl).toISOString();
    const r = await api("POST", "/api/classes", body);
    notice(`The class is created: ${n} room${n === 1 ? "" : "s"}.`);
    replace(issuedBox, issuedLinks(r, roles()));
  }, btn);

  const section = h("section", { class: "card", id: "new-class" },
    h("h2", {}, "New class"),
    h("p", { class: "muted small" }, "Parallel rooms of one scenario, with confidential roles and a debrief."),
    h("form", { class: "stacked", onsubmit: (e) => { e.preventDefault(); create(e.submitter); } },
      h("label", { for: "class-title" }, "Title"), h("input", { type: "text", id: "class-title", placeholder: "e.g. Seminar, week 3", maxlength: 200 }),
      h("label", { for: "class-scenario" }, "Scenario"),
      h("select", { id: "class-scenario", onchange: showRoles }, scenarios.map((s) => h("option", { value: s.name }, `${s.title} — ${s.points} points, ${s.parties} parties`))),
      rolesNote,
      h("div", { class: "grid-2 tight" },
        h("div", {}, h("label", { for: "class-rooms" }, `Rooms (1 to ${MAX_ROOMS})`), h("input", { type: "number", id: "class-rooms", min: 1, max: MAX_ROOMS, value: 2, onchange: renderSeats })),
        h("div", {}, h("label", { for: "class-rounds" }, "Rounds (0: none)"), h("input", { type: "number", id: "class-rounds", min: 0, value: 0 }))),
      h("label", { for: "class-protocol" }, "Protocol"), protocolSelect("class-protocol"),
      h("fieldset", { class: "choice", id: "class-mediator" }, h("legend", {}, "Who mediates each room"),
        h("label", { class: "radio" }, h("input", { type: "radio", name: "class-mediator", id: "class-mediator-auto", checked: true, onchange: pickMediator }), " An automatic mediator (the rooms run without you)"),
        h("label", { class: "radio" }, h("input", { type: "radio", name: "class-mediator", id: "class-mediator-student", onchange: pickMediator }), " A student mediates each room (a mediator's seat per room, with its own link: the mediator's console of that room only)"),
        h("label", { class: "radio" }, h("input", { type: "radio", name: "class-mediator", id: "class-mediator-me", onchange: pickMediator }), " I mediate every room myself"),
        mediatorBox,
        h("label", { class: "check" }, h("input", { type: "checkbox", id: "class-sees-full" }), " Let the mediator see the parties' profiles")),
      h("label", { class: "check" }, h("input", { type: "checkbox", id: "class-lock", checked: true }),
        " Lock the role profiles: students get their role's profile read-only, so every room negotiates the same profiles"),
      h("label", { for: "class-deadline" }, "Deadline (optional)"), h("input", { type: "datetime-local", id: "class-deadline" }),
      h("fieldset", { class: "choice", id: "class-seats" }, h("legend", {}, "Seats (optional)"),
        h("label", { for: "class-roster" }, "Students, one per line: seated in order, room by room"),
        h("textarea", { id: "class-roster", rows: 3, placeholder: "Ann\nBen\nCleo" }),
        h("div", { class: "inline-form" },
          h("button", { type: "button", id: "class-roster-assign", onclick: (e) => guard(async () => assignRoster(), e.currentTarget) }, "Seat the students"),
          h("button", { type: "button", id: "class-seat-add", onclick: addSeat }, "Add a seat")),
        seatsTable),
      h("div", { class: "form-foot" }, h("span"), h("button", { type: "submit", id: "class-create", class: "primary" }, "Create the class"))),
    issuedBox);
  // After the section is in the page: the roles of the selected scenario.
  queueMicrotask(() => {
    if (document.getElementById("class-scenario")) showRoles();
  });
  return section;
}

// joinURL is a seat's invitation link.
const joinURL = (token) => `${location.origin}/join#${token}`;

// csvField quotes a CSV field.
export const csvField = (v) => (/[",\n\r]/.test(v) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

// linksCSV is the invitations of a class as CSV, one row per seat.
export function linksCSV(r, roles) {
  const name = Object.fromEntries(roles.map((x) => [x.id, x.name || x.id]));
  const rows = [["room", "role", "role_id", "student", "observer", "link"]];
  for (const st of r.seats) rows.push([String(st.room), seatLabel(st, name), st.party || "", st.person || "", st.observer ? "yes" : "", joinURL(st.token)]);
  return rows.map((row) => row.map(csvField).join(",")).join("\r\n") + "\r\n";
}

const escapeHTML = (v) => String(v).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

// printableLinks is a page to print and cut: one slip per seat, room by
// room, each with the student's name, role and link.
export function printableLinks(r, roles) {
  const name = Object.fromEntries(roles.map((x) => [x.id, x.name || x.id]));
  const byRoom = new Map();
  for (const st of r.seats) {
    if (!byRoom.has(st.room)) byRoom.set(st.room, []);
    byRoom.get(st.room).push(st);
  }
  const slips = [...byRoom.entries()].sort((a, b) => a[0] - b[0]).map(([room, seats]) =>
    `<section class="room"><h2>Room ${room}</h2>${seats.map((st) => `<div class="slip"><p><strong>${escapeHTML(st.person || "(no name)")}</strong> — ${escapeHTML(seatLabel(st, name))}</p>${st.brief ? `<p class="brief">${escapeHTML(st.brief)}</p>` : ""}<p class="link">${escapeHTML(joinURL(st.token))}</p></div>`).join("")}</section>`).join("");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Invitations — ${escapeHTML(r.class.title)}</title>` +
    `<style>body{font:12pt system-ui,sans-serif;margin:1.5cm}h1{font-size:16pt}h2{font-size:13pt;margin:1em 0 .3em}.slip{border:1px dashed #888;padding:.4em .6em;margin:.3em 0;break-inside:avoid}.link{font-family:monospace;font-size:10pt;word-break:break-all;margin:.2em 0 0}.brief{font-size:10pt;margin:.2em 0;white-space:pre-line}.room{break-inside:avoid-page}@media print{.noprint{display:none}}</style></head>` +
    `<body><h1>Invitations — ${escapeHTML(r.class.title)}</h1><p class="noprint">Print this page and hand each student their slip: a link opens that student's seat, privately. <button onclick="print()">Print</button></p>${slips}</body></html>`;
}

// issuedLinks shows a new class's invitations: every link in full, a CSV
// download and a printable page.
function issuedLinks(r, roles) {
  r = Object.assign({}, r, { seats: r.seats || [] }); // a class without seats
  const name = Object.fromEntries(roles.map((x) => [x.id, x.name || x.id]));
  const csvURL = URL.createObjectURL(new Blob([linksCSV(r, roles)], { type: "text/csv;charset=utf-8" }));
  const printURL = URL.createObjectURL(new Blob([printableLinks(r, roles)], { type: "text/html;charset=utf-8" }));
  return h("div", { class: "new-link" },
    h("p", {}, h("strong", {}, `Class “${r.class.title}” created. `), link(`/classes/${r.class.id}`, "Open its monitor and debrief", { id: "class-open" })),
    r.seats.length
      ? [h("p", { class: "muted small" }, "Invitation links — shown once: download or print them now, and send each privately."),
        h("div", { class: "inline-form" },
          h("a", { href: csvURL, id: "class-links-csv", class: "button", download: `invitations-${r.class.id}.csv` }, "Download the links (CSV)"),
          h("a", { href: printURL, id: "class-links-print", class: "button", target: "_blank", rel: "noopener" }, "Printable page")),
        h("div", { class: "table-scroll" }, h("table", { class: "list", id: "class-seats-issued" },
          h("thead", {}, h("tr", {}, h("th", {}, "Room"), h("th", {}, "Role"), h("th", {}, "Student"), h("th", {}, "Link"))),
          h("tbody", {}, r.seats.map((st, k) => h("tr", {},
            h("td", {}, `Room ${st.room}`),
            h("td", {}, seatLabel(st, name)),
            h("td", {}, st.person || ""),
            h("td", {}, h("code", { class: "join-link", id: `class-seat-link-${k}` }, joinURL(st.token))))))))]
      : h("p", { class: "muted small" }, "No seats were assigned: invite people from each room's console."));
}

// renderClass renders class id (monitor and debrief) into root and
// returns a cleanup function.
export async function renderClass(root, id, setContext) {
  replace(root, h("div", { class: "debrief", id: "debrief" },
    h("p", { class: "loading", id: "debrief-loading" }, "Reading the rooms…")));
  let info, d;
  try {
    [info, d] = await Promise.all([api("GET", `/api/classes/${id}`), api("GET", `/api/classes/${id}/debrief`)]);
  } catch (e) {
    replace(root, h("section", { class: "card narrow" }, h("h1", {}, "This class cannot be opened"), h("p", {}, e.message), h("p", {}, link("/", "Back to the start page"))));
    throw e;
  }
  setContext(d.class.title);
  const store = createStore({ info, debrief: d, mode: "", version: 0 });
  let closed = false;
  // read re-reads one of the class's documents, at most one request at a
  // time each (a change meanwhile reads again after).
  const reader = (path, key, extra) => {
    let inflight = false, again = false;
    return async () => {
      if (inflight) {
        again = true;
        return;
      }
      inflight = true;
      try {
        do {
          again = false;
          const next = await api("GET", path);
          if (closed) return;
          store.set((s) => Object.assign({}, s, { [key]: next }, extra ? extra(s) : {}));
        } while (again && !closed);
      } catch (e) {
        guard(async () => { throw e; });
      } finally {
        inflight = false;
      }
    };
  };
  const readInfo = reader(`/api/classes/${id}`, "info");
  const readDebrief = reader(`/api/classes/${id}/debrief`, "debrief", (s) => ({ version: s.version + 1 }));
  const reload = () => Promise.all([readInfo(), readDebrief()]);
  const room = { id, store, reload };
  replace(root, classScreen(room));

  // Each room's events re-read the monitor (cheap, at most every 0.5 s)
  // and the debrief (it scores the finished rooms: at most every 1.5 s).
  let infoTimer = null, debriefTimer = null;
  const follow = classStream({
    url: d.stream || "",
    roomIds: info.rooms.map((r) => r.negotiation),
    onChange: () => {
      if (!infoTimer) infoTimer = setTimeout(() => { infoTimer = null; readInfo(); }, 500);
      if (!debriefTimer) debriefTimer = setTimeout(() => { debriefTimer = null; readDebrief(); }, 1500);
    },
    onMode: (mode) => store.set({ mode }),
  });
  return () => {
    closed = true;
    clearTimeout(infoTimer);
    clearTimeout(debriefTimer);
    follow.close();
    replace(root);
  };
}

const statusBadge = (s) => h("span", { class: ["badge", "st-" + s.replace(/ /g, "-")] }, STATUS_TEXT[s] || STATUS_TEXT[s.replace(/ /g, "-")] || s);

// ago says how long ago t was, shortly.
function ago(t) {
  if (!t) return "—";
  const d = new Date(t);
  if (isNaN(d) || d.getFullYear() < 2) return "—";
  const s = Math.max(0, Math.round((Date.now() - d.getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return fmt.time(t);
}

const classScreen = define("parley-class", {
  select: (s) => ({ info: s.info, mode: s.mode }),
  render: (s, el) => {
    const { info } = s, c = info.class, id = el.room.id;
    const waiting = info.rooms.filter((r) => !r.started).length;
    const set = info.settings || {};
    const start = (btn) => guard(async () => {
      await api("POST", `/api/classes/${id}/start`);
      notice("Every room is open.");
      await el.room.reload();
    }, btn);
    const clone = (btn) => guard(async () => {
      const r = await api("POST", `/api/classes/${id}/clone`, {});
      notice(`“${r.class.title}” is created: ${(r.seats || []).length} new invitations.`);
      replace(document.getElementById("class-clone-links"), issuedLinks(r, info.parties || []));
    }, btn);
    const archive = (on, btn) => guard(async () => {
      await api("POST", `/api/classes/${id}/archive`, { archived: on });
      notice(on ? "The class and its rooms are archived: they are kept, and open as before." : "The class is back among your classes.");
      await el.room.reload();
    }, btn);
    const remove = (btn) => {
      if (!confirm(`Delete “${c.title}” and its ${info.rooms.length} rooms for good? Their invitations, messages and records are removed. This cannot be undone.\n\nTo keep them, archive the class instead.`)) return;
      guard(async () => {
        await api("DELETE", `/api/classes/${id}`, { confirm: id });
        notice(`“${c.title}” is deleted.`);
        navigate("/");
      }, btn);
    };
    const archived = c.archived && !String(c.archived).startsWith("0001");
    const mediatorText = set.auto_mediator ? `automatic mediator (${set.auto_mediator})` : "the instructor mediates";
    return h("div", { class: "debrief", id: "debrief", "data-rooms": String(info.rooms.length), "data-follow": s.mode },
      h("div", { class: "page-head" },
        h("div", {}, h("h1", { id: "class-title" }, c.title),
          h("p", { class: "muted", id: "class-meta" }, `${info.rooms.length} rooms · ${mediatorText} · profiles ${set.lock_profiles ? "locked" : "editable by the students"} · created ${fmt.time(c.created)}${c.deadline && !c.deadline.startsWith("0001") ? ` · deadline ${fmt.time(c.deadline)}` : ""}${archived ? ` · archived ${fmt.time(c.archived)}` : ""}`)),
        h("div", { class: "head-actions" },
          waiting > 0 ? h("button", { id: "class-start", class: "primary", onclick: (e) => start(e.currentTarget) }, `Start all rooms (${waiting} waiting)`) : h("span", { class: "badge st-agreed", id: "class-all-started" }, "All rooms started"),
          h("button", { type: "button", id: "class-clone", onclick: (e) => clone(e.currentTarget) }, "Clone the class"),
          archived
            ? h("button", { type: "button", id: "class-restore", onclick: (e) => archive(false, e.currentTarget) }, "Restore")
            : h("button", { type: "button", id: "class-archive", onclick: (e) => archive(true, e.currentTarget) }, "Archive"),
          h("button", { type: "button", id: "class-delete", class: "danger subtle", onclick: (e) => remove(e.currentTarget) }, "Delete"))),
      h("div", { id: "class-clone-links" }),
      el.child("monitor", monitor),
      el.child("rooms", roomsTable),
      el.child("plot", debriefPlot),
      glossaryPanel());
  },
});

// monitor is where every room stands, as it moves.
const monitor = define("parley-class-monitor", {
  select: (s) => s.info.rooms,
  render: (s) => {
    const rooms = s.info.rooms;
    const names = Object.fromEntries((s.info.parties || []).map((p) => [p.id, p.name || p.id]));
    const finished = rooms.filter((r) => r.finished).length, agreed = rooms.filter((r) => r.agreement).length;
    return h("section", { class: "card", id: "class-monitor" },
      h("div", { class: "card-head" }, h("h2", {}, "Rooms now"),
        h("span", { class: "badge", id: "class-progress", "aria-live": "polite" }, `${finished} of ${rooms.length} finished · ${agreed} agreed`)),
      h("div", { class: "table-scroll" }, h("table", { class: "list", id: "monitor-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "Room"), h("th", {}, "Status"), h("th", { class: "num" }, "Round"), h("th", { class: "num" }, "Moves"),
          h("th", {}, "Waiting for"), h("th", { class: "num" }, "Joined"), h("th", {}, "Last activity"), h("th", {}, "Agreement"))),
        h("tbody", {}, rooms.map((r) => h("tr", { "data-testid": `monitor-${r.negotiation}`, "data-status": r.status, "data-finished": String(r.finished) },
          h("td", {}, link(`/n/${r.negotiation}`, r.title)),
          h("td", {}, statusBadge(r.status), r.problem ? h("p", { class: "small bad" }, r.problem) : null),
          h("td", { class: "num" }, r.started ? String(r.round) : "—"),
          h("td", { class: "num" }, r.started ? String(r.moves) : "—"),
          h("td", { class: "small" }, r.waiting && r.waiting.length ? r.waiting.map((p) => names[p] || p).join(", ") : h("span", { class: "muted" }, "—")),
          h("td", { class: "num" }, `${r.joined}/${r.seats}`),
          h("td", { class: "small" }, ago(r.last_activity)),
          h("td", {}, r.finished ? (r.agreement ? h("span", { class: "badge st-in-force" }, "Yes") : h("span", { class: "badge st-no-agreement" }, "No")) : h("span", { class: "muted" }, "not yet"))))))));
  },
});

// roomsTable is the debrief: figures for the finished rooms only.
const roomsTable = define("parley-debrief-rooms", {
  select: (s) => ({ rooms: s.debrief.rooms, parties: s.debrief.parties, mean: s.debrief.mean, rate: s.debrief.agreement_rate, finished: s.debrief.finished }),
  render: (s) => {
    const d = s.debrief;
    const names = Object.fromEntries((s.info.parties || []).map((p) => [p.id, p.name || p.id]));
    const parties = d.parties || [];
    const figures = parties.length + 3;
    return h("section", { class: "card", id: "debrief-rooms" },
      h("div", { class: "card-head" }, h("h2", {}, "Debrief"),
        h("span", { class: "badge", id: "agreement-rate" }, d.finished ? `Agreement rate ${fmt.pct(d.agreement_rate)} of ${d.finished} finished room${d.finished === 1 ? "" : "s"}` : "No room has finished yet")),
      h("div", { class: "table-scroll" }, h("table", { class: "list debrief-table", id: "debrief-table" },
        h("thead", {}, h("tr", {}, h("th", {}, "Room"), h("th", {}, "Status"), h("th", { class: "num" }, "Rounds"),
          parties.map((p) => h("th", { class: "num" }, term("utility", "Utility"), ` ${names[p] || p}`)),
          h("th", { class: "num" }, term("welfare", "Welfare")), h("th", { class: "num" }, "To ", term("frontier", "frontier")), h("th", { class: "num" }, "To ", term("nash", "Nash")), h("th", {}, "People"))),
        h("tbody", {}, d.rooms.map((r) => h("tr", { "data-testid": `room-${r.negotiation}`, "data-status": r.status, "data-scored": String(!!r.scored) },
          h("td", {}, link(`/n/${r.negotiation}`, r.title)),
          h("td", {}, statusBadge(r.status)),
          h("td", { class: "num" }, r.status === "not started" ? "—" : String(r.rounds)),
          r.scored
            ? [r.utilities.map((u) => h("td", { class: "num" }, fmt.num(u, 3))),
              h("td", { class: "num" }, fmt.num(r.welfare, 3)),
              h("td", { class: "num" }, fmt.num(r.distance_pareto, 3)),
              h("td", { class: "num" }, fmt.num(r.distance_nash, 3))]
            : h("td", { colspan: figures, class: "muted not-scored" }, r.status === "not started" ? "Not started — no result" : "Not finished — no result yet"),
          h("td", { class: "small" }, Object.entries(r.people || {}).map(([p, n]) => `${names[p] || p}: ${n}`).join(", ") || h("span", { class: "muted" }, "—"))))),
        d.finished ? h("tfoot", {}, h("tr", {}, h("th", { colspan: 3 }, `Mean of ${d.finished} finished`), (d.mean || []).map((u) => h("th", { class: "num" }, fmt.num(u, 3))), h("th", { colspan: 4 }))) : null)),
      h("p", { class: "muted small" }, "Only finished rooms are scored; a finished room without an agreement counts each party's ", term("reservation", "reservation value"), ". “To frontier” and “To Nash” are the distances from a room's outcome to the Pareto frontier and to the Nash package, in utility. The table follows the rooms as they negotiate."),
      h("p", {}, h("a", { href: `/api/classes/${d.class.id}/debrief.csv`, id: "debrief-csv", class: "button", download: `debrief-${d.class.id}.csv` }, "Download the debrief (CSV)")));
  },
});

const debriefPlot = define("parley-debrief-plot", {
  // The plot changes with the outcomes: re-read it when they do.
  select: (s) => ({ finished: s.debrief.finished, outcomes: s.debrief.rooms.filter((r) => r.scored).map((r) => [r.status, r.utilities]) }),
  render: (s, el) => h("section", { class: "card" }, h("h2", {}, "Outcomes against the Pareto frontier"),
    s.debrief.finished
      ? h("figure", { class: "dance" }, h("img", { id: "debrief-plot", src: `/api/classes/${el.room.id}/debrief.svg?v=${s.version}`, alt: "Every finished room's outcome in the utility space of the roles, with the Pareto frontier" }))
      : h("p", { class: "muted", id: "debrief-plot-empty" }, "The plot shows the finished rooms' outcomes; no room has finished yet.")),
});
