package scenario

import (
	"fmt"
	"io"
	"os"
	"regexp"

	"github.com/goccy/go-yaml/ast"

	"github.com/parley-negotiation/parley/framework"
	"github.com/parley-negotiation/parley/internal/posyaml"
)

// Load and Parse, and the top level of a scenario file: the format version,
// the scenario's name and texts, and the sections in the order they are read
// (each section's decoder is in the file named for it).

// Load reads and parses the scenario file at path (see Parse). Files larger
// than MaxFileSize are rejected without being read in full. I/O errors are
// returned wrapped with the path; problems with the content are an ErrorList.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("scenario: reading %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, ErrorList{{File: path, Msg: fmt.Sprintf("file is larger than the %d MiB limit for scenario files", MaxFileSize>>20)}}
	}
	return Parse(path, data)
}

// Parse reads a scenario from YAML or JSON text (docs/scenario-format.md).
// filename is used only in messages. On success the scenario satisfies
// Validate. Otherwise the error is an ErrorList holding every problem found
// (up to MaxErrors), each with its line and column. Parse never panics and
// its cost is bounded by MaxFileSize, MaxDepth and MaxKeys.
func Parse(filename string, data []byte) (*Scenario, error) {
	d := &decoder{Decoder: posyaml.NewDecoder(filename, fileFormat)}
	body := d.Parse(data)
	if body == nil {
		return nil, d.Err()
	}
	s := d.scenario(body)
	if err := d.Err(); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		// The checks above should catch everything Validate checks (the fuzz
		// test looks for this message).
		return nil, ErrorList{{File: filename, Msg: validateFailed + err.Error()}}
	}
	return s, nil
}

// validateFailed starts the message of a file that passed the loader's own
// checks but not Scenario.Validate.
const validateFailed = "the scenario fails Validate: "

// namePattern is the syntax of a scenario's machine name.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]*$`)

// topKeys are the keys of the top-level mapping.
var topKeys = []string{"parley", "name", "title", "description", "source", "notice", "points", "parties", "decision", "format", "implementation"}

// scenario decodes the top-level mapping.
func (d *decoder) scenario(n ast.Node) *Scenario {
	top, ok := d.Object(n, "scenario", topKeys, nil)
	if !ok && !top.IsMapping() {
		return nil
	}
	if !top.Has("parley") {
		d.Errorf(top.Node, "missing key \"parley\": expected the format version, parley: %d", FormatVersion)
		return nil
	}
	if v, ok := d.Int(top.Value("parley"), "parley"); !ok {
		return nil
	} else if v != FormatVersion {
		d.Errorf(d.Resolve(top.Value("parley")), "parley: format version %d is not supported (expected %d)", v, FormatVersion)
		return nil
	}
	for _, k := range []string{"name", "points", "parties"} {
		if !top.Has(k) {
			d.Errorf(top.Node, "scenario: missing key %q", k)
		}
	}
	s := &Scenario{Version: FormatVersion}
	if top.Has("name") {
		if v, ok := d.Str(top.Value("name"), "name"); ok {
			if !namePattern.MatchString(v) {
				d.Errorf(d.Resolve(top.Value("name")), "name: %s is not a machine name (expected lower-case letters, digits, '.', '_' and '-', starting with a letter or digit)", posyaml.Quote(v))
			}
			s.Name = v
		}
	}
	d.optStr(top, "title", &s.Title)
	d.optStr(top, "description", &s.Description)
	d.optStr(top, "source", &s.Source)
	d.optStr(top, "notice", &s.Notice)

	fw := &framework.Framework{Name: s.Name, Description: s.Description}
	var pts *points
	if top.Has("points") {
		pts = d.points(top.Value("points"), fw)
	}
	s.Framework = fw

	var parties map[string]ast.Node
	if top.Has("parties") {
		s.Parties, parties = d.parties(top.Value("parties"), fw, pts)
	}
	s.Decision = Decision{Rule: Unanimity, Agreement: WholePackage}
	if top.Has("decision") {
		d.decision(top.Value("decision"), &s.Decision, s, parties)
	}
	s.Format = Format{Default: Plenary}
	if top.Has("format") {
		d.format(top.Value("format"), &s.Format, parties)
	}
	if top.Has("implementation") {
		s.Plan = d.implementation(top.Value("implementation"), fw, pts, parties)
	}
	d.stepCommitments(s)
	return s
}
