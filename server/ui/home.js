// The mediator's home: sign-in, the list of negotiations (archive, restore
// and delete them; the archived ones apart), classes and shuttle talks,
// and the forms that create a negotiation, a teaching class or shuttle
// talks.

import { h, api, guard, fmt, link, navigate, replace, notice, clearError, showError, firstSentence } from "./lib.js";
import { loadProtocols, factsFor, headingOf, hasMove } from "./protocols.js";
import { PANELS } from "./protocols/index.js";
import { newClassForm } from "./class.js";
import { shuttleSection } from "./shuttle.js";
import { geniusPicker, isGeniusFile } from "./upload.js";
const FORMATS = [["", "The scenario's default"], ["plenary", "Plenary"], ["bilateral", "Bilateral"], ["trilateral", "Trilateral"], ["proximity", "Proximity talks"]];

export async function renderHome(root, me, setUser) {
  if (!me.user) return renderSignIn(root, me, setUser);
  replace(root, h("p", { class: "loading" }, "Loading…"));
  // Shuttle talks are listed apart: a server without them (or a failure
  // to read them) leaves the rest of the page as it is.
  const orNone = (p) => p.catch((e) => {
    showError(e);
    return [];
  });
  const [negs, archived, classes, scenarios, protocols, shuttles, shuttleScenarios] = await Promise.all([
    api("GET", "/api/negotiations"),
    api("GET", "/api/negotiations?archived=1"),
    api("GET", "/api/classes"),
    api("GET", "/api/scenarios"),
    // The protocols as the server describes them; without that, the ones
    // the UI has panels for, by name.
    loadProtocols().catch((e) => {
      showError(e);
      return Object.keys(PANELS).map((name) => factsFor([], name));
    }),
    orNone(api("GET", "/api/shuttles")),
    orNone(api("GET", "/api/shuttles/scenarios")),
  ]);
  const classTitle = Object.fromEntries(classes.map((c) => [c.id, c.title]));
  // A shuttle's tables are grouped under the shuttle's id (their class).
  const shuttleTitle = Object.fromEntries(shuttles.map((c) => [c.id, c.title]));
  const groupLink = (n) => (shuttleTitle[n.class] !== undefined
    ? link(`/shuttles/${n.class}`, `Shuttle: ${shuttleTitle[n.class]}`)
    : link(`/classes/${n.class}`, classTitle[n.class] || "class"));
  const state = { src: "builtin", issued: null };

  const again = () => renderHome(root, me, setUser);
  // archive archives a negotiation (on false: restores it).
  const archive = (n, on, btn) => guard(async () => {
    await api("POST", `/api/negotiations/${n.id}/archive`, { archived: on });
    notice(on ? `“${n.title}” is archived: it is kept, under “Archived”.` : `“${n.title}” is back among your negotiations.`);
    await again();
  }, btn);
  const remove = (n, btn) => {
    if (!confirm(`Delete “${n.title}” for good? Its invitations, messages and record are removed, and nobody can open it any more. This cannot be undone.\n\nTo keep its record, archive it instead.`)) return;
    guard(async () => {
      await api("DELETE", `/api/negotiations/${n.id}`, { confirm: n.id });
      notice(`“${n.title}” is deleted.`);
      await again();
    }, btn);
  };
  const negRow = (n, isArchived) => h("tr", { "data-testid": `negotiation-${n.id}` },
    h("td", {}, link(`/n/${n.id}`, n.title, { class: "negotiation-link", "data-id": n.id })),
    h("td", {}, n.class ? groupLink(n) : h("span", { class: "muted" }, "—")),
    h("td", { class: "muted" }, isArchived ? `archived ${fmt.time(n.archived)}` : fmt.time(n.created)),
    h("td", { class: "row-actions" },
      isArchived
        ? h("button", { type: "button", class: "small-button", id: `restore-${n.id}`, "aria-label": `Restore ${n.title}`, onclick: (e) => archive(n, false, e.currentTarget) }, "Restore")
        : h("button", { type: "button", class: "small-button", id: `archive-${n.id}`, "aria-label": `Archive ${n.title}`, onclick: (e) => archive(n, true, e.currentTarget) }, "Archive"),
      " ",
      h("button", { type: "button", class: "small-button danger subtle", id: `delete-${n.id}`, "aria-label": `Delete ${n.title}`, onclick: (e) => remove(n, e.currentTarget) }, "Delete")));
  const negHead = (third) => h("thead", {}, h("tr", {}, h("th", {}, "Negotiation"), h("th", {}, "Class"), h("th", {}, third), h("th", {}, "Actions")));
  const negTable = negs.length
    ? h("div", { class: "table-scroll" }, h("table", { class: "list", id: "negotiations-list" }, negHead("Created"),
      h("tbody", {}, negs.slice().reverse().map((n) => negRow(n, false)))))
    : h("p", { class: "muted", id: "negotiations-empty" }, archived.length ? "No current negotiation: the others are archived." : "No negotiation yet. Create one below.");
  const archivedBox = archived.length
    ? h("details", { id: "archived", class: "archived" },
      h("summary", {}, `Archived (${archived.length})`),
      h("p", { class: "muted small" }, "Archived negotiations keep their record and open as before; restore one to list it again."),
      h("div", { class: "table-scroll" }, h("table", { class: "list", id: "archived-list" }, negHead("Archived"),
        h("tbody", {}, archived.slice().reverse().map((n) => negRow(n, true))))))
    : null;

  const classList = classes.length
    ? h("ul", { class: "class-list", id: "classes-list" }, classes.slice().reverse().map((c) => h("li", {}, link(`/classes/${c.id}`, c.title, { "data-id": c.id }), h("span", { class: "muted small" }, ` · ${fmt.time(c.created)}`))))
    : h("p", { class: "muted", id: "classes-empty" }, "No class yet.");

  const scenarioSelect = (id) => h("select", { id, "aria-label": "Built-in scenario" }, scenarios.map((s) => h("option", { value: s.name }, `${s.title} — ${s.points} points, ${s.parties} parties`)));
  // protocolSelect lists the protocols by title; below it, what the chosen
  // one is and what it needs (a deadline, a mediator), from its facts.
  const protocolAbout = (facts) => [
    facts.description ? firstSentence(facts.description) : "",
    facts.needs_deadline ? " It needs a deadline: give rounds or minutes." : "",
    facts.mediated && !facts.mediator_optional ? " It needs the scenario's mediator." : "",
  ].join("").trim();
  // The default: the mediator's single text (the protocol whose mediator
  // drafts), as the room is built around it.
  const preferred = protocols.find((p) => hasMove(p, "draft", "mediator")) || protocols[0];
  const protocolSelect = (id) => {
    const about = h("p", { class: "muted small protocol-about", id: id + "-about", "aria-live": "polite" }, preferred ? protocolAbout(preferred) : "");
    const sel = h("select", { id, "aria-describedby": id + "-about", onchange: (e) => {
      about.textContent = protocolAbout(factsFor(protocols, e.target.value));
    } }, protocols.map((p) => h("option", { value: p.name, selected: p === preferred }, headingOf(p))));
    return [sel, about];
  };
  const seesSelect = (id) => h("select", { id }, h("option", { value: "overlap" }, "Aggregates only (overlap)"), h("option", { value: "full" }, "The parties' profiles (trusted mediator)"));

  const settingsOf = (prefix) => {
    const v = (id) => document.getElementById(prefix + id).value;
    const set = { protocol: v("-protocol"), mediator_sees: v("-sees") };
    const fm = document.getElementById(prefix + "-format");
    if (fm && fm.value) set.format = fm.value;
    const r = Number(v("-rounds") || 0);
    if (r) set.rounds = r;
    const m = document.getElementById(prefix + "-minutes");
    if (m && Number(m.value)) set.minutes = Number(m.value);
    return set;
  };

  const genius = geniusPicker();
  const createNeg = (btn) => guard(async () => {
    const src = document.getElementById("src-file").checked ? "file" : document.getElementById("src-genius").checked ? "genius" : "builtin";
    const scenario = src === "builtin" ? { builtin: document.getElementById("neg-scenario").value } : src === "genius" ? await genius.source() : { file: document.getElementById("neg-yaml").value, file_name: document.getElementById("neg-filename").value || "scenario.yaml" };
    if (src === "file" && !scenario.file.trim()) throw new Error("Paste a scenario file, or choose a built-in scenario.");
    const n = await api("POST", "/api/negotiations", { title: document.getElementById("neg-title").value.trim(), scenario, settings: settingsOf("neg") });
    navigate(`/n/${n.id}`);
  }, btn);

  replace(root,
    h("div", { class: "home", id: "home" },
      h("div", { class: "page-head" }, h("h1", {}, "Negotiations"), h("p", { class: "muted" }, `Signed in as ${me.user.name}.`)),
      h("div", { class: "columns" },
        h("div", { class: "col-main" },
          h("section", { class: "card" }, h("h2", {}, "Your negotiations"), negTable, archivedBox),
          h("section", { class: "card", id: "new-negotiation" },
            h("h2", {}, "New negotiation"),
            h("form", { class: "stacked", onsubmit: (e) => { e.preventDefault(); createNeg(e.submitter); } },
              h("label", { for: "neg-title" }, "Title"),
              h("input", { type: "text", id: "neg-title", placeholder: "Defaults to the scenario's title", maxlength: 200 }),
              h("fieldset", { class: "choice" }, h("legend", {}, "Scenario"),
                h("label", { class: "radio" }, h("input", { type: "radio", name: "src", id: "src-builtin", checked: true, onchange: () => toggleSrc("builtin") }), " Built-in"),
                h("label", { class: "radio" }, h("input", { type: "radio", name: "src", id: "src-file", onchange: () => toggleSrc("file") }), " Scenario file (YAML or JSON)"),
                h("label", { class: "radio" }, h("input", { type: "radio", name: "src", id: "src-genius", onchange: () => toggleSrc("genius") }), " GENIUS or GeniusWeb files (XML, JSON or zip)")),
              h("div", { id: "src-builtin-box" }, scenarioSelect("neg-scenario")),
              h("div", { id: "src-file-box", hidden: true },
                h("textarea", { id: "neg-yaml", rows: 10, class: "mono", placeholder: "parley: 1\nname: my-scenario\npoints:\n  - id: ..." }),
                h("div", { class: "inline-form" },
                  h("label", { for: "neg-filename" }, "File name"), h("input", { type: "text", id: "neg-filename", value: "scenario.yaml" }),
                  h("label", { for: "neg-upload" }, "or load a file"), h("input", { type: "file", id: "neg-upload", accept: ".yaml,.yml,.json,.xml,.zip", onchange: (e) => {
                    const file = e.target.files[0];
                    if (!file) return;
                    if (isGeniusFile(file)) {
                      // GENIUS XML or a zip: the GENIUS picker's.
                      genius.take(e.target.files);
                      e.target.value = "";
                      document.getElementById("src-genius").checked = true;
                      toggleSrc("genius");
                      notice("GENIUS files go with their domain: choose the domain and every profile file together, or a zip.");
                      return;
                    }
                    file.text().then((t) => {
                      document.getElementById("neg-yaml").value = t;
                      document.getElementById("neg-filename").value = file.name;
                    });
                  } }))),
              h("div", { id: "src-genius-box", hidden: true }, genius.el),
              h("div", { class: "grid-2" },
                h("div", {}, h("label", { for: "neg-protocol" }, "Protocol"), protocolSelect("neg-protocol")),
                h("div", {}, h("label", { for: "neg-format" }, "Format"), h("select", { id: "neg-format" }, FORMATS.map(([v, t]) => h("option", { value: v }, t)))),
                h("div", {}, h("label", { for: "neg-sees" }, "The mediator sees"), seesSelect("neg-sees")),
                h("div", { class: "grid-2 tight" },
                  h("div", {}, h("label", { for: "neg-rounds" }, "Rounds (0: none)"), h("input", { type: "number", id: "neg-rounds", min: 0, max: 10000, value: 0 })),
                  h("div", {}, h("label", { for: "neg-minutes" }, "Minutes (0: none)"), h("input", { type: "number", id: "neg-minutes", min: 0, step: "any", value: 0 })))),
              h("div", { class: "form-foot" }, h("span"), h("button", { type: "submit", id: "neg-create", class: "primary" }, "Create the negotiation"))))),
        h("aside", { class: "col-side" },
          h("section", { class: "card" }, h("h2", {}, "Teaching classes"), classList),
          newClassForm({ scenarios, protocolSelect }),
          shuttleSection({ shuttles, scenarios: shuttleScenarios, protocols })))));

  function toggleSrc(src) {
    state.src = src;
    document.getElementById("src-builtin-box").hidden = src !== "builtin";
    document.getElementById("src-file-box").hidden = src !== "file";
    document.getElementById("src-genius-box").hidden = src !== "genius";
  }
}

function renderSignIn(root, me, setUser) {
  const invited = me.viewer && me.viewer.negotiation;
  replace(root, h("div", { class: "signin-wrap" },
    h("section", { class: "card narrow", id: "signin" },
      h("h1", {}, "Sign in"),
      h("p", { class: "muted" }, "Mediators and instructors sign in here. Parties open the invitation link they received."),
      invited ? h("p", { class: "note", id: "continue-invite" }, "You hold an invitation: ", link(`/n/${me.viewer.negotiation}`, "continue to your negotiation"), ".") : null,
      h("form", { class: "stacked", id: "login-form", onsubmit: (e) => {
        e.preventDefault();
        guard(async () => {
          await api("POST", "/api/login", { name: document.getElementById("login-name").value.trim(), password: document.getElementById("login-password").value });
          const me2 = await api("GET", "/api/me");
          clearError();
          setUser(me2);
          renderHome(root, me2, setUser);
        }, e.submitter);
      } },
        h("label", { for: "login-name" }, "Name"), h("input", { type: "text", id: "login-name", autocomplete: "username", required: true, value: "" }),
        h("label", { for: "login-password" }, "Password"), h("input", { type: "password", id: "login-password", autocomplete: "current-password", required: true }),
        h("div", { class: "form-foot" }, h("span"), h("button", { type: "submit", id: "login-submit", class: "primary" }, "Sign in"))))));
  const n = document.getElementById("login-name");
  if (n) n.focus();
}
