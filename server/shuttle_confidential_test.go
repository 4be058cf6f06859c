package server_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// shuttleRequests are the requests of each shuttle route for shuttle id
// (nil: the route is not known here, which fails the test).
func shuttleRequests(rt server.Route, id string) []apiRequest {
	p := "/api/shuttles/" + id
	switch rt.Method + " " + rt.Pattern {
	case "GET /api/shuttles/scenarios", "GET /api/shuttles":
		return []apiRequest{{rt.Pattern, ""}}
	case "POST /api/shuttles":
		return []apiRequest{{rt.Pattern, `{"scenario":"miami-shuttle"}`}}
	case "GET /api/shuttles/{id}":
		return []apiRequest{{p, ""}}
	case "POST /api/shuttles/{id}/start":
		return []apiRequest{{p + "/start", ""}}
	case "DELETE /api/shuttles/{id}":
		return []apiRequest{{p, `{"confirm":"Shuttle: shuttle-two"}`}, {p, `{"confirm":"` + id + `"}`}}
	case "GET /api/shuttles/{id}/stream":
		return []apiRequest{{p + "/stream", ""}}
	}
	return nil
}

// shuttleProfiles are two sets of planted profiles of shuttle-two's edges
// (north at table 1, south at table 2), with distinctive numbers: under
// "accepts" every package is acceptable to them, under "picky" only a few.
var shuttleProfiles = map[string][2]string{
	"accepts": {
		`{"weights":[0.6172839,0.3827161],"scores":[[0.1234567,0.7654321,1],[0.2468013,1]],"scale":"absolute","reservation":0}`,
		`{"weights":[0.5432109,0.4567891],"scores":[[0.3579135,0.8642097,1],[0.1357913,1]],"scale":"absolute","reservation":0}`,
	},
	"picky": {
		`{"weights":[0.9,0.1],"scores":[[0,0.3141592,1],[0.1234567,1]],"scale":"absolute","reservation":0.9512345}`,
		`{"weights":[0.8,0.2],"scores":[[0.2718281,0,1],[0.6180339,1]],"scale":"absolute","reservation":0.8765432}`,
	},
}

// shuttleCanaries are the distinctive numbers of shuttleProfiles.
var shuttleCanaries = []string{"6172839", "3827161", "1234567", "7654321", "2468013", "5432109", "4567891", "3579135", "8642097", "1357913",
	"3141592", "9512345", "2718281", "6180339", "8765432"}

// TestShuttleConfidentiality: the combined view is its owner's only. An
// edge's invitation (which opens its table) and another user get 404 on
// every route of the shuttle — the answer to an id that does not exist —
// and no shuttle in their lists; the routes without an id want a sign-in.
// With mediator_sees overlap the view carries nothing derived from the
// edges' profiles: its bytes are the same whatever profiles the edges
// saved at their tables; with "full" the center's best follows them.
func TestShuttleConfidentiality(t *testing.T) {
	ts := newTestServer(t, server.Config{AuthBurst: 100000, AuthRate: 1000})
	yaml := jsonString(t, shuttleTwoYAML(t))
	seats := `"seats":[{"room":1,"party":"hub"},{"room":1,"party":"north"},{"room":2,"party":"hub"},{"room":2,"party":"south"}]`
	open := func(sees string) (server.ShuttleResponse, map[string]string) {
		t.Helper()
		var sh server.ShuttleResponse
		ts.mustDo("POST", "/api/shuttles", ts.mediator(), `{"yaml":`+yaml+`,"settings":{"mediator_sees":"`+sees+`"},`+seats+`}`, 201, &sh)
		creds := map[string]string{}
		for _, st := range sh.Seats {
			creds[st.Party+"@"+st.Negotiation] = "invite:" + st.Token
			if st.Party != "hub" {
				creds[st.Party] = "invite:" + st.Token
				creds[st.Party+"/table"] = st.Negotiation
			}
		}
		return sh, creds
	}
	overlap, oc := open("overlap")
	if _, err := ts.svc.CreateUser(t.Context(), "other", "another password"); err != nil {
		t.Fatal(err)
	}
	var lr struct{ Token string }
	ts.mustDo("POST", "/api/login", "", `{"name":"other","password":"another password"}`, 200, &lr)
	viewers := map[string]string{"north": oc["north"], "south": oc["south"], "hub": oc["hub@"+oc["north/table"]], "other": "bearer:" + lr.Token, "nobody": ""}

	covered := 0
	for _, rt := range ts.srv.Routes() {
		if !strings.HasPrefix(rt.Pattern, "/api/shuttles") {
			continue
		}
		covered++
		reqs := shuttleRequests(rt, overlap.Shuttle.ID)
		if reqs == nil {
			t.Fatalf("route %s %s has no request in the shuttle confidentiality test: add one", rt.Method, rt.Pattern)
		}
		for who, creds := range viewers {
			for _, rq := range reqs {
				if rt.Method == "POST" && rt.Pattern == "/api/shuttles" && who == "other" {
					continue // another user may open shuttle talks of its own
				}
				status, body, _ := ts.do(rt.Method, rq.path, creds, rq.body)
				switch {
				case !strings.Contains(rt.Pattern, "{id}") && who == "other":
					if status != 200 || strings.Contains(string(body), overlap.Shuttle.ID) {
						t.Errorf("%s %s as %s: %d %.200s", rt.Method, rq.path, who, status, body)
					}
				case !strings.Contains(rt.Pattern, "{id}"):
					if status != 401 {
						t.Errorf("%s %s as %s: %d %.200s, want 401 (sign in)", rt.Method, rq.path, who, status, body)
					}
				case who == "nobody":
					if status != 401 {
						t.Errorf("%s %s with no credentials: %d %.200s, want 401", rt.Method, rq.path, status, body)
					}
				default:
					if status != 404 || errorCode(body) != room.ENOTFOUND {
						t.Errorf("LEAK: %s %s as %s: %d %.200s, want 404", rt.Method, rq.path, who, status, body)
					}
					const fake = "no-such-shuttle"
					fs, fb, _ := ts.do(rt.Method, strings.ReplaceAll(rq.path, overlap.Shuttle.ID, fake), creds, strings.ReplaceAll(rq.body, overlap.Shuttle.ID, fake))
					if fs != status || !bytes.Equal(bytes.ReplaceAll(fb, []byte(fake), []byte(overlap.Shuttle.ID)), body) {
						t.Errorf("LEAK: %s %s as %s confirms the shuttle: %d %.200s, but for an id that does not exist %d %.200s", rt.Method, rq.path, who, status, body, fs, fb)
					}
				}
			}
		}
	}
	if covered != 7 {
		t.Errorf("%d shuttle routes checked, want the 7 of the design: update the test", covered)
	}
	// The owner's routes still work: nothing above deleted or started it.
	var v room.ShuttleView
	ts.mustDo("GET", "/api/shuttles/"+overlap.Shuttle.ID, ts.mediator(), "", 200, &v)
	if v.Tables[0].State != room.TableWaiting {
		t.Fatalf("after the sweep: %+v", v.Tables[0])
	}

	// The view under each set of the edges' profiles.
	views := func(sh server.ShuttleResponse, creds map[string]string) map[string][]byte {
		t.Helper()
		out := map[string][]byte{"": ts.mustDo("GET", "/api/shuttles/"+sh.Shuttle.ID, ts.mediator(), "", 200, nil)}
		for _, set := range []string{"accepts", "picky", "accepts"} {
			for k, edge := range []string{"north", "south"} {
				ts.mustDo("PUT", "/api/negotiations/"+creds[edge+"/table"]+"/profile", creds[edge], shuttleProfiles[set][k], 200, nil)
				got := ts.mustDo("GET", "/api/negotiations/"+creds[edge+"/table"]+"/profile", creds[edge], "", 200, nil)
				if !strings.Contains(string(got), shuttleCanaries[0]) && !strings.Contains(string(got), shuttleCanaries[5]) && !strings.Contains(string(got), "3141592") && !strings.Contains(string(got), "2718281") {
					t.Fatalf("%s's profile was not saved: %s", edge, got)
				}
			}
			out[set] = ts.mustDo("GET", "/api/shuttles/"+sh.Shuttle.ID, ts.mediator(), "", 200, nil)
		}
		return out
	}
	ov := views(overlap, oc)
	for set, b := range ov {
		if !bytes.Equal(b, ov[""]) {
			t.Errorf("LEAK: with mediator_sees overlap the view changes with the edges' profiles (%q):\n%s\nwas\n%s", set, b, ov[""])
		}
		for _, c := range shuttleCanaries {
			if strings.Contains(string(b), c) {
				t.Errorf("LEAK: the overlap view holds %s of an edge's profile: %s", c, b)
			}
		}
	}

	full, fc := open("full")
	fv := views(full, fc)
	var accepts, picky room.ShuttleView
	if err := json.Unmarshal(fv["accepts"], &accepts); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(fv["picky"], &picky); err != nil {
		t.Fatal(err)
	}
	if accepts.Center.BestBasis != room.BasisProfiles || accepts.Center.Best.Value != 1 {
		t.Errorf("full, every package acceptable: best %+v (%s), want 1", accepts.Center.Best, accepts.Center.BestBasis)
	}
	// Picky north accepts closed borders under quotas only, picky south
	// upstream water only: the center's best is then 0.6·(0.3·0.2) +
	// 0.4·(0.5·1).
	if want := 0.6*(0.3*0.2) + 0.4*0.5; picky.Center.Best.Value < want-1e-12 || picky.Center.Best.Value > want+1e-12 ||
		picky.Center.Best.Texts[0]["border"] != "closed" || picky.Center.Best.Texts[1]["water"] != "upstream" {
		t.Errorf("full, picky delegations: best %+v, want %v with closed borders and upstream water", picky.Center.Best, want)
	}
}
