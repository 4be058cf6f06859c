// The GENIUS / GeniusWeb upload of the new-negotiation form: a domain and
// its profiles as several XML files (GENIUS), JSON files (GeniusWeb), or
// one zip of the folder. The server reads them (POST /api/negotiations,
// scenario.genius: server/upload.go) and says what is wrong; this picker
// checks only what the browser can: kinds and sizes.

import { h, replace } from "./lib.js";

// The request body is bounded at 8 MiB by the server; base64 makes a zip
// a third larger.
const MAX_TOTAL = 6 << 20;
const MAX_FILES = 64;

const ext = (name) => (name.match(/\.[^.]+$/) || [""])[0].toLowerCase();

// folderName makes a plain name for the upload from a file name: the zip
// without .zip, or the domain file without _domain / -domain and .xml.
function folderName(files) {
  const zip = files.find((f) => ext(f.name) === ".zip");
  const dom = files.find((f) => /domain/i.test(f.name)) || files[0];
  const base = (zip || dom).name.replace(/\.[^.]+$/, "").replace(/[-_ ]?domain$/i, "");
  return base.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "").slice(0, 80) || "upload";
}

function base64(buf) {
  const bytes = new Uint8Array(buf);
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

// geniusPicker returns the picker's element and source(), which reads the
// chosen files into a scenario source for the API (or throws, saying what
// to choose).
export function geniusPicker() {
  let chosen = [];
  const list = h("ul", { id: "genius-files", class: "file-list", "aria-live": "polite" });
  const name = h("input", { type: "text", id: "genius-name", maxlength: 100, placeholder: "e.g. Harbour" });
  const show = () => {
    replace(list, chosen.map((f) => h("li", {}, f.name, h("span", { class: "muted small" }, ` · ${Math.max(1, Math.round(f.size / 1024))} KB`))));
    if (chosen.length && !name.value) name.value = folderName(chosen);
  };
  const input = h("input", { type: "file", id: "genius-upload", multiple: true, accept: ".xml,.json,.zip", "aria-describedby": "genius-help", onchange: (e) => {
    chosen = Array.from(e.target.files || []);
    name.value = "";
    show();
  } });
  const el = h("div", { class: "genius-picker" },
    h("p", { class: "help", id: "genius-help" },
      "A GENIUS domain: its domain XML file and one XML file per party profile (choose them together). ",
      "A GeniusWeb domain: its domain.json and the profiles' JSON files. Or one zip of the folder. ",
      "Each profile becomes a party, named after its file."),
    h("label", { for: "genius-upload" }, "Files"), input, list,
    h("label", { for: "genius-name" }, "Scenario name"), name);
  const source = async () => {
    if (!chosen.length) throw new Error("Choose the GENIUS or GeniusWeb files (or a zip of them).");
    const zips = chosen.filter((f) => ext(f.name) === ".zip");
    const other = chosen.filter((f) => ![".xml", ".json", ".zip"].includes(ext(f.name)));
    if (other.length) throw new Error(`${other[0].name}: choose .xml (GENIUS), .json (GeniusWeb) or .zip files.`);
    if (zips.length && chosen.length > 1) throw new Error("Choose either one zip or the XML/JSON files, not both.");
    if (chosen.length > MAX_FILES) throw new Error(`${chosen.length} files: at most ${MAX_FILES}.`);
    const total = chosen.reduce((n, f) => n + f.size, 0);
    if (total > MAX_TOTAL) throw new Error(`The files come to ${Math.round(total / 1048576)} MB: at most ${MAX_TOTAL >> 20} MB.`);
    const nm = name.value.trim() || folderName(chosen);
    if (zips.length) return { genius: { name: nm, zip: base64(await zips[0].arrayBuffer()) } };
    const files = {};
    for (const f of chosen) files[f.name] = await f.text();
    return { genius: { name: nm, files } };
  };
  // take adopts files chosen elsewhere (the scenario-file picker, given
  // an XML file or a zip).
  const take = (files) => {
    chosen = Array.from(files);
    name.value = "";
    show();
  };
  return { el, source, take };
}

// isGeniusFile says whether a file belongs to the GENIUS picker rather
// than to the scenario-file field.
export function isGeniusFile(file) {
  return [".xml", ".zip"].includes(ext(file.name));
}
