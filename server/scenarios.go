package server

import (
	"net/http"
	"path/filepath"
	"strings"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
)

// Scenarios: the built-in ones (GET /api/scenarios), and where a new
// negotiation's or class's scenario comes from (ScenarioSource; GENIUS
// uploads are upload.go's).

type scenarioInfo struct {
	Name    string `json:"name"`
	Title   string `json:"title"`
	Points  int    `json:"points"`
	Parties int    `json:"parties"`
	// Roles are the parties by id, name and role (public: what a class's
	// seats are assigned to).
	Roles []room.PartyInfo `json:"roles"`
}

func (s *Server) scenarios(w http.ResponseWriter, r *http.Request) {
	out := []scenarioInfo{}
	for _, n := range scenario.BuiltinNames() {
		sc, err := scenario.Builtin(n)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		info := scenarioInfo{Name: n, Title: sc.Title, Points: len(sc.Framework.Points), Parties: len(sc.Parties), Roles: []room.PartyInfo{}}
		for _, p := range sc.Parties {
			info.Roles = append(info.Roles, room.PartyInfo{ID: p.ID, Name: p.Name, Role: p.Role, HasProfile: p.Profile != nil})
		}
		out = append(out, info)
	}
	writeJSON(w, http.StatusOK, out)
}

// ScenarioSource says where a negotiation's scenario comes from: exactly
// one of a built-in name, a scenario file's text, or GENIUS files.
type ScenarioSource struct {
	Builtin string `json:"builtin,omitempty"`
	// File is a scenario file (YAML or JSON); FileName names it in errors.
	File     string        `json:"file,omitempty"`
	FileName string        `json:"file_name,omitempty"`
	Genius   *GeniusUpload `json:"genius,omitempty"`
}

// load returns the scenario the source names.
func (src *ScenarioSource) load() (*scenario.Scenario, error) {
	n := 0
	for _, set := range []bool{src.Builtin != "", src.File != "", src.Genius != nil} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, room.Errorf(room.EINVALID, "scenario: give exactly one of builtin, file or genius")
	}
	switch {
	case src.Builtin != "":
		sc, err := scenario.Builtin(src.Builtin)
		if err != nil {
			return nil, room.Errorf(room.EINVALID, "scenario: %v", err)
		}
		return sc, nil
	case src.File != "":
		name := src.FileName
		if name == "" {
			name = "scenario.yaml"
		}
		if strings.HasPrefix(strings.TrimSpace(src.File), "<") || strings.EqualFold(filepath.Ext(name), ".xml") {
			return nil, room.Errorf(room.EINVALID, "%s: this is XML, not a Parley scenario (YAML or JSON): upload a GENIUS domain with its profile files as GENIUS files (scenario.genius)", filepath.Base(name))
		}
		sc, err := scenario.Parse(filepath.Base(name), []byte(src.File))
		if err != nil {
			return nil, room.Errorf(room.EINVALID, "%v", err)
		}
		return sc, nil
	}
	return src.Genius.load()
}
