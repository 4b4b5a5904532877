package sendgridmock

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

var methods = []string{http.MethodGet, http.MethodPost}

func TestListFilters(t *testing.T) {
	s := StartTest(t, testSeed())
	tests := []struct {
		list string
		want []string
	}{
		{"all", []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.9", "192.0.2.10"}},
		{"taken", []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"}},
		{"free", []string{"192.0.2.9", "192.0.2.10"}},
		// .3 is held only by deactivated carol; .4 by deactivated dan and active erin.
		{"available", []string{"192.0.2.3", "192.0.2.9", "192.0.2.10"}},
	}
	for _, tt := range tests {
		if ref := referenceFilter(testSeed(), tt.list); !slices.Equal(slices.Sorted(slices.Values(ref)), slices.Sorted(slices.Values(tt.want))) {
			t.Fatalf("table wrong for %s: reference gives %v", tt.list, ref)
		}
		for _, m := range methods {
			t.Run(tt.list+"/"+m, func(t *testing.T) {
				got := call(t, s, m, "customer.ip.json", creds("list", tt.list))
				wantReply(t, got, http.StatusOK, "application/json", jsonIPList(tt.want...))

				var xml strings.Builder
				xml.WriteString("<ips>")
				for _, ip := range tt.want {
					xml.WriteString("<ip>" + ip + "</ip>")
				}
				xml.WriteString("</ips>")
				got = call(t, s, m, "customer.ip.xml", creds("list", tt.list))
				wantReply(t, got, http.StatusOK, "text/xml", xmlDoc(xml.String()))
			})
		}
	}
}

func TestListFiltersFollowChanges(t *testing.T) {
	s := StartTest(t, testSeed())
	// Enabling carol makes .3 unavailable, disabling erin makes .4 available, and alice frees .1.
	for _, step := range []struct{ path, user string }{{"customer.enable.json", "carol"}, {"customer.disable.json", "erin"}} {
		wantReply(t, call(t, s, http.MethodPost, step.path, creds("user", step.user)), http.StatusOK, "application/json", `{"message":"success"}`)
	}
	wantReply(t, call(t, s, http.MethodPost, "customer.sendip.json", creds("task", "append", "user", "alice", "set", "specify", "ip[]", "192.0.2.2")),
		http.StatusOK, "application/json", `{"message":"success"}`)
	snap := s.Snapshot()
	for _, list := range []string{"all", "free", "taken", "available"} {
		got := ipsJSON(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", list)).body)
		if want := referenceFilter(snap, list); !slices.Equal(got, want) {
			t.Errorf("list=%s: got %v, want %v", list, got, want)
		}
	}
	got := ipsJSON(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", "available")).body)
	if want := []string{"192.0.2.1", "192.0.2.4", "192.0.2.9", "192.0.2.10"}; !slices.Equal(got, want) {
		t.Errorf("available = %v, want %v", got, want)
	}
}

func TestListParameterErrors(t *testing.T) {
	s := StartTest(t, testSeed())
	got := call(t, s, http.MethodGet, "customer.ip.json", creds())
	wantReply(t, got, http.StatusBadRequest, "application/json", `{"message":"error","errors":["Missing required parameter: list"]}`)
	got = call(t, s, http.MethodGet, "customer.ip.json", creds("list", "bogus"))
	wantReply(t, got, http.StatusBadRequest, "application/json", `{"message":"error","errors":["Invalid value for parameter list: bogus"]}`)
	got = call(t, s, http.MethodGet, "customer.ip.xml", creds("list", "bogus"))
	wantReply(t, got, http.StatusBadRequest, "text/xml",
		xmlDoc("<result><message>error</message><errors><error>Invalid value for parameter list: bogus</error></errors></result>"))
}

func TestEmptyLists(t *testing.T) {
	s := StartTest(t, Seed{APIUser: testUser, APIKey: testKey, Subusers: []SeedSubuser{{Name: "x"}}})
	wantReply(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", "all")), http.StatusOK, "application/json", `[]`)
	wantReply(t, call(t, s, http.MethodGet, "customer.ip.xml", creds("list", "all")), http.StatusOK, "text/xml", xmlDoc("<ips></ips>"))
	wantReply(t, call(t, s, http.MethodGet, "customer.sendip.json", creds("task", "list", "user", "x")), http.StatusOK, "application/json",
		`{"success":"success","outboundcluster":"SendGrid MTA","ips":[]}`)
}

func TestSendIPList(t *testing.T) {
	seed := testSeed()
	seed.OutboundCluster = "o1.sendgrid.net"
	s := StartTest(t, seed)
	tests := []struct {
		name, path string
		params     url.Values
		status     int
		ctype      string
		body       string
	}{
		{"json", "customer.sendip.json", creds("task", "list", "user", "alice"), 200, "application/json",
			`{"success":"success","outboundcluster":"o1.sendgrid.net","ips":[{"ip":"192.0.2.1"},{"ip":"192.0.2.2"}]}`},
		{"xml", "customer.sendip.xml", creds("task", "list", "user", "alice"), 200, "text/xml",
			xmlDoc("<sendips><ocluster>o1.sendgrid.net</ocluster><ips><ip>192.0.2.1</ip><ip>192.0.2.2</ip></ips></sendips>")},
		{"deactivated user still lists", "customer.sendip.json", creds("task", "list", "user", "carol"), 200, "application/json",
			`{"success":"success","outboundcluster":"o1.sendgrid.net","ips":[{"ip":"192.0.2.3"}]}`},
		{"no IPs", "customer.sendip.json", creds("task", "list", "user", "frank"), 200, "application/json",
			`{"success":"success","outboundcluster":"o1.sendgrid.net","ips":[]}`},
		{"unknown user json", "customer.sendip.json", creds("task", "list", "user", "nobody"), 400, "application/json",
			`{"error":{"code":400,"message":"User does not exist"}}`},
		{"unknown user xml", "customer.sendip.xml", creds("task", "list", "user", "nobody"), 400, "text/xml",
			xmlDoc("<result><message>User does not exist</message></result>")},
		{"missing user", "customer.sendip.json", creds("task", "list"), 400, "application/json",
			`{"error":{"code":400,"message":"Missing required parameter: user"}}`},
		{"missing task", "customer.sendip.json", creds("user", "alice"), 400, "application/json",
			`{"message":"error","errors":["Missing required parameter: task"]}`},
		{"unknown task", "customer.sendip.json", creds("task", "frob", "user", "alice"), 400, "application/json",
			`{"message":"error","errors":["Invalid value for parameter task: frob"]}`},
		{"unknown task xml", "customer.sendip.xml", creds("task", "frob", "user", "alice"), 400, "text/xml",
			xmlDoc("<result><message>error</message><errors><error>Invalid value for parameter task: frob</error></errors></result>")},
	}
	for _, tt := range tests {
		for _, m := range methods {
			t.Run(tt.name+"/"+m, func(t *testing.T) {
				wantReply(t, call(t, s, m, tt.path, tt.params), tt.status, tt.ctype, tt.body)
			})
		}
	}
}

func TestAppend(t *testing.T) {
	const ok = `{"message":"success"}`
	all := []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.9", "192.0.2.10"}
	alice := []string{"192.0.2.1", "192.0.2.2"} // alice's IPs in the seed
	tests := []struct {
		name   string
		path   string
		params url.Values
		status int
		body   string
		want   []string // alice's IPs afterwards
	}{
		{"specify replaces", "customer.sendip.json",
			creds("task", "append", "user", "alice", "set", "specify", "ip[]", "192.0.2.10", "ip[]", "192.0.2.9"),
			200, ok, []string{"192.0.2.9", "192.0.2.10"}},
		{"specify with duplicates", "customer.sendip.json",
			creds("task", "append", "user", "alice", "set", "specify", "ip[]", "192.0.2.3", "ip[]", "192.0.2.3"),
			200, ok, []string{"192.0.2.3"}},
		{"specify indexed", "customer.sendip.json",
			creds("task", "append", "user", "alice", "set", "specify", "ip[1]", "192.0.2.4", "ip[0]", "192.0.2.3"),
			200, ok, []string{"192.0.2.3", "192.0.2.4"}},
		{"specify mixed forms", "customer.sendip.json",
			creds("task", "append", "user", "alice", "set", "specify", "ip[]", "192.0.2.9", "ip[0]", "192.0.2.3"),
			200, ok, []string{"192.0.2.3", "192.0.2.9"}},
		{"all", "customer.sendip.json", creds("task", "append", "user", "alice", "set", "all"), 200, ok, all},
		{"all ignores ip[]", "customer.sendip.json",
			creds("task", "append", "user", "alice", "set", "all", "ip[]", "198.51.100.7"), 200, ok, all},
		{"none", "customer.sendip.json", creds("task", "append", "user", "alice", "set", "none"), 200, ok, []string{}},
		{"xml success", "customer.sendip.xml", creds("task", "append", "user", "alice", "set", "none"),
			200, xmlDoc("<result><message>success</message></result>"), []string{}},
		{"foreign IPs change nothing", "customer.sendip.json",
			creds("task", "append", "user", "alice", "set", "specify",
				"ip[]", "192.0.2.9", "ip[]", "198.51.100.7", "ip[]", "not-an-ip", "ip[]", "198.51.100.7"),
			400, `{"message":"error","errors":["IP 198.51.100.7 does not belong to your account","IP not-an-ip does not belong to your account"]}`, alice},
		{"foreign IP xml", "customer.sendip.xml",
			creds("task", "append", "user", "alice", "set", "specify", "ip[]", "198.51.100.7"),
			400, xmlDoc("<result><message>error</message><errors><error>IP 198.51.100.7 does not belong to your account</error></errors></result>"), alice},
		{"specify without IPs", "customer.sendip.json", creds("task", "append", "user", "alice", "set", "specify"),
			400, `{"message":"error","errors":["You need to assign at least ONE IP to your subuser"]}`, alice},
		{"specify with only empty IPs", "customer.sendip.json", creds("task", "append", "user", "alice", "set", "specify", "ip[]", ""),
			400, `{"message":"error","errors":["You need to assign at least ONE IP to your subuser"]}`, alice},
		{"missing set", "customer.sendip.json", creds("task", "append", "user", "alice", "ip[]", "192.0.2.9"),
			400, `{"message":"error","errors":["Missing required parameter: set"]}`, alice},
		{"unknown set", "customer.sendip.json", creds("task", "append", "user", "alice", "set", "some"),
			400, `{"message":"error","errors":["Invalid value for parameter set: some"]}`, alice},
		{"unknown user", "customer.sendip.json", creds("task", "append", "user", "zed", "set", "all"),
			400, `{"error":{"code":400,"message":"User does not exist"}}`, alice},
		{"unknown user xml", "customer.sendip.xml", creds("task", "append", "user", "zed", "set", "all"),
			400, xmlDoc("<result><message>User does not exist</message></result>"), alice},
		{"missing user", "customer.sendip.json", creds("task", "append", "set", "all"),
			400, `{"error":{"code":400,"message":"Missing required parameter: user"}}`, alice},
		{"missing task", "customer.sendip.json", creds("user", "alice", "set", "all"),
			400, `{"message":"error","errors":["Missing required parameter: task"]}`, alice},
	}
	for _, tt := range tests {
		for _, m := range methods {
			t.Run(tt.name+"/"+m, func(t *testing.T) {
				s := StartTest(t, testSeed())
				got := call(t, s, m, tt.path, tt.params)
				if got.status != tt.status || got.body != tt.body {
					t.Errorf("got %d %s\nwant %d %s", got.status, got.body, tt.status, tt.body)
				}
				ips, _ := s.SubuserIPs("alice")
				if !slices.Equal(ips, tt.want) {
					t.Errorf("alice's IPs = %v, want %v", ips, tt.want)
				}
				if ips, _ := s.SubuserIPs("bob"); !slices.Equal(ips, []string{"192.0.2.2"}) {
					t.Errorf("bob's IPs changed to %v", ips)
				}
			})
		}
	}
}

func TestAppendThenList(t *testing.T) {
	s := StartTest(t, testSeed())
	call(t, s, http.MethodPost, "customer.sendip.json", creds("task", "append", "user", "frank", "set", "specify", "ip[]", "192.0.2.10"))
	// .10 is now taken and neither free nor available.
	for list, want := range map[string][]string{
		"free":      {"192.0.2.9"},
		"available": {"192.0.2.3", "192.0.2.9"},
	} {
		if got := ipsJSON(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", list)).body); !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", list, got, want)
		}
	}
	got := call(t, s, http.MethodGet, "customer.sendip.json", creds("task", "list", "user", "frank"))
	wantReply(t, got, 200, "application/json", `{"success":"success","outboundcluster":"SendGrid MTA","ips":[{"ip":"192.0.2.10"}]}`)
}

func TestParamsFromQueryAndBody(t *testing.T) {
	s := StartTest(t, testSeed())
	// Credentials in the query, the rest in the body: both are read.
	u := s.URL() + "customer.sendip.json?" + url.Values{"api_user": {testUser}, "api_key": {testKey}}.Encode()
	got := callRaw(t, u, http.MethodPost, url.Values{"task": {"append"}, "user": {"alice"}, "set": {"specify"}, "ip[]": {"192.0.2.9"}})
	wantReply(t, got, 200, "application/json", `{"message":"success"}`)
	if ips, _ := s.SubuserIPs("alice"); !slices.Equal(ips, []string{"192.0.2.9"}) {
		t.Errorf("alice = %v", ips)
	}
}

func TestRouting(t *testing.T) {
	s := StartTest(t, testSeed())
	base := strings.TrimSuffix(s.URL(), "apiv2/")
	for _, path := range []string{"apiv2/customer.ip.json", "api/v2/customer.ip.json", "customer.ip.json", "x/y/z/customer.ip.json"} {
		got := callRaw(t, base+path, http.MethodGet, creds("list", "free"))
		wantReply(t, got, 200, "application/json", jsonIPList("192.0.2.9", "192.0.2.10"))
	}
	for _, path := range []string{"apiv2/customer.ip", "apiv2/customer.ip.yaml", "apiv2/customer.ips.json", "apiv2/", "apiv2/customer.ip.json/x", "v3"} {
		got := callRaw(t, base+path, http.MethodGet, creds("list", "free"))
		wantReply(t, got, http.StatusNotFound, "application/json", `{"error":"not found"}`)
	}
	got := callRaw(t, base+"apiv2/customer.ip.json", http.MethodPut, creds("list", "free"))
	if got.status != http.StatusMethodNotAllowed || got.header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT: %d %v", got.status, got.header)
	}
}

func TestBadCredentials(t *testing.T) {
	shapes := []struct {
		name       string
		shape      BadCredentialsShape
		status     int
		ctype      string
		json, xml  string
		setDefault bool
	}{
		{"errors200", BadCredentialsErrors200, 200, "", `{"message":"error","errors":["Invalid username and/or password"]}`,
			xmlDoc("<result><message>error</message><errors><error>Invalid username and/or password</error></errors></result>"), false},
		{"code401", BadCredentialsCode401In200, 200, "", `{"error":{"code":401,"message":"Permission denied, not authorized"}}`,
			xmlDoc("<result><error><code>401</code><message>Permission denied, not authorized</message></error></result>"), true},
		{"plain403", BadCredentialsPlain403HTML, 403, "text/html", `{"error": "Bad username / password"}`, `{"error": "Bad username / password"}`, true},
	}
	badCreds := map[string]url.Values{
		"wrong key":    {"api_user": {testUser}, "api_key": {"nope"}},
		"wrong user":   {"api_user": {"someone"}, "api_key": {testKey}},
		"missing":      {},
		"missing key":  {"api_user": {testUser}},
		"empty values": {"api_user": {""}, "api_key": {""}},
	}
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			s := StartTest(t, testSeed())
			if sh.setDefault {
				s.SetBadCredentialsShape(sh.shape)
			}
			for name, c := range badCreds {
				for _, m := range methods {
					p := url.Values{"task": {"append"}, "user": {"alice"}, "set": {"none"}}
					for k, v := range c {
						p[k] = v
					}
					jsonCT, xmlCT := "application/json", "text/xml"
					if sh.ctype != "" {
						jsonCT, xmlCT = sh.ctype, sh.ctype
					}
					got := call(t, s, m, "customer.sendip.json", p)
					wantReply(t, got, sh.status, jsonCT, sh.json)
					got = call(t, s, m, "customer.sendip.xml", p)
					wantReply(t, got, sh.status, xmlCT, sh.xml)
					if ips, _ := s.SubuserIPs("alice"); len(ips) != 2 {
						t.Fatalf("%s/%s: request with bad credentials changed alice to %v", name, m, ips)
					}
				}
			}
		})
	}
}

func TestDuplicateIPs(t *testing.T) {
	s := StartTest(t, testSeed())
	s.SetDuplicateIPs(true)
	got := call(t, s, http.MethodGet, "customer.ip.json", creds("list", "free"))
	wantReply(t, got, 200, "application/json", jsonIPList("192.0.2.9", "192.0.2.9", "192.0.2.10", "192.0.2.10"))
	got = call(t, s, http.MethodGet, "customer.ip.xml", creds("list", "free"))
	wantReply(t, got, 200, "text/xml", xmlDoc("<ips><ip>192.0.2.9</ip><ip>192.0.2.9</ip><ip>192.0.2.10</ip><ip>192.0.2.10</ip></ips>"))
	got = call(t, s, http.MethodGet, "customer.sendip.json", creds("task", "list", "user", "carol"))
	wantReply(t, got, 200, "application/json", `{"success":"success","outboundcluster":"SendGrid MTA","ips":[{"ip":"192.0.2.3"},{"ip":"192.0.2.3"}]}`)
	got = call(t, s, http.MethodGet, "customer.sendip.xml", creds("task", "list", "user", "carol"))
	wantReply(t, got, 200, "text/xml", xmlDoc("<sendips><ocluster>SendGrid MTA</ocluster><ips><ip>192.0.2.3</ip><ip>192.0.2.3</ip></ips></sendips>"))
	s.SetDuplicateIPs(false)
	got = call(t, s, http.MethodGet, "customer.ip.json", creds("list", "free"))
	wantReply(t, got, 200, "application/json", jsonIPList("192.0.2.9", "192.0.2.10"))
}

func TestSubuserCalls(t *testing.T) {
	s := StartTest(t, testSeed())
	const ok = `{"message":"success"}`
	steps := []struct {
		path   string
		params url.Values
		status int
		body   string
	}{
		{"customer.add.json", creds("username", "gina"), 200, ok},
		{"customer.add.json", creds("username", "gina"), 400, `{"message":"error","errors":["Username already exists"]}`},
		{"customer.add.json", creds("username", "hank", "active", "0"), 200, ok},
		{"customer.add.json", creds("username", "ivan", "active", "maybe"), 400, `{"message":"error","errors":["Invalid value for parameter active: maybe"]}`},
		{"customer.add.json", creds(), 400, `{"message":"error","errors":["Missing required parameter: username"]}`},
		{"customer.profile.json", creds("task", "get", "username", "an"), 200,
			`[{"username":"dan","email":"dan@example.com","active":"false"},{"username":"frank","email":"frank@example.com","active":"true"},{"username":"hank","email":"hank@example.com","active":"false"}]`},
		{"customer.profile.xml", creds("task", "get", "username", "hank"), 200,
			xmlDoc("<users><user><username>hank</username><email>hank@example.com</email><active>false</active></user></users>")},
		{"customer.profile.json", creds("task", "get", "username", "zzz"), 200, `[]`},
		{"customer.profile.json", creds("username", "a"), 400, `{"message":"error","errors":["Missing required parameter: task"]}`},
		{"customer.enable.json", creds("user", "hank"), 200, ok},
		{"customer.disable.json", creds("user", "gina"), 200, ok},
		{"customer.disable.xml", creds("user", "nobody"), 400, xmlDoc("<result><message>User does not exist</message></result>")},
		{"customer.enable.json", creds(), 400, `{"error":{"code":400,"message":"Missing required parameter: user"}}`},
		{"customer.delete.json", creds("user", "alice"), 200, ok},
		{"customer.delete.json", creds("user", "alice"), 400, `{"error":{"code":400,"message":"User does not exist"}}`},
	}
	for i, st := range steps {
		got := call(t, s, http.MethodPost, st.path, st.params)
		if got.status != st.status || got.body != st.body {
			t.Errorf("step %d %s %v:\ngot  %d %s\nwant %d %s", i, st.path, st.params, got.status, got.body, st.status, st.body)
		}
	}
	snap := s.Snapshot()
	active := map[string]bool{}
	for _, su := range snap.Subusers {
		active[su.Name] = *su.Active
	}
	if _, ok := active["alice"]; ok {
		t.Error("alice not deleted")
	}
	if !active["hank"] || active["gina"] {
		t.Errorf("active flags wrong: %v", active)
	}
	// alice's deletion freed .1 (bob still holds .2).
	if got := ipsJSON(t, call(t, s, http.MethodGet, "customer.ip.json", creds("list", "free")).body); !slices.Equal(got, []string{"192.0.2.1", "192.0.2.9", "192.0.2.10"}) {
		t.Errorf("free after delete = %v", got)
	}
}

func TestEscaping(t *testing.T) {
	s := StartTest(t, Seed{APIUser: testUser, APIKey: testKey, OutboundCluster: `a<b>&"c"é`, Subusers: []SeedSubuser{{Name: "x"}}})
	got := call(t, s, http.MethodGet, "customer.sendip.xml", creds("task", "list", "user", "x"))
	wantReply(t, got, 200, "text/xml", xmlDoc("<sendips><ocluster>a&lt;b&gt;&amp;&quot;c&quot;&#233;</ocluster><ips></ips></sendips>"))
	got = call(t, s, http.MethodGet, "customer.sendip.json", creds("task", "list", "user", "x"))
	wantReply(t, got, 200, "application/json", `{"success":"success","outboundcluster":"a\u003cb\u003e\u0026\"c\"é","ips":[]}`)
	// A hostile IP value is escaped in the error answer.
	got = call(t, s, http.MethodGet, "customer.sendip.xml", creds("task", "append", "user", "x", "set", "specify", "ip[]", "<x>"))
	wantReply(t, got, 400, "text/xml", xmlDoc("<result><message>error</message><errors><error>IP &lt;x&gt; does not belong to your account</error></errors></result>"))
}
