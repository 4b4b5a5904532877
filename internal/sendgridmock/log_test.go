package sendgridmock

import (
	"net/http"
	"net/url"
	"reflect"
	"testing"
	"time"
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
		{Call: "customer.ip", Format: "xml", Method: "GET", List: "taken", Status: 200, CredentialsInQuery: true},
		{Call: "customer.sendip", Format: "json", Method: "POST", Task: "append", Set: "specify", User: "alice",
			IPs: []string{"192.0.2.9", "192.0.2.9", "192.0.2.10"}, Status: 200},
		{Call: "customer.sendip", Format: "json", Method: "POST", Task: "list", User: "bob", Status: 200, CredentialsInQuery: true},
		{Call: "customer.add", Format: "json", Method: "POST", User: "zoe", Status: 200},
		{Method: "GET", Status: 404, CredentialsInQuery: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log =\n%+v\nwant\n%+v", got, want)
	}

	// Requests returns copies.
	got[1].IPs[0] = "x"
	if s.Requests()[1].IPs[0] != "192.0.2.9" {
		t.Error("Requests shares memory with the log")
	}

	counts := map[[2]string]int{
		{"customer.sendip", ""}:       2,
		{"customer.sendip", "append"}: 1,
		{"customer.sendip", "list"}:   1,
		{"customer.ip", ""}:           1,
		{"customer.ip", "list"}:       0,
		{"", "append"}:                1,
		{"", ""}:                      5,
		{"customer.enable", ""}:       0,
	}
	for k, n := range counts {
		if got := s.Count(k[0], k[1]); got != n {
			t.Errorf("Count(%q, %q) = %d, want %d", k[0], k[1], got, n)
		}
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 || s.Count("", "") != 0 || s.Count("customer.sendip", "") != 0 {
		t.Error("ResetRequests left entries")
	}
}

// The log keeps a bounded number of entries but counts exactly.
func TestRequestLogCap(t *testing.T) {
	const keep = 100
	l := requestLog{max: keep}
	for i := range 5*keep + 10 {
		l.add(Request{Call: callIP, Status: i})
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
	if l.counts[countKey{callIP, ""}] != 5*keep+10 {
		t.Errorf("count = %d, want %d", l.counts[countKey{callIP, ""}], 5*keep+10)
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
