package sendgridmock

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

func TestV3Endpoints(t *testing.T) {
	var (
		all = []string{v3IP("192.0.2.1", "alice"), v3IP("192.0.2.2", "alice", "bob"), v3IP("192.0.2.3", "carol"),
			v3IP("192.0.2.4", "dan", "erin"), v3IP("192.0.2.9"), v3IP("192.0.2.10")}
		subs = []string{v3Sub(1, "alice", false), v3Sub(2, "bob", false), v3Sub(3, "carol", true),
			v3Sub(4, "dan", true), v3Sub(5, "erin", false), v3Sub(6, "frank", false)}
		seedAlice = []string{"192.0.2.1", "192.0.2.2"}
		notArray  = v3Err("", msgV3NotAnIPArray)
	)
	tests := []struct {
		name, method, path, body string
		status                   int
		want                     string
		alice                    []string // alice's IPs afterwards
	}{
		{"all IPs", "GET", "v3/ips", "", 200, arr(all...), seedAlice},
		{"subuser filter", "GET", "v3/ips?subuser=alice", "", 200, arr(all[:2]...), seedAlice},
		{"disabled subuser", "GET", "v3/ips?subuser=carol", "", 200, arr(all[2]), seedAlice},
		{"subuser without IPs", "GET", "v3/ips?subuser=frank", "", 200, `[]`, seedAlice},
		{"unknown subuser", "GET", "v3/ips?subuser=nobody", "", 200, `[]`, seedAlice},
		{"subuser filter is exact", "GET", "v3/ips?subuser=ali", "", 200, `[]`, seedAlice},
		{"empty subuser filter", "GET", "v3/ips?subuser=", "", 200, arr(all...), seedAlice},
		{"IPs page", "GET", "v3/ips?limit=2&offset=1", "", 200, arr(all[1:3]...), seedAlice},
		{"filtered page", "GET", "v3/ips?subuser=alice&limit=1&offset=1", "", 200, arr(all[1]), seedAlice},
		{"offset past the end", "GET", "v3/ips?offset=100", "", 200, `[]`, seedAlice},
		{"limit 0", "GET", "v3/ips?limit=0", "", 400, v3Err("limit", msgV3Limit), seedAlice},
		{"limit 501", "GET", "v3/ips?limit=501", "", 400, v3Err("limit", msgV3Limit), seedAlice},
		{"limit x", "GET", "v3/ips?limit=x", "", 400, v3Err("limit", msgV3Limit), seedAlice},
		{"limit empty", "GET", "v3/ips?limit=", "", 400, v3Err("limit", msgV3Limit), seedAlice},
		{"limit negative", "GET", "v3/ips?limit=-1", "", 400, v3Err("limit", msgV3Limit), seedAlice},
		{"offset negative", "GET", "v3/ips?offset=-1", "", 400, v3Err("offset", msgV3Offset), seedAlice},
		{"offset x", "GET", "v3/ips?offset=x", "", 400, v3Err("offset", msgV3Offset), seedAlice},
		{"all subusers", "GET", "v3/subusers", "", 200, arr(subs...), seedAlice},
		{"username substring", "GET", "v3/subusers?username=a", "", 200, arr(subs[0], subs[2], subs[3], subs[5]), seedAlice},
		{"username exact", "GET", "v3/subusers?username=bob", "", 200, arr(subs[1]), seedAlice},
		{"username none", "GET", "v3/subusers?username=zzz", "", 200, `[]`, seedAlice},
		{"subusers page", "GET", "v3/subusers?limit=2&offset=4", "", 200, arr(subs[4:]...), seedAlice},
		{"subusers limit 501", "GET", "v3/subusers?limit=501", "", 400, v3Err("limit", msgV3Limit), seedAlice},
		{"subusers offset x", "GET", "v3/subusers?offset=x", "", 400, v3Err("offset", msgV3Offset), seedAlice},
		{"put", "PUT", "v3/subusers/alice/ips", `["192.0.2.9","192.0.2.1","192.0.2.9"]`, 200,
			`{"ips":["192.0.2.1","192.0.2.9"]}`, []string{"192.0.2.1", "192.0.2.9"}},
		{"put numeric order", "PUT", "v3/subusers/alice/ips", `["192.0.2.10","::ffff:192.0.2.9"]`, 200,
			`{"ips":["192.0.2.9","192.0.2.10"]}`, []string{"192.0.2.9", "192.0.2.10"}},
		{"put empty", "PUT", "v3/subusers/alice/ips", `[]`, 200, `{"ips":[]}`, []string{}},
		{"put unknown subuser", "PUT", "v3/subusers/nobody/ips", `["192.0.2.9"]`, 404, v3Err("", msgV3NoSubuser), seedAlice},
		{"put foreign IPs", "PUT", "v3/subusers/alice/ips", `["198.51.100.7","192.0.2.1","x","198.51.100.7"]`, 400,
			v3Err("ips", "IP 198.51.100.7 does not belong to your account", "IP x does not belong to your account"), seedAlice},
		{"put object", "PUT", "v3/subusers/alice/ips", `{"ips":["192.0.2.9"]}`, 400, notArray, seedAlice},
		{"put null", "PUT", "v3/subusers/alice/ips", `null`, 400, notArray, seedAlice},
		{"put numbers", "PUT", "v3/subusers/alice/ips", `[1]`, 400, notArray, seedAlice},
		{"put null element", "PUT", "v3/subusers/alice/ips", `["192.0.2.9",null]`, 400, notArray, seedAlice},
		{"put no body", "PUT", "v3/subusers/alice/ips", "", 400, notArray, seedAlice},
		{"put broken JSON", "PUT", "v3/subusers/alice/ips", `["192.0.2.9"`, 400, notArray, seedAlice},
		{"put trailing data", "PUT", "v3/subusers/alice/ips", `["192.0.2.9"] []`, 400, notArray, seedAlice},
	}
	// Requests sent off the contract on purpose, to see what the mock makes of them, and where the check finds them.
	offContractAt := map[string]string{
		"limit 0": "query limit", "limit x": "query limit", "limit empty": "query limit", "limit negative": "query limit",
		"offset negative": "query offset", "offset x": "query offset", "subusers offset x": "query offset",
		"put numeric order": "body $[1]", "put foreign IPs": "body $[2]", "put object": "body", "put null": "body",
		"put numbers": "body $[0]", "put null element": "body $[1]", "put broken JSON": "body", "put trailing data": "body",
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartTest(t, testSeed())
			got := v3req(t, s, tt.method, tt.path, bearer, tt.body)
			if where, ok := offContractAt[tt.name]; ok {
				offContract(t, s, "request", where)
			}
			wantReply(t, got, tt.status, "application/json", tt.want)
			if ips, _ := s.SubuserIPs("alice"); !slices.Equal(ips, tt.alice) {
				t.Errorf("alice = %v, want %v", ips, tt.alice)
			}
			if ips, _ := s.SubuserIPs("bob"); !slices.Equal(ips, []string{"192.0.2.2"}) {
				t.Errorf("bob changed to %v", ips)
			}
		})
	}
}

func TestV3RefuseEmptyIPs(t *testing.T) {
	s := StartTest(t, testSeed())
	s.SetRefuseEmptyIPs(true)
	wantReply(t, v3put(t, s, "alice", `[]`), 400, "application/json", v3Err("ips", msgAtLeastOne))
	if !aliceUntouched(s) {
		t.Error("refused PUT changed alice")
	}
	wantReply(t, v3put(t, s, "alice", `["192.0.2.9"]`), 200, "application/json", `{"ips":["192.0.2.9"]}`)
	s.SetRefuseEmptyIPs(false)
	wantReply(t, v3put(t, s, "alice", `[]`), 200, "application/json", `{"ips":[]}`)
}

// Names are path-escaped; the log holds the name unescaped.
func TestV3EscapedName(t *testing.T) {
	const name = "a b/c%d"
	s := StartTest(t, Seed{APIKey: testKey, IPs: []string{"192.0.2.1"}, Subusers: []SeedSubuser{{Name: name}}})
	wantReply(t, v3put(t, s, "a%20b%2Fc%25d", `["192.0.2.1"]`), 200, "application/json", `{"ips":["192.0.2.1"]}`)
	if ips, _ := s.SubuserIPs(name); !slices.Equal(ips, []string{"192.0.2.1"}) {
		t.Errorf("%q = %v", name, ips)
	}
	if r := s.Requests(); r[0].User != name || r[0].Call != calls.V3SetSubuserIPs {
		t.Errorf("log = %+v", r)
	}
	wantReply(t, v3get(t, s, "v3/ips?subuser=a+b%2Fc%25d"), 200, "application/json", arr(v3IP("192.0.2.1", name)))
}

func TestV3Routing(t *testing.T) {
	s := StartTest(t, testSeed())
	notFound := v3Err("", msgV3NotFound)
	for _, path := range []string{"v3/", "v3/ip", "v3/ips/", "v3/subusers/",
		"v3/subusers/alice", "v3/subusers//ips", "v3/ips/pools/", "v3/ips/pools//ips", "v3/ips/pools/a/ip", "v3/ips/pools/a/ips/",
		"v3/ips/pools/a/ips/192.0.2.1/x", "v3/subusers/alice/ips/x", "v3/subusers/alice/ip", "v3/customer.ip.json"} {
		for _, auth := range []string{bearer, ""} {
			wantReply(t, v3req(t, s, http.MethodGet, path, auth, ""), 404, "application/json", notFound)
			offContract(t, s, "", "") // no such call, or no key
		}
	}
	for _, tt := range []struct{ method, path, allow string }{
		{"POST", "v3/ips", "GET"},
		{"PUT", "v3/ips", "GET"},
		{"DELETE", "v3/subusers", "GET"},
		{"GET", "v3/subusers/alice/ips", "PUT"},
		{"POST", "v3/subusers/alice/ips", "PUT"},
		{"PATCH", "v3/subusers/alice/ips", "PUT"},
		{"PUT", "v3/ips/pools/mkt", "GET, DELETE"}, // no rename: the provider replaces a pool
		{"DELETE", "v3/ips/pools", "GET, POST"},
		{"GET", "v3/ips/pools/mkt/ips", "POST"},
		{"GET", "v3/ips/pools/mkt/ips/192.0.2.1", "DELETE"},
		{"DELETE", "v3/ips/192.0.2.1", "GET"},
	} {
		got := v3req(t, s, tt.method, tt.path, bearer, `["192.0.2.9"]`)
		offContract(t, s, "request", "path")
		wantReply(t, got, 405, "application/json", v3Err("", msgV3Method))
		if got.header.Get("Allow") != tt.allow {
			t.Errorf("%s %s: Allow %q", tt.method, tt.path, got.header.Get("Allow"))
		}
	}
	if !aliceUntouched(s) {
		t.Error("a refused request changed alice")
	}
	// v2 keeps every other path, however prefixed.
	wantReply(t, callRaw(t, s.V3URL()+"v3", http.MethodGet, creds("list", "free")), 404, "application/json", notFoundBody)
	wantReply(t, callRaw(t, s.V3URL()+"v2/customer.ip.json", http.MethodGet, creds("list", "free")), 200, "application/json",
		jsonIPList("192.0.2.9", "192.0.2.10"))
	if s.V3URL()+"apiv2/" != s.URL() {
		t.Errorf("V3URL %q, URL %q", s.V3URL(), s.URL())
	}
}

func TestV3Auth(t *testing.T) {
	unauthorized := v3Err("", msgV3Auth)
	tests := []struct {
		name, auth, query string
		ok, offContract   bool // offContract: no bearer token, which the contract requires
	}{
		{"right", bearer, "", true, false},
		{"scheme in lower case", "bearer " + testKey, "", true, false},
		{"missing", "", "", false, true},
		{"wrong", "Bearer nope", "", false, false},
		{"key prefix", "Bearer " + testKey[:len(testKey)-1], "", false, false},
		{"key plus more", "Bearer " + testKey + "x", "", false, false},
		{"empty token", "Bearer ", "", false, false},
		{"no scheme", testKey, "", false, true},
		{"basic", "Basic " + testKey, "", false, true},
		{"key in query only", "", "api_key=" + testKey, false, true},
		{"v2 credentials", "", "api_user=" + testUser + "&api_key=" + testKey, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := StartTest(t, testSeed())
			q := tt.query
			if q != "" {
				q = "?" + q
			}
			for _, c := range []struct{ method, path, body string }{
				{"GET", "v3/ips" + q, ""}, {"GET", "v3/subusers" + q, ""}, {"PUT", "v3/subusers/alice/ips" + q, `["192.0.2.9"]`},
			} {
				got := v3req(t, s, c.method, c.path, tt.auth, c.body)
				if tt.offContract {
					offContract(t, s, "request", "header Authorization")
				}
				if tt.ok {
					if got.status != 200 {
						t.Errorf("%s %s: %d %s", c.method, c.path, got.status, got.body)
					}
					continue
				}
				wantReply(t, got, 401, "application/json", unauthorized)
			}
			if aliceUntouched(s) == tt.ok {
				t.Errorf("alice untouched = %v with auth %q", aliceUntouched(s), tt.auth)
			}
		})
	}
	// An account without a key refuses even an empty token; v2's api_user plays no part.
	s := StartTest(t, Seed{APIUser: testUser})
	wantReply(t, v3req(t, s, "GET", "v3/ips", "Bearer ", ""), 401, "application/json", unauthorized)
	s = StartTest(t, Seed{APIKey: testKey})
	wantReply(t, v3get(t, s, "v3/ips"), 200, "application/json", `[]`)
}

// Every subuser has an address, whatever its name: the contract asks for one (format email).
func TestV3EmailIsAnAddress(t *testing.T) {
	s := StartTest(t, Seed{APIKey: testKey, Subusers: []SeedSubuser{
		{Name: "a.b+c"}, {Name: "a b"}, {Name: "x\x1b[2Jy"}, {Name: "café"}, {Name: "a@"}, {Name: "bob@example.org"},
		{Name: "a..b"}, {Name: ".a"}, {Name: "\u202eevil"}, {Name: "a@b@c"}, {Name: "a@-b.com"}}})
	want := map[string]string{"a.b+c": "a.b+c@example.com", "bob@example.org": "bob@example.org"}
	var rows []v3SubuserRow
	decodeJSON(t, v3get(t, s, "v3/subusers").body, &rows)
	for _, r := range rows {
		w := want[r.Username]
		if w == "" {
			w = fmt.Sprintf("subuser-%d@example.com", r.ID)
		}
		if r.Email != w {
			t.Errorf("%q: email %q, want %q", r.Username, r.Email, w)
		}
	}
}
