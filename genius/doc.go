// Package genius imports and exports negotiation domains and preference
// profiles in the formats of GENIUS (XML) and GeniusWeb (JSON), with the
// utility semantics of GENIUS 10.4 reproduced exactly.
//
// # GENIUS XML
//
// ReadDomain reads a domain (a <negotiation_template>, or a <utility_space>
// without evaluations) into a framework.Framework: one point per <issue>, in
// the order GENIUS enumerates them; discrete issues become options points
// (option id and label = the item's value, clause = its description),
// integer issues Integer points and real issues Real points.
//
// ReadProfile reads a linear additive profile (<utility_space> without a
// type, or type="UNCERTAIN", whose additive part is imported) against a
// framework:
//
//   - discrete issue: evaluation = evaluation / (largest evaluation of the
//     issue's items in the profile), 0 when that maximum is below 1e-5
//     (profile.ScaleMax, scores = the raw evaluations);
//   - integer issue: clamp01(slope·(x − lowerbound) + offset), lowerbound
//     being the profile's own (profile.ValueFunc Linear, Origin = lowerbound);
//   - real issue: ftype linear clamp01(parameter1·x + parameter0), constant
//     parameter0, triangular (parameter0 = low, parameter1 = high,
//     parameter2 = top, not clamped);
//   - weights are taken as written and never renormalised;
//   - <discount_factor value> that is unparsable, ≤ 0 or > 1 means no
//     discounting; a missing <reservation> leaves Profile.Reservation nil.
//
// Non-linear (hyper-rectangle) profiles fail with ErrNonLinear, other
// unsupported utility-space types with ErrUnsupported.
//
// LoadDir loads a whole GENIUS domain folder into a scenario.Scenario, and
// LoadFS one held in an fs.FS (an upload in memory). Neither reads
// anything outside the folder: profile names are plain file names
// (CheckName), symbolic links out of the folder are not followed, and only
// regular files are opened.
// WriteDomain and WriteProfile write GENIUS XML that GENIUS and ReadDomain /
// ReadProfile load back to the same numbers.
//
// # GeniusWeb JSON
//
// ReadGeniusWebDomain and ReadGeniusWebProfile read GeniusWeb domains and
// LinearAdditiveUtilitySpace profiles (discreteutils and numberutils) whose
// value utilities are used as given (profile.ScaleAbsolute); the
// reservationBid becomes the profile's Fallback. Issue order is the order of
// the file. WriteGeniusWebDomain and WriteGeniusWebProfile write them back.
//
// Every reader bounds its input to MaxInput bytes and reports problems as
// errors naming the input (and, for XML, the line); none panics.
//
// See docs/genius.md for the full list of quirks handled and of what is not
// supported.
package genius
