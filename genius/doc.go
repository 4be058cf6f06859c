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
// Non-linear (hyper-rectangle) profiles, <utility_space type="nonlinear">,
// are read as GENIUS evaluates them into profile.Interactions over a zero
// additive part (each value divided by maxutility; GENIUS's cap at 1 is not
// applied, and a warning gives the exact highest utility when it is above
// 1); what cannot be mapped exactly fails with ErrNonLinear. WriteProfile
// writes profiles with interactions back in that format when their additive
// part is zero and their terms bound integer points. Other unsupported
// utility-space types fail with ErrUnsupported.
//
// # NegMAS
//
// NegMAS reads GENIUS files with other semantics (discrete evaluations not
// divided by their maximum, an integer function slope·x + offset without
// its lower bound, no clamping). A profile written by NegMAS (its objective
// is <objective index="1" name="any">) is read as NegMAS computes it
// (ProfileInfo.NegMAS); for any other profile a warning gives the exact
// largest difference of NegMAS's utilities and why. LoadDir reads an
// integer issue that a profile gives as an item table (as NegMAS writes
// them) as an options point, one option per integer. The writers produce
// files GENIUS, NegMAS and Parley evaluate alike: discrete evaluations
// peaking at 1 (the weight carries the maximum), integer functions with
// their origin (profile lowerbound) at 0 and the bounds in a <range>,
// constants as flat linear functions; ExportScenario writes numeric points
// where the readers would still differ, and every numeric point for
// GeniusWeb (NegMAS cannot read number ranges), as one discrete value per
// level. GeniusWeb profiles carry the reservation value and the discount as
// NegMAS's "reserved_value" and "discount_factor".
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
