package scenario

import (
	"strings"
	"testing"
)

// An id the file form cannot hold is named in MarshalFormat's error, which
// cites no line of a file that was never written (issue 14:
// "convert IS_BT_Acquisition --to yaml" failed with
// "is_bt_acquisition.yaml:33:13: option id ... starts or ends with white space").
func TestMarshalNamesBadID(t *testing.T) {
	s, err := Load("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s.Framework.Points[0].Options[1].ID += " "
	_, err = MarshalFormat(s, "yaml")
	if err == nil {
		t.Fatal("marshalled an option id with a trailing space")
	}
	msg := err.Error()
	if !strings.Contains(msg, `"`+s.Framework.Points[0].Options[1].ID+`"`) || !strings.Contains(msg, s.Framework.Points[0].ID) {
		t.Errorf("error does not name the option and its point: %s", msg)
	}
	if strings.Contains(msg, ".yaml:") || strings.Contains(msg, ".json:") {
		t.Errorf("error cites a line of a file that does not exist: %s", msg)
	}
}

// RepairIDs trims ids with surrounding white space when that is
// unambiguous (warning naming each), refuses the others naming them, and
// leaves its argument alone.
func TestRepairIDs(t *testing.T) {
	s, err := Load("testdata/tiny.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if r, w, err := RepairIDs(s); err != nil || r != s || w != nil {
		t.Fatalf("a writable scenario: %v %v %v", r == s, w, err)
	}
	pt := &s.Framework.Points[0]
	old := pt.Options[1].ID
	pt.Options[1].ID, pt.Options[1].Label = old+" ", old+" "
	party := s.Parties[0].ID
	s.Parties[0].ID = " " + party
	r, warns, err := RepairIDs(s)
	if err != nil {
		t.Fatal(err)
	}
	if r.Framework.Points[0].Options[1].ID != old || r.Framework.Points[0].Options[1].Label != old || r.Parties[0].ID != party {
		t.Errorf("not repaired: %+v %+v", r.Framework.Points[0].Options[1], r.Parties[0])
	}
	if pt.Options[1].ID != old+" " || s.Parties[0].ID != " "+party {
		t.Error("RepairIDs modified its argument")
	}
	if len(warns) != 2 || !strings.Contains(warns[0], `"`+old+` "`) || !strings.Contains(warns[1], `" `+party+`"`) {
		t.Errorf("warnings %q", warns)
	}
	if _, err := MarshalFormat(r, "yaml"); err != nil {
		t.Errorf("repaired scenario: %v", err)
	}

	// Ambiguous: trimming would collide with another option.
	pt.Options[1].ID = pt.Options[0].ID + " "
	if _, _, err := RepairIDs(s); err == nil || !strings.Contains(err.Error(), `"`+pt.Options[0].ID+` "`) || !strings.Contains(err.Error(), "already taken") {
		t.Errorf("ambiguous trim: %v", err)
	}
	// A control character cannot be trimmed away.
	pt.Options[1].ID = "a\tb"
	if _, _, err := RepairIDs(s); err == nil || !strings.Contains(err.Error(), `"a\tb"`) {
		t.Errorf("control character: %v", err)
	}
}
