package genius

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// harbourCopy copies testdata/Harbour into a fresh folder beside a second
// folder, "outside", holding a valid profile of the same domain; it
// returns both folders.
func harbourCopy(t *testing.T) (dir, outside string) {
	t.Helper()
	base := t.TempDir()
	dir, outside = filepath.Join(base, "Harbour"), filepath.Join(base, "outside")
	for _, d := range []string{dir, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"carrier.xml", "harbour_domain.xml", "port.xml"} {
		b, err := os.ReadFile(filepath.Join("testdata", "Harbour", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
		if f == "port.xml" {
			if err := os.WriteFile(filepath.Join(outside, "secret.xml"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir, outside
}

// TestLoadDirStaysInTheFolder: profile names that leave the folder
// (traversal, absolute paths, folders, NUL) are refused before anything
// is opened, with a message that says what is wrong and nothing loaded.
func TestLoadDirStaysInTheFolder(t *testing.T) {
	dir, outside := harbourCopy(t)
	secret := filepath.Join(outside, "secret.xml")
	cases := []struct{ name, profile, says string }{
		{"traversal", "../outside/secret.xml", "without folders"},
		{"traversal without extension", "../outside/secret", "without folders"},
		{"absolute path", secret, "without folders"},
		{"dot dot", "..", "want the name of a file in the folder"},
		{"backslash", `..\outside\secret.xml`, "without folders"},
		{"NUL", "port.xml\x00.txt", "control characters"},
		{"too long", strings.Repeat("a", 300) + ".xml", "want at most 255"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := LoadDir(dir, []string{"carrier.xml", c.profile})
			if err == nil {
				t.Fatalf("loaded %q: parties %v", c.profile, s.Parties)
			}
			if !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), "profile") {
				t.Errorf("error %q, want one about the profile saying %q", err, c.says)
			}
			if s != nil {
				t.Errorf("a scenario came back with the error")
			}
		})
	}
}

// TestLoadDirRefusesSymlinksOut: a symbolic link in the folder that leads
// out of it is not followed, named or not; one that stays inside is.
func TestLoadDirRefusesSymlinksOut(t *testing.T) {
	dir, outside := harbourCopy(t)
	if err := os.Symlink(filepath.Join(outside, "secret.xml"), filepath.Join(dir, "leak.xml")); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := os.Symlink("port.xml", filepath.Join(dir, "harbourmaster.xml")); err != nil {
		t.Fatal(err)
	}
	if s, err := LoadDir(dir, []string{"leak.xml"}); err == nil {
		t.Fatalf("loaded a link out of the folder: parties %v", s.Parties)
	}
	s, err := LoadDir(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range s.Parties {
		ids = append(ids, p.ID)
	}
	if strings.Join(ids, ",") != "carrier,harbourmaster,port" {
		t.Errorf("parties %v, want carrier, harbourmaster (a link inside the folder) and port", ids)
	}
	if !strings.Contains(strings.Join(s.Warnings, "\n"), "leak.xml: skipped") {
		t.Errorf("no warning about leak.xml: %q", s.Warnings)
	}
}
