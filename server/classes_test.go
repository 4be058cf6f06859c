package server_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// TestClassLockedProfileRefused: in a class with locked profiles a
// student reads its role's profile and its save is refused by the server
// (403), whatever the page offers; unlocked, the same save is taken.
func TestClassLockedProfileRefused(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	for _, lock := range []bool{true, false} {
		var cls server.ClassResponse
		ts.mustDo("POST", "/api/classes", ts.mediator(), fmt.Sprintf(`{"scenario":{"builtin":"tiny-2p"},"rooms":1,"settings":{"lock_profiles":%v},"seats":[{"room":1,"party":"north","person":"Ann"}]}`, lock), 201, &cls)
		student := "invite:" + cls.Seats[0].Token
		n := "/api/negotiations/" + cls.Seats[0].Negotiation
		profile := ts.mustDo("GET", n+"/profile", student, "", 200, nil)
		var view struct {
			Settings room.Settings `json:"settings"`
		}
		ts.mustDo("GET", n, student, "", 200, &view)
		if view.Settings.LockProfiles != lock {
			t.Errorf("locked %v: the student's view says lock_profiles %v", lock, view.Settings.LockProfiles)
		}
		status, b, _ := ts.do("PUT", n+"/profile", student, string(profile))
		switch {
		case lock && (status != 403 || !strings.Contains(errorMessage(b), "locked")):
			t.Errorf("save of a locked profile: %d %s; want 403, locked", status, b)
		case !lock && status != 200:
			t.Errorf("save of an unlocked profile: %d %s", status, b)
		}
	}
}

// TestClassRoutes: the party list of the built-in scenarios; a class
// beyond the room limit refused; the monitor's room states; archive,
// restore, clone and delete, the owner's only.
func TestClassRoutes(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	var scs []struct {
		Name  string           `json:"name"`
		Roles []room.PartyInfo `json:"roles"`
	}
	ts.mustDo("GET", "/api/scenarios", "", "", 200, &scs)
	for _, sc := range scs {
		if sc.Name == "miami-2025" {
			var ids []string
			for _, r := range sc.Roles {
				ids = append(ids, r.ID+"="+r.Name)
			}
			if got := strings.Join(ids, " "); !strings.Contains(got, "russia=Russia") || !strings.Contains(got, "ukraine=Ukraine") {
				t.Errorf("miami roles %q; want its parties with their names", got)
			}
		}
	}
	status, b, _ := ts.do("POST", "/api/classes", ts.mediator(), fmt.Sprintf(`{"scenario":{"builtin":"tiny-2p"},"rooms":%d}`, room.MaxRooms+1))
	if status != 400 || errorCode(b) != room.EINVALID {
		t.Errorf("a class of %d rooms: %d %s; want 400", room.MaxRooms+1, status, b)
	}

	var cls server.ClassResponse
	ts.mustDo("POST", "/api/classes", ts.mediator(), `{"title":"Week 3","scenario":{"builtin":"tiny-2p"},"rooms":2,"settings":{"auto_mediator":"hill","rounds":20},"seats":[{"room":1,"party":"north","person":"Ann"},{"room":2,"party":"south","person":"Bo"}]}`, 201, &cls)
	c := "/api/classes/" + cls.Class.ID
	ts.mustDo("POST", c+"/start", ts.mediator(), "", 200, nil)
	var info room.ClassInfo
	ts.mustDo("GET", c, ts.mediator(), "", 200, &info)
	if len(info.Rooms) != 2 || info.Settings == nil || info.Settings.AutoMediator != "hill" || len(info.Parties) == 0 {
		t.Fatalf("class info %+v", info)
	}
	for _, r := range info.Rooms {
		// The automatic mediator drafted: the rooms wait for the parties.
		if !r.Started || r.Finished || len(r.Waiting) != 2 {
			t.Errorf("room %s: %+v; want it waiting for both parties", r.Title, r)
		}
	}
	var d room.Debrief
	ts.mustDo("GET", c+"/debrief", ts.mediator(), "", 200, &d)
	if d.Finished != 0 || d.Mean != nil || d.Rooms[0].Scored || d.Rooms[0].Utilities != nil {
		t.Errorf("debrief of rooms negotiating: %+v; want no figures", d)
	}
	if status, b, _ := ts.do("GET", c+"/debrief.svg", ts.mediator(), ""); status != 409 {
		t.Errorf("debrief plot with no room finished: %d %s; want 409", status, b)
	}

	var clone server.ClassResponse
	ts.mustDo("POST", c+"/clone", ts.mediator(), "", 201, &clone)
	if clone.Class.Title != "Week 3 (copy)" || len(clone.Seats) != 2 || clone.Seats[0].Token == cls.Seats[0].Token {
		t.Errorf("clone: %+v", clone)
	}
	var stranger struct{ Token string }
	if _, err := ts.svc.CreateUser(t.Context(), "other", "another password"); err != nil {
		t.Fatal(err)
	}
	ts.mustDo("POST", "/api/login", "", `{"name":"other","password":"another password"}`, 200, &stranger)
	for _, rq := range [][3]string{{"POST", c + "/clone", ""}, {"POST", c + "/archive", ""}, {"DELETE", c, `{"confirm":"` + cls.Class.ID + `"}`}} {
		if status, b, _ := ts.do(rq[0], rq[1], "bearer:"+stranger.Token, rq[2]); status != 404 {
			t.Errorf("%s %s by another user: %d %s; want 404", rq[0], rq[1], status, b)
		}
	}

	ts.mustDo("POST", c+"/archive", ts.mediator(), "", 200, nil)
	var cur, arch []room.Class
	ts.mustDo("GET", "/api/classes", ts.mediator(), "", 200, &cur)
	ts.mustDo("GET", "/api/classes?archived=1", ts.mediator(), "", 200, &arch)
	if len(cur) != 1 || cur[0].ID != clone.Class.ID || len(arch) != 1 || arch[0].ID != cls.Class.ID || arch[0].Archived.IsZero() {
		t.Errorf("after archiving: current %+v, archived %+v", cur, arch)
	}
	ts.mustDo("POST", c+"/archive", ts.mediator(), `{"archived":false}`, 200, nil)

	if status, b, _ := ts.do("DELETE", c, ts.mediator(), `{"confirm":"yes"}`); status != 400 {
		t.Errorf("delete without the id: %d %s; want 400", status, b)
	}
	ts.mustDo("DELETE", c, ts.mediator(), `{"confirm":"`+cls.Class.ID+`"}`, 200, nil)
	if status, _, _ := ts.do("GET", c, ts.mediator(), ""); status != 404 {
		t.Errorf("the deleted class: %d; want 404", status)
	}
	if status, _, _ := ts.do("GET", "/api/negotiations/"+cls.Seats[0].Negotiation, "invite:"+cls.Seats[0].Token, ""); status != 401 {
		t.Errorf("an invitation of the deleted class: %d; want 401", status)
	}
	var left []room.Class
	ts.mustDo("GET", "/api/classes", ts.mediator(), "", 200, &left)
	if b, _ := json.Marshal(left); len(left) != 1 || left[0].ID != clone.Class.ID {
		t.Errorf("classes after the deletion: %s", b)
	}
}

// TestClassStudentMediatorHTTP: over HTTP, a class's student mediator
// holds the mediator's seat of its room only: its view is the mediator's
// (invited, the mediator's brief), it reads the analysis (aggregates under
// overlap) and drafts once the instructor starts the class; the seats,
// the start, archiving and previews stay the instructor's, and another
// room, or a party's invitation, gets no analysis.
func TestClassStudentMediatorHTTP(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	var cls server.ClassResponse
	ts.mustDo("POST", "/api/classes", ts.mediator(), `{"scenario":{"builtin":"miami-2025"},"rooms":2,"settings":{"protocol":"single-text","mediator_sees":"overlap"},"seats":[`+
		`{"room":1,"mediator":true,"person":"Mia"},{"room":1,"party":"russia","person":"R"},{"room":2,"party":"us","person":"Max"}]}`, 201, &cls)
	if len(cls.Seats) != 3 || !cls.Seats[0].Mediator || cls.Seats[0].Party != "us" || !cls.Seats[2].Mediator || cls.Seats[0].Brief == "" {
		t.Fatalf("issued seats: %+v", cls.Seats)
	}
	mia, russia, max := "invite:"+cls.Seats[0].Token, "invite:"+cls.Seats[1].Token, "invite:"+cls.Seats[2].Token
	n1, n2 := "/api/negotiations/"+cls.Seats[0].Negotiation, "/api/negotiations/"+cls.Seats[2].Negotiation
	var view struct {
		Role    string `json:"role"`
		Party   string `json:"party"`
		Invited bool   `json:"invited"`
		Brief   string `json:"brief"`
	}
	ts.mustDo("GET", n1, mia, "", 200, &view)
	if view.Role != "mediator" || view.Party != "us" || !view.Invited || !strings.Contains(view.Brief, "US envoys") {
		t.Errorf("the student mediator's view: %+v", view)
	}
	view.Invited = false
	ts.mustDo("GET", n1, russia, "", 200, &view)
	if view.Role != "party" || view.Invited || !strings.Contains(view.Brief, "Russia's delegation") || strings.Contains(view.Brief, "You are the US envoys") {
		t.Errorf("russia's view: %+v", view)
	}
	// The instructor's rights are not the student's.
	for _, rq := range []struct{ method, path, body string }{
		{"GET", n1 + "/invites", ""},
		{"POST", n1 + "/invites", `{"party":"russia","reissue":true,"person":"x"}`},
		{"POST", n1 + "/invites", `{"observer":true,"person":"x"}`},
		{"POST", n1 + "/start", ""},
		{"POST", n1 + "/archive", ""},
		{"DELETE", n1, `{"confirm":"` + cls.Seats[0].Negotiation + `"}`},
		{"GET", n1 + "/preview/russia", ""},
		{"GET", "/api/classes/" + cls.Class.ID, ""},
	} {
		if status, b, _ := ts.do(rq.method, rq.path, mia, rq.body); status != 401 && status != 403 {
			t.Errorf("%s %s as the student mediator: %d %s, want 401 or 403", rq.method, rq.path, status, b)
		}
	}
	// The analysis: its own room only, aggregates only; not a party's.
	var a room.MediatorAnalysis
	ts.mustDo("GET", n1+"/analysis", mia, "", 200, &a)
	if a.Access != room.MediatorOverlap || len(a.Parties) != 0 {
		t.Errorf("the student's analysis: access %q parties %v", a.Access, a.Parties)
	}
	ts.mustDo("GET", n2+"/analysis", mia, "", 404, nil)
	ts.mustDo("GET", n1+"/analysis", max, "", 404, nil)
	ts.mustDo("GET", n1+"/analysis", russia, "", 403, nil)
	// Moves: the mediator's, in its own room, once started.
	draft := `{"kind":"draft","text":` + strings.Repeat("[0],", 19) + `[0]]}`
	draft = strings.Replace(draft, `"text":[0]`, `"text":[[0]`, 1)
	ts.mustDo("POST", n1+"/moves", mia, draft, 409, nil)
	ts.mustDo("POST", "/api/classes/"+cls.Class.ID+"/start", ts.mediator(), "", 200, nil)
	ts.mustDo("POST", n2+"/moves", mia, draft, 404, nil)
	ts.mustDo("POST", n1+"/moves", mia, draft, 200, nil)
	ts.mustDo("POST", n1+"/moves", russia, draft, 400, nil) // the engine: only the mediator drafts
}
