package genius

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/parley-negotiation/parley/scenario"
)

// numbered matches a profile file's generic name once the domain's prefix
// is gone: "party1", "util2", "prof1", "profile 3", "agent 2".
var numbered = regexp.MustCompile(`(?i)^(party|util|prof|profile|agent|utility)[ _-]?(\d+)$`)

// nameParties gives each imported party a readable name for plots and
// reports, keeping its id (the profile's file name, which a converter
// writes back): the domain's own prefix and a "_utility" suffix go,
// separators become spaces, and generic numbered names read "Party N"
// ("Amsterdam_party1" → "Party 1", "ItexvsCypress_Cypress" → "Cypress",
// "party1_utility" → "Party 1"). Names that would collide, or come out
// empty, stay the ids. domain is the domain file's base name.
func nameParties(s *scenario.Scenario, domain string) {
	prefix := strings.ToLower(trimDomainWord(domain))
	names := make([]string, len(s.Parties))
	seen := map[string]bool{}
	for i, p := range s.Parties {
		n := partyName(p.ID, prefix)
		if n == "" || seen[strings.ToLower(n)] {
			return
		}
		seen[strings.ToLower(n)] = true
		names[i] = n
	}
	for i := range s.Parties {
		s.Parties[i].Name = names[i]
	}
}

// trimDomainWord removes a "domain" word at either end of a domain file's
// base name ("Amsterdam_domain" → "Amsterdam", "Barter-A-domain" → "Barter-A").
func trimDomainWord(b string) string {
	l := strings.ToLower(b)
	for _, sep := range []string{"_", "-", " ", ""} {
		if strings.HasSuffix(l, sep+"domain") && len(b) > len(sep+"domain") {
			return b[:len(b)-len(sep+"domain")]
		}
	}
	return b
}

func partyName(id, prefix string) string {
	n := id
	l := strings.ToLower(n)
	if prefix != "" && strings.HasPrefix(l, prefix) && len(n) > len(prefix)+1 && strings.ContainsAny(n[len(prefix):len(prefix)+1], "_- ") {
		n = strings.TrimLeft(n[len(prefix):], "_- ")
		l = strings.ToLower(n)
	}
	if rest, ok := strings.CutPrefix(l, "domain"); ok && rest != "" && strings.ContainsAny(rest[:1], "_- ") {
		n = strings.TrimLeft(n[len("domain"):], "_- ")
		l = strings.ToLower(n)
	}
	for _, suf := range []string{"_utility", "-utility", " utility"} {
		if strings.HasSuffix(l, suf) && len(n) > len(suf) {
			n = n[:len(n)-len(suf)]
			break
		}
	}
	n = strings.Join(strings.FieldsFunc(n, func(r rune) bool { return r == '_' || r == '-' || unicode.IsSpace(r) }), " ")
	if m := numbered.FindStringSubmatch(n); m != nil {
		return "Party " + strings.TrimLeft(m[2], "0")
	}
	if n == "" {
		return ""
	}
	r, size := utf8.DecodeRuneInString(n)
	return string(unicode.ToUpper(r)) + n[size:]
}

// ProfileFile returns the file name of party id's profile in the folder
// LoadDir or LoadFS read s from: id.json for a GeniusWeb folder, id.xml for
// a GENIUS one (the party id is the file name without its extension).
func ProfileFile(s *scenario.Scenario, id string) string {
	if s != nil && strings.HasPrefix(s.Source, "GeniusWeb domain ") {
		return id + ".json"
	}
	return id + ".xml"
}
