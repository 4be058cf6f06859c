package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parley-negotiation/parley/room"
	"github.com/parley-negotiation/parley/server"
)

// shuttleTwoYAML is the two-thread multi-deal fixture of the room tests.
func shuttleTwoYAML(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "room", "testdata", "shuttle-two.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// jsonString quotes s as a JSON string.
func jsonString(t *testing.T, s string) string {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestShuttleRoutes: the built-in multi-deal scenarios; shuttle talks
// opened from miami-shuttle and from YAML, listed, viewed, started and
// deleted over HTTP; a bad YAML file is a 400 that says where it went
// wrong; a refused request leaves nothing behind.
func TestShuttleRoutes(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	var builtins []server.ShuttleScenario
	ts.mustDo("GET", "/api/shuttles/scenarios", ts.mediator(), "", 200, &builtins)
	if !slices.ContainsFunc(builtins, func(b server.ShuttleScenario) bool {
		return b.Name == "miami-shuttle" && b.Center == "us" && slices.Equal(b.Edges, []string{"russia", "ukraine", "europe"})
	}) {
		t.Fatalf("scenarios %+v", builtins)
	}
	ts.mustDo("GET", "/api/shuttles/scenarios", "", "", 401, nil)

	var miami server.ShuttleResponse
	ts.mustDo("POST", "/api/shuttles", ts.mediator(), `{"scenario":"miami-shuttle","title":"Miami","seats":[{"room":1,"party":"russia","person":"Moscow"},{"room":1,"party":"us","person":"DC"}]}`, 201, &miami)
	if miami.Shuttle.ID == "" || miami.Shuttle.Title != "Miami" || len(miami.Seats) != 2 || miami.Seats[0].Token == "" || miami.Seats[0].Negotiation == "" {
		t.Fatalf("created %+v", miami)
	}
	var two server.ShuttleResponse
	ts.mustDo("POST", "/api/shuttles", ts.mediator(), `{"yaml":`+jsonString(t, shuttleTwoYAML(t))+`,"settings":{"mediator_sees":"full"}}`, 201, &two)

	var list []room.Shuttle
	ts.mustDo("GET", "/api/shuttles", ts.mediator(), "", 200, &list)
	if len(list) != 2 || list[0].ID != miami.Shuttle.ID || list[1].ID != two.Shuttle.ID {
		t.Fatalf("list %+v", list)
	}
	var v room.ShuttleView
	ts.mustDo("GET", "/api/shuttles/"+two.Shuttle.ID, ts.mediator(), "", 200, &v)
	if v.Scenario != "shuttle-two" || len(v.Tables) != 2 || v.MediatorSees != "full" || v.Center.BestBasis != room.BasisProfiles {
		t.Fatalf("view %+v", v)
	}
	// The mediator's seat of a table is the owner's at this door too (the
	// room's rule: no mediator's seat by invitation at a shuttle table).
	for _, tb := range v.Tables {
		b := ts.mustDo("POST", "/api/negotiations/"+tb.Negotiation+"/invites", ts.mediator(), `{"party":"mediator","person":"deputy"}`, 400, nil)
		if !strings.Contains(string(b), "shuttle talks") {
			t.Errorf("table %d: a mediator's seat by invitation: %s", tb.Table, b)
		}
	}
	// The JSON names the UI reads.
	b := ts.mustDo("GET", "/api/shuttles/"+miami.Shuttle.ID, ts.mediator(), "", 200, nil)
	for _, key := range []string{`"tables":[{"table":1,"negotiation":`, `"edge":"russia"`, `"state":"waiting"`, `"text":{}`, `"complete":false`, `"center_if_agreed":null`,
		`"center":{"name":"us","reservation":0,"utility":0,"best":{"value":`, `"best_basis":"center-only"`, `"exact":true`, `"combined":null`, `"mediator_sees":"overlap"`, `"scenario":"miami-shuttle"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("view lacks %s: %.600s", key, b)
		}
	}
	ts.mustDo("POST", "/api/shuttles/"+miami.Shuttle.ID+"/start", ts.mediator(), "", 200, nil)
	ts.mustDo("GET", "/api/shuttles/"+miami.Shuttle.ID, ts.mediator(), "", 200, &v)
	if v.Tables[2].State != room.TableOpen {
		t.Errorf("after the start: %+v", v.Tables[2])
	}
	// A seat's holder moves at its table through the negotiation routes.
	russia := "invite:" + miami.Seats[0].Token
	ts.mustDo("GET", "/api/negotiations/"+miami.Seats[0].Negotiation, russia, "", 200, nil)

	var before []room.Negotiation
	ts.mustDo("GET", "/api/negotiations", ts.mediator(), "", 200, &before)
	for _, c := range []struct{ body, want string }{
		{`{"yaml":"multideal: 1\nname: broken\nspaces: [1, 2\n"}`, "shuttle.yaml:3:9: YAML syntax"},
		{`{"yaml":"multideal: 1\nname: x\nthreads:\n  - edge: a\n    space: nowhere\n","file_name":"mine.yaml"}`, "mine.yaml:5:12: threads[0].space: no space"},
		{`{"scenario":"no-such"}`, "no built-in scenario"},
		{`{}`, "give exactly one of scenario"},
		{`{"scenario":"miami-shuttle","seats":[{"room":2,"party":"russia"}]}`, `"russia" is not at table 2`},
		{`{"scenario":"miami-shuttle","settings":{"protocol":"sao"}}`, "shuttle talks need a mediated protocol"},
		{`{"yaml":` + jsonString(t, dinnersYAML(t)) + `}`, `center utility of kind "counts"`},
	} {
		got := ts.mustDo("POST", "/api/shuttles", ts.mediator(), c.body, 400, nil)
		if !strings.Contains(errorMessage(got), c.want) {
			t.Errorf("%s: %s, want %q", c.body, got, c.want)
		}
	}
	var after []room.Negotiation
	ts.mustDo("GET", "/api/negotiations", ts.mediator(), "", 200, &after)
	if len(after) != len(before) {
		t.Errorf("refused requests made %d negotiations", len(after)-len(before))
	}

	ts.mustDo("DELETE", "/api/shuttles/"+two.Shuttle.ID, ts.mediator(), `{"confirm":"no"}`, 400, nil)
	ts.mustDo("DELETE", "/api/shuttles/"+two.Shuttle.ID, ts.mediator(), `{"confirm":`+jsonString(t, two.Shuttle.Title)+`}`, 200, nil)
	ts.mustDo("GET", "/api/shuttles/"+two.Shuttle.ID, ts.mediator(), "", 404, nil)
	ts.mustDo("GET", "/api/shuttles", ts.mediator(), "", 200, &list)
	if len(list) != 1 {
		t.Errorf("after the deletion: %+v", list)
	}
}

func dinnersYAML(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "multideal", "testdata", "dinners.yml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestShuttleStream: the owner's stream of a shuttle tells when a table
// moves ("event: changed" naming the table).
func TestShuttleStream(t *testing.T) {
	ts := newTestServer(t, server.Config{})
	var sh server.ShuttleResponse
	ts.mustDo("POST", "/api/shuttles", ts.mediator(), `{"yaml":`+jsonString(t, shuttleTwoYAML(t))+`}`, 201, &sh)
	ts.mustDo("POST", "/api/shuttles/"+sh.Shuttle.ID+"/start", ts.mediator(), "", 200, nil)
	var v room.ShuttleView
	ts.mustDo("GET", "/api/shuttles/"+sh.Shuttle.ID, ts.mediator(), "", 200, &v)

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.http.URL+"/api/shuttles/"+sh.Shuttle.ID+"/stream", nil)
	setCreds(req, ts.mediator())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	ts.mustDo("POST", "/api/negotiations/"+v.Tables[1].Negotiation+"/moves", ts.mediator(), `{"kind":"draft","text":[[0],[0]]}`, 200, nil)
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() == "event: changed" && sc.Scan() {
			if !strings.Contains(sc.Text(), `"negotiation":"`+v.Tables[1].Negotiation+`"`) {
				t.Errorf("note %s, want table 2's", sc.Text())
			}
			return
		}
	}
	t.Fatalf("no note of the move: %v", sc.Err())
}
