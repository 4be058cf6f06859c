// Package scenario holds a whole negotiation setup — the framework, the
// parties with their roles and (confidential) profiles, the decision rule,
// ratification steps and the meeting format — and reads and writes it as a
// versioned YAML or JSON file whose JSON Schema is published in
// docs/scenario.schema.json.
//
// Load and Parse report every problem with the file name, line and column and
// what was expected. Builtin returns the scenarios compiled into the binary,
// among them miami-2025.
package scenario
