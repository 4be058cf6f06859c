// The glossary: the few words of negotiation analysis the room uses, in
// plain language. term(key, text) marks a word where a person reads it: a
// tooltip (title) for the mouse, and aria-describedby pointing to the
// glossary's own entry for screen readers, so glossaryPanel() must be on
// the page where term() is used (the party's and the mediator's screens
// show it once). asShare shows a utility as "% of your best", the exact
// figures in its tooltip.

import { h, fmt } from "./lib.js";

export const GLOSSARY = {
  utility: ["Utility", "How much a package is worth to you under your profile: the sum over the points of the point's importance times the score of the option the package takes. Shown as a share of your best package: 100% is the best package you could get, 0% the worst."],
  worth: ["Worth to you", "A package's (or an option's) utility under your own profile, shown as a share of the best package you could get."],
  best: ["Your best", "The package of your best option on every point: 100% on every rating. Red lines do not change it; the best package you can accept may be worth less."],
  importance: ["Importance (weight)", "How much a point matters to you compared with the others. The point that matters most gets 100; the weights are the shares that result."],
  score: ["Score", "How good an option of a point is for you, from 0 (the worst) to 100 (the best)."],
  reservation: ["Reservation value", "The least a package must be worth to you for you to prefer it to no agreement. Below it you would rather walk away."],
  fallback: ["Fallback (BATNA)", "What you expect to happen if the talks fail, as a package: your best alternative to a negotiated agreement. Your reservation value is what it is worth to you."],
  redline: ["Red line", "An option (or a combination of options) you will never accept, whatever else a package offers. A package that contains it is unacceptable to you."],
  interaction: ["Combination (interaction)", "An option that is worth more, or less, to you together with another option (or two): the amount you state is added to (or taken from) what a package is worth to you when the package takes them all. Like the rest of your profile, it is private."],
  zone: ["Zone of agreement", "The packages every party prefers to no agreement: above every party's reservation value and crossing no one's red line. When it is empty, no package can satisfy every party as they stated their profiles."],
  pareto: ["Pareto-efficient", "A package no other package improves for one party without making another worse off."],
  nash: ["Nash package", "The package that maximises the product of the parties' gains over their reservation values: a classic fair compromise."],
  frontier: ["Pareto frontier", "The Pareto-efficient packages, drawn in the parties' utility space: no package lies beyond it. A package on it cannot be improved for one party without costing another."],
  welfare: ["Welfare", "The sum of the parties' utilities for a package: the maximum-welfare package makes the sum as large as it can be, whoever gains."],
  egalitarian: ["Egalitarian package", "The package that makes the worst-off party as well off as possible (the smallest gain over a reservation value, made largest)."],
  dance: ["Negotiation dance", "The packages put on the table, one dot each, in the parties' utility space: how the offers moved towards (or away from) one another and the Pareto frontier."],
  kalai: ["Kalai–Smorodinsky package", "The package that gives every party the same share of the most it could hope for within the zone: a fair compromise by equal proportional gains."],
  numeric: ["Numeric point", "A point whose options are numbers (an amount, a distance, a date): you say which value is best for you and how fast the value falls away from it."],
  prefilled: ["Pre-filled profile", "The numbers the scenario's author wrote for your role, shown until you save your own. They are a starting point, not your view: check them."],
};

// SOLUTION_TERMS are the glossary's words for the analysis's solution
// concepts (the suggested packages' names).
export const SOLUTION_TERMS = { "nash": "nash", "nash-genius": "nash", "kalai-smorodinsky": "kalai", "genius-kalai": "kalai", "max-welfare": "welfare", "egalitarian": "egalitarian" };

// glossaryId is the id of a glossary entry.
export function glossaryId(key) {
  return `gloss-${key}`;
}

// term marks text as the glossary's word key: its definition as a tooltip
// and as the accessible description.
export function term(key, text) {
  const g = GLOSSARY[key];
  if (!g) return text;
  return h("span", { class: "term", tabindex: "0", title: g[1], "aria-describedby": glossaryId(key), "data-term": key }, text || g[0]);
}

// glossaryPanel lists every word, collapsed (its entries stay in the page
// for aria-describedby).
export function glossaryPanel(idPrefix) {
  const pre = idPrefix || "";
  return h("details", { class: "glossary card", id: `${pre}glossary` },
    h("summary", {}, h("h2", { class: "inline" }, "Glossary")),
    h("dl", {}, Object.entries(GLOSSARY).map(([k, [word, def]]) => [
      h("dt", {}, word),
      h("dd", { id: pre ? `${pre}${glossaryId(k)}` : glossaryId(k) }, def),
    ])));
}

// asShare shows utility u as a share of the best utility max: "72% of your
// best", the exact numbers in the tooltip.
export function asShare(u, max, props) {
  const share = max > 0 ? u / max : 0;
  return h("span", Object.assign({ class: "share", title: `utility ${fmt.num(u, 4)} of a best possible ${fmt.num(max, 4)}`, "data-utility": String(u) }, props || {}), `${fmt.pct(share)} of your best`);
}
