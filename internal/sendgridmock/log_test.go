package sendgridmock

import (
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

func TestRequestLog(t *testing.T) {
	s := StartTest(t, testSeed())
	before := time.Now()
	call(t, s, http.MethodGet, "customer.ip.xml", creds("list", "taken"))
	call(t, s, http.MethodPost, "customer.sendip.json",
		creds("task", "append", "user", "alice", "set", "specify", "ip[]", "192.0.2.9", "ip[]", "192.0.2.9", "ip[0]", "192.0.2.10"))
	// Credentials in the query, the rest in the body.
	u := s.URL() + "customer.sendip.json?" + url.Values{"api_key": {testKey}}.Encode()
	callRaw(t, u, http.MethodPost, url.Values{"api_user": {testUser}, "task": {"list"}, "user": {"bob"}})
	call(t, s, http.MethodPost, "customer.add.json", creds("username", "zoe"))
	call(t, s, http.MethodGet, "nothing.json", creds())

	got := s.Requests()
	if len(got) != 5 {
		t.Fatalf("%d entries: %+v", len(got), got)
	}
	for i := range got {
		if got[i].Time.Before(before) || got[i].Time.After(time.Now()) {
			t.Errorf("entry %d time %v", i, got[i].Time)
		}
		if got[i].UserAgent != "sendgridmock-test/1" {
			t.Errorf("entry %d user agent %q", i, got[i].UserAgent)
		}
		got[i].Time, got[i].UserAgent = time.Time{}, ""
	}
	want := []Request{
		{Call: calls.V2IP, Format: "xml", Method: "GET", List: "taken", Status: 200, CredentialsInQuery: true},
		{Call: calls.V2SendIP, Format: "json", Method: "POST", Task: "append", Set: "specify", User: "alice",
			IPs: []string{"192.0.2.9", "192.0.2.9", "192.0.2.10"}, Status: 200},
		{Call: calls.V2SendIP, Format: "json", Method: "POST", Task: "list", User: "bob", Status: 200, CredentialsInQuery: true},
		{Call: calls.V2Add, Format: "json", Method: "POST", User: "zoe", Status: 200},
		{Method: "GET", Status: 404, CredentialsInQuery: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log =\n%+v\nwant\n%+v", got, want)
	}

	got[1].IPs[0] = "x"
	if s.Requests()[1].IPs[0] != "192.0.2.9" {
		t.Error("Requests shares memory with the log")
	}

	counts := map[[2]string]int{
		{calls.V2SendIP, ""}:       2,
		{calls.V2SendIP, "append"}: 1,
		{calls.V2SendIP, "list"}:   1,
		{calls.V2IP, ""}:           1,
		{calls.V2IP, "list"}:       0,
		{"", "append"}:             1,
		{"", ""}:                   5,
		{calls.V2Enable, ""}:       0,
	}
	for k, n := range counts {
		if got := s.Count(k[0], k[1]); got != n {
			t.Errorf("Count(%q, %q) = %d, want %d", k[0], k[1], got, n)
		}
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 || s.Count("", "") != 0 || s.Count(calls.V2SendIP, "") != 0 {
		t.Error("ResetRequests left entries")
	}
}

// The log keeps a bounded number of entries but counts exactly.
func TestRequestLogCap(t *testing.T) {
	const keep = 100
	l := requestLog{max: keep}
	for i := range 5*keep + 10 {
		l.add(Request{Call: calls.V2IP, Status: i})
		if n := len(l.entries); n > 2*keep {
			t.Fatalf("%d entries kept", n)
		}
	}
	if n := len(l.entries); n < keep {
		t.Errorf("%d entries kept", n)
	}
	for i, e := range l.entries[1:] {
		if e.Status != l.entries[i].Status+1 {
			t.Fatalf("entries not the latest in order at %d", i)
		}
	}
	if last := l.entries[len(l.entries)-1].Status; last != 5*keep+9 {
		t.Errorf("newest entry lost: %d", last)
	}
	if l.counts[countKey{calls.V2IP, ""}] != 5*keep+10 {
		t.Errorf("count = %d, want %d", l.counts[countKey{calls.V2IP, ""}], 5*keep+10)
	}
}

// ip[N] values are taken in numeric index order (10 after 2), after ip[].
func TestIndexedIPOrder(t *testing.T) {
	s := StartTest(t, testSeed())
	call(t, s, http.MethodPost, "customer.sendip.json", creds("task", "append", "user", "alice", "set", "specify",
		"ip[10]", "192.0.2.10", "ip[2]", "192.0.2.3", "ip[0]", "192.0.2.1", "ip[1]", "192.0.2.2", "ip[]", "192.0.2.9", "ip[x]", "192.0.2.4"))
	want := []string{"192.0.2.9", "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.10"}
	if got := s.Requests()[0].IPs; !reflect.DeepEqual(got, want) {
		t.Errorf("IPs = %v, want %v", got, want)
	}
	if got, _ := s.SubuserIPs("alice"); !reflect.DeepEqual(got, []string{"192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.9", "192.0.2.10"}) {
		t.Errorf("alice = %v", got)
	}
}

func TestV3RequestLog(t *testing.T) {
	s := StartTest(t, testSeed())
	v3get(t, s, "v3/ips")
	v3get(t, s, "v3/ips?subuser=alice&limit=5&offset=2")
	v3get(t, s, "v3/ips?subuser=bob&limit=x")
	offContract(t, s, "request", "query limit")
	v3get(t, s, "v3/subusers?username=al")
	v3get(t, s, "v3/subusers?limit=500")
	v3put(t, s, "bob", `["192.0.2.9","192.0.2.9"]`)
	v3req(t, s, http.MethodPut, "v3/subusers/bob/ips?api_key="+testKey, "", `[]`)
	offContract(t, s, "request", "query api_key")
	v3req(t, s, http.MethodGet, "v3/nothing", "", "")
	offContract(t, s, "request", "path")
	v3req(t, s, http.MethodDelete, "v3/ips", bearer, "")
	offContract(t, s, "request", "path")
	call(t, s, http.MethodPost, "customer.ip.json", creds("list", "free"))

	got := s.Requests()
	for i := range got {
		if got[i].Time.IsZero() || got[i].UserAgent != "sendgridmock-test/1" {
			t.Errorf("entry %d: time %v, user agent %q", i, got[i].Time, got[i].UserAgent)
		}
		got[i].Time, got[i].UserAgent = time.Time{}, ""
	}
	want := []Request{
		{Call: calls.V3IPs, Format: "json", Method: "GET", Status: 200, BearerAuth: true},
		{Call: calls.V3IPs, Format: "json", Method: "GET", User: "alice", Limit: 5, Offset: 2, Status: 200, BearerAuth: true},
		{Call: calls.V3IPs, Format: "json", Method: "GET", User: "bob", Status: 400, BearerAuth: true},
		{Call: calls.V3Subusers, Format: "json", Method: "GET", User: "al", Status: 200, BearerAuth: true},
		{Call: calls.V3Subusers, Format: "json", Method: "GET", Limit: 500, Status: 200, BearerAuth: true},
		{Call: calls.V3SetSubuserIPs, Format: "json", Method: "PUT", User: "bob", IPs: []string{"192.0.2.9", "192.0.2.9"}, Status: 200, BearerAuth: true},
		{Call: calls.V3SetSubuserIPs, Format: "json", Method: "PUT", User: "bob", IPs: []string{}, Status: 401, CredentialsInQuery: true},
		{Method: "GET", Status: 404},
		{Format: "json", Method: "DELETE", Status: 405, BearerAuth: true},
		{Call: calls.V2IP, Format: "json", Method: "POST", List: "free", Status: 200},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log =\n%+v\nwant\n%+v", got, want)
	}

	wantTally := map[string]int{
		calls.V3IPs: 1, calls.V3IPsOfSubuser: 2, calls.V3SubuserByName: 1, calls.V3Subusers: 1,
		calls.V3SetSubuserIPs: 2, "": 2, "customer.ip list=free": 1,
	}
	if tally := Tally(got); !maps.Equal(tally, wantTally) {
		t.Errorf("Tally = %v", tally)
	}
	for k, n := range map[string]int{
		calls.V3IPs: 3, calls.V3IPsOfSubuser: 2, calls.V3Subusers: 2, calls.V3SubuserByName: 1,
		calls.V3SetSubuserIPs: 2, calls.V2IP: 1, "": 10, "customer.ip list=free": 0,
	} {
		if c := s.Count(k, ""); c != n {
			t.Errorf("Count(%q) = %d, want %d", k, c, n)
		}
	}
}

func TestV3CredentialsInQuery(t *testing.T) {
	s := StartTest(t, testSeed())
	for query, want := range map[string]bool{
		"":                       false,
		"limit=10&subuser=alice": false,
		"api_key=x":              true,
		"key=x":                  true,
		"Token=x":                true,
		"authorization=Bearer+x": true,
		"access_token=x":         true,
		"api_user=x":             true,
		"subuser=" + testKey:     true,
		"x" + testKey + "=1":     true,
		"subuser=test%2Dkey":     true,
	} {
		s.ResetRequests()
		v3get(t, s, "v3/ips?"+query)
		if got := s.Requests()[0].CredentialsInQuery; got != want {
			t.Errorf("%q: CredentialsInQuery = %v", query, got)
		}
		if name, _, _ := strings.Cut(query, "="); want && name != "subuser" {
			offContract(t, s, "request", "query "+name) // a parameter SendGrid does not know
		}
	}
}
