package server

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"maps"
	"path"
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

// MaxGeniusZip bounds the uncompressed size of a zipped upload, all files
// together (the zip itself is bounded by the request's MaxUpload).
const MaxGeniusZip = 16 << 20

// GeniusUpload is a GENIUS domain folder (XML files) or a GeniusWeb one
// (JSON files): its files by name, or a zip archive of them.
type GeniusUpload struct {
	Name  string            `json:"name"`
	Files map[string]string `json:"files,omitempty"`
	// Zip is a zip archive of the folder (base64 in JSON), instead of
	// Files: its .xml and .json files are read, from its root or from a
	// single folder; other files are ignored.
	Zip []byte `json:"zip,omitempty"`
	// Profiles names the profile files to load (default: every linear one).
	Profiles []string `json:"profiles,omitempty"`
}

// geniusExt says whether a file name ends in .xml or .json.
func geniusExt(fn string) bool {
	ext := strings.ToLower(filepath.Ext(fn))
	return ext == ".xml" || ext == ".json"
}

// unzip returns the .xml and .json files of a zipped folder by base name:
// the files at the archive's root, or, when the root holds none, those of
// its one folder. Sizes are bounded as read, whatever the archive claims.
func unzip(data []byte) (map[string]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, room.Errorf(room.EINVALID, "genius: zip: %v (want a zip archive of the domain and profile files)", err)
	}
	byDir := map[string][]*zip.File{}
	for _, f := range zr.File {
		name := f.Name
		base := path.Base(name)
		if f.FileInfo().IsDir() || !geniusExt(base) || strings.HasPrefix(base, ".") || strings.HasPrefix(name, "__MACOSX/") {
			continue
		}
		dir := path.Dir(name)
		byDir[dir] = append(byDir[dir], f)
	}
	var chosen []*zip.File
	switch dirs := slices.Sorted(maps.Keys(byDir)); {
	case len(dirs) == 0:
		return nil, room.Errorf(room.EINVALID, "genius: zip: no .xml or .json file in the archive (want a GENIUS domain and its profiles, or a GeniusWeb domain.json and its profiles)")
	case byDir["."] != nil:
		chosen = byDir["."]
	case len(dirs) == 1:
		chosen = byDir[dirs[0]]
	default:
		return nil, room.Errorf(room.EINVALID, "genius: zip: files in %d folders (%s, …): want one domain's files, at the archive's root or in one folder", len(dirs), quoteName(dirs[0]))
	}
	if len(chosen) > MaxGeniusFiles {
		return nil, room.Errorf(room.EINVALID, "genius: zip: %d .xml or .json files: want at most %d", len(chosen), MaxGeniusFiles)
	}
	files := map[string]string{}
	total := int64(0)
	for _, f := range chosen {
		base := path.Base(f.Name)
		if _, dup := files[base]; dup {
			return nil, room.Errorf(room.EINVALID, "genius: zip: %s appears twice", quoteName(base))
		}
		rc, err := f.Open()
		if err != nil {
			return nil, room.Errorf(room.EINVALID, "genius: zip: %s: %v", quoteName(base), err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, MaxGeniusZip-total+1))
		rc.Close()
		if err != nil {
			return nil, room.Errorf(room.EINVALID, "genius: zip: %s: %v", quoteName(base), err)
		}
		total += int64(len(b))
		if total > MaxGeniusZip {
			return nil, room.Errorf(room.ETOOLARGE, "genius: zip: the files come to over %d bytes uncompressed", MaxGeniusZip)
		}
		files[base] = string(b)
	}
	return files, nil
}

// load checks the upload's names and loads it from memory: nothing of the
// server's file system is read, whatever the names say.
func (g *GeniusUpload) load() (*scenario.Scenario, error) {
	if len(g.Zip) > 0 {
		if len(g.Files) > 0 {
			return nil, room.Errorf(room.EINVALID, "genius: give either files or a zip, not both")
		}
		files, err := unzip(g.Zip)
		if err != nil {
			return nil, err
		}
		g.Files = files
	}
	if len(g.Files) == 0 || len(g.Files) > MaxGeniusFiles {
		return nil, room.Errorf(room.EINVALID, "genius: want 1 to %d .xml or .json files, got %d", MaxGeniusFiles, len(g.Files))
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
		if genius.CheckName(fn) != nil || strings.HasPrefix(fn, ".") || !geniusExt(fn) {
			return nil, room.Errorf(room.EINVALID, "genius: file %s: want a plain name ending in .xml (GENIUS) or .json (GeniusWeb) (no folders, no control characters, at most %d bytes)", quoteName(fn), genius.MaxFileName)
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
		if _, ok := fsys[p+".json"]; ok && genius.CheckName(p) == nil {
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
