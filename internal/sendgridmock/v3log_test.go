package sendgridmock

import (
	"maps"
	"net/http"
	"reflect"
	"testing"
	"time"
)

func TestV3RequestLog(t *testing.T) {
	s := StartTest(t, testSeed())
	v3get(t, s, "v3/ips")
	v3get(t, s, "v3/ips?subuser=alice&limit=5&offset=2")
	v3get(t, s, "v3/ips?subuser=bob&limit=x")
	v3get(t, s, "v3/subusers?username=al")
	v3get(t, s, "v3/subusers?limit=500")
	v3put(t, s, "bob", `["192.0.2.9","192.0.2.9"]`)
	v3req(t, s, http.MethodPut, "v3/subusers/bob/ips?api_key="+testKey, "", `[]`)
	v3req(t, s, http.MethodGet, "v3/nothing", "", "")
	v3req(t, s, http.MethodDelete, "v3/ips", bearer, "")
	call(t, s, http.MethodPost, "customer.ip.json", creds("list", "free"))

	got := s.Requests()
	for i := range got {
		if got[i].Time.IsZero() || got[i].UserAgent != "sendgridmock-test/1" {
			t.Errorf("entry %d: time %v, user agent %q", i, got[i].Time, got[i].UserAgent)
		}
		got[i].Time, got[i].UserAgent = time.Time{}, ""
	}
	want := []Request{
		{Call: CallV3ListIPs, Format: "json", Method: "GET", Status: 200, BearerAuth: true},
		{Call: CallV3ListIPs, Format: "json", Method: "GET", User: "alice", Limit: 5, Offset: 2, Status: 200, BearerAuth: true},
		{Call: CallV3ListIPs, Format: "json", Method: "GET", User: "bob", Status: 400, BearerAuth: true},
		{Call: CallV3ListSubusers, Format: "json", Method: "GET", User: "al", Status: 200, BearerAuth: true},
		{Call: CallV3ListSubusers, Format: "json", Method: "GET", Limit: 500, Status: 200, BearerAuth: true},
		{Call: CallV3SetSubuserIPs, Format: "json", Method: "PUT", User: "bob", IPs: []string{"192.0.2.9", "192.0.2.9"}, Status: 200, BearerAuth: true},
		{Call: CallV3SetSubuserIPs, Format: "json", Method: "PUT", User: "bob", IPs: []string{}, Status: 401, CredentialsInQuery: true},
		{Method: "GET", Status: 404},
		{Format: "json", Method: "DELETE", Status: 405, BearerAuth: true},
		{Call: "customer.ip", Format: "json", Method: "POST", List: "free", Status: 200},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("log =\n%+v\nwant\n%+v", got, want)
	}

	wantTally := map[string]int{
		"GET /v3/ips": 1, "GET /v3/ips?subuser": 2, "GET /v3/subusers?username": 1, "GET /v3/subusers": 1,
		"PUT /v3/subusers/{name}/ips": 2, "": 2, "customer.ip list=free": 1,
	}
	if tally := Tally(got); !maps.Equal(tally, wantTally) {
		t.Errorf("Tally = %v", tally)
	}
	for k, n := range map[string]int{
		CallV3ListIPs: 3, "GET /v3/ips?subuser": 2, CallV3ListSubusers: 2, "GET /v3/subusers?username": 1,
		CallV3SetSubuserIPs: 2, "customer.ip": 1, "": 10, "customer.ip list=free": 0,
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
	}
}
