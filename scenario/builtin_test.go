package scenario

import (
	"io/fs"
	"slices"
	"strings"
	"testing"
)

func TestBuiltinsParse(t *testing.T) {
	names := BuiltinNames()
	if !slices.Contains(names, "tiny-2p") {
		t.Fatalf("BuiltinNames() = %v, want tiny-2p among them", names)
	}
	if !slices.IsSorted(names) {
		t.Errorf("BuiltinNames() not sorted: %v", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			s, err := Builtin(name)
			if err != nil {
				t.Fatal(err)
			}
			if s.Name != name {
				t.Errorf("file builtin/%s.yaml has name %q", name, s.Name)
			}
			if err := s.Validate(); err != nil {
				t.Error(err)
			}
			for _, p := range s.Profiled() {
				if s.Notice == "" {
					t.Errorf("party %q has a profile but the scenario has no notice", p.ID)
				}
			}
		})
	}
}

func TestBuiltinFresh(t *testing.T) {
	a, err := Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	a.Parties[0].Name = "changed"
	b, err := Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	if b.Parties[0].Name == "changed" {
		t.Error("Builtin returned shared state")
	}
}

func TestBuiltinUnknown(t *testing.T) {
	for _, name := range []string{"nope", "", "../builtin/tiny-2p", "tiny-2p.yaml", "."} {
		_, err := Builtin(name)
		if err == nil || !strings.Contains(err.Error(), "no built-in scenario") || !strings.Contains(err.Error(), "tiny-2p") {
			t.Errorf("Builtin(%q): %v", name, err)
		}
	}
}

func TestTiny2P(t *testing.T) {
	s, err := Builtin("tiny-2p")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Parties) != 2 || len(s.Framework.Points) != 3 || len(s.Principals()) != 2 {
		t.Errorf("tiny-2p: %d parties, %d points, %d principals", len(s.Parties), len(s.Framework.Points), len(s.Principals()))
	}
	if n, _ := s.Framework.SizeInt(); n != 90 {
		t.Errorf("tiny-2p has %d packages, its description says 90", n)
	}
}

// TestMiami checks the shape of the Miami scenario when it is present (it
// is written separately from this package).
func TestMiami(t *testing.T) {
	if _, err := fs.Stat(builtinFS, "builtin/miami-2025.yaml"); err != nil {
		t.Skip("builtin/miami-2025.yaml not present")
	}
	s, err := Builtin("miami-2025")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(s.Framework.Points); got != 20 {
		t.Errorf("%d points, want 20", got)
	}
	for _, p := range s.Framework.Points {
		if n := len(p.Options); n < 3 || n > 5 {
			t.Errorf("point %q has %d options, want 3 to 5", p.ID, n)
		}
	}
	if us := s.Party("us"); us == nil || us.Role != Mediator {
		t.Errorf("us: %+v, want a mediator", us)
	}
	for _, id := range []string{"russia", "ukraine", "europe"} {
		if s.Party(id) == nil {
			t.Errorf("no party %q", id)
		}
	}
	if !slices.Contains(s.Decision.Vetoes, "ukraine") {
		t.Errorf("vetoes %v lack ukraine", s.Decision.Vetoes)
	}
	if strings.TrimSpace(s.Notice) == "" {
		t.Error("empty notice")
	}
	found := false
	for _, pair := range s.Format.NoDirect {
		found = found || pair == [2]string{"russia", "europe"} || pair == [2]string{"europe", "russia"}
	}
	if !found {
		t.Errorf("no_direct %v lacks russia/europe", s.Format.NoDirect)
	}
}
