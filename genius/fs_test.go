package genius

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLoadFS loads a folder held in memory as LoadDir loads it from disk,
// and refuses profile names outside it.
func TestLoadFS(t *testing.T) {
	fsys := fstest.MapFS{}
	for _, f := range []string{"carrier.xml", "harbour_domain.xml", "port.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "Harbour", f))
		if err != nil {
			t.Fatal(err)
		}
		fsys[f] = &fstest.MapFile{Data: b, Mode: 0o444}
	}
	fsys["sub/other.xml"] = &fstest.MapFile{Data: fsys["port.xml"].Data}
	mem, err := LoadFS(fsys, "Harbour", nil)
	if err != nil {
		t.Fatal(err)
	}
	disk, err := LoadDir("testdata/Harbour", nil)
	if err != nil {
		t.Fatal(err)
	}
	if mem.Name != disk.Name || len(mem.Parties) != len(disk.Parties) || mem.Source != disk.Source {
		t.Errorf("in memory %s %d parties %s; on disk %s %d parties %s", mem.Name, len(mem.Parties), mem.Source, disk.Name, len(disk.Parties), disk.Source)
	}
	for _, p := range []string{"sub/other.xml", "../port.xml", "/port.xml", "port\x00.xml"} {
		if _, err := LoadFS(fsys, "Harbour", []string{p}); err == nil || !strings.Contains(err.Error(), "Harbour: profile: file name") {
			t.Errorf("profile %q: error %v, want the name refused", p, err)
		}
	}
	if _, err := LoadFS(fsys, "Harbour", []string{"nosuch"}); err == nil || !strings.Contains(err.Error(), `no profile file "nosuch"`) {
		t.Errorf("unknown profile: %v", err)
	}
}
