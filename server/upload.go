package server

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"
	"unicode/utf8"

	"github.com/parley-negotiation/parley/genius"
	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/scenario"
)

// MaxGeniusFiles bounds the files of a GENIUS upload, and the profiles it
// names.
const MaxGeniusFiles = 64

// GeniusUpload is a GENIUS domain folder: XML files by name.
type GeniusUpload struct {
	Name  string            `json:"name"`
	Files map[string]string `json:"files"`
	// Profiles names the profile files to load (default: every linear one).
	Profiles []string `json:"profiles,omitempty"`
}

// load checks the upload's names and loads it from memory: nothing of the
// server's file system is read, whatever the names say.
func (g *GeniusUpload) load() (*scenario.Scenario, error) {
	if len(g.Files) == 0 || len(g.Files) > MaxGeniusFiles {
		return nil, room.Errorf(room.EINVALID, "genius: want 1 to %d XML files, got %d", MaxGeniusFiles, len(g.Files))
	}
	name := strings.TrimSpace(g.Name)
	if len(name) > room.MaxName || genius.CheckName(name) != nil {
		return nil, room.Errorf(room.EINVALID, "genius: name %s: want a plain folder name of at most %d bytes", quoteName(g.Name), room.MaxName)
	}
	if len(g.Profiles) > MaxGeniusFiles {
		return nil, room.Errorf(room.EINVALID, "genius: %d profiles named: want at most %d", len(g.Profiles), MaxGeniusFiles)
	}
	fsys := fstest.MapFS{}
	for _, fn := range slices.Sorted(maps.Keys(g.Files)) {
		if genius.CheckName(fn) != nil || strings.HasPrefix(fn, ".") || !strings.EqualFold(filepath.Ext(fn), ".xml") {
			return nil, room.Errorf(room.EINVALID, "genius: file %s: want a plain name ending in .xml (no folders, no control characters, at most %d bytes)", quoteName(fn), genius.MaxFileName)
		}
		fsys[fn] = &fstest.MapFile{Data: []byte(g.Files[fn]), Mode: 0o444}
	}
	for _, p := range g.Profiles {
		if _, ok := fsys[p]; ok {
			continue
		}
		if _, ok := fsys[p+".xml"]; ok && genius.CheckName(p) == nil {
			continue
		}
		return nil, room.Errorf(room.EINVALID, "genius: profile %s: want the name of one of the uploaded files", quoteName(p))
	}
	sc, err := genius.LoadFS(fsys, name, g.Profiles)
	if err != nil {
		return nil, room.Errorf(room.EINVALID, "genius: %v", err)
	}
	return sc, nil
}

// quoteName quotes a name from a request for a message, cut to 100 bytes.
func quoteName(s string) string {
	if len(s) <= 100 {
		return fmt.Sprintf("%q", s)
	}
	cut := 100
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%q… (%d bytes)", s[:cut], len(s))
}
