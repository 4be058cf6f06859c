// Package posyaml reads YAML (and JSON) files by hand, over the AST of
// github.com/goccy/go-yaml, so that every problem found is reported as
// "FILE:LINE:COL: what was found and what was expected" and checking goes on
// after the first problem: one run shows them all.
//
// It is the plumbing shared by the readers of Parley's files — scenario
// files (package scenario) and tournament configs (package tournament) — so
// that both check the same things before the parser runs, accept the same
// YAML, and word the same problem the same way.
//
// A reader creates a Decoder for one file with the Format of its kind of
// file, calls Parse, then walks the document with the typed accessors (Str,
// Name, Text, Number, Int, IntIn, Bool, OneOf, List, Mapping, Object). Each
// accessor returns its value and whether it was read; when it was not, the
// problem is recorded at the node's position and the reader simply skips
// what depended on it. Err returns what was recorded, sorted by position,
// as an ErrorList, or nil.
//
// Before the parser runs, Parse bounds the input (size, UTF-8, nesting
// depth, keys per block mapping: the parser's cost grows with the square of
// the last two); aliases are expanded within a budget of MaxExpansion nodes,
// so that no input can make a reader build an unbounded model. No input
// makes Parse or an accessor panic.
package posyaml
