package sendgrid

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

// documentedV3Bodies are the documented v3 answers; they seed the fuzzer too.
var documentedV3Bodies = []struct {
	name        string
	status      int
	contentType string
	body        string
}{
	{"ips page", 200, "application/json", `[{"ip":"192.0.2.1","subusers":["alice"],"pools":[],"warmup":false,"start_date":null,"whitelabeled":false,"assigned_at":null}]`},
	{"ips openapi", 200, "application/json", `[{"ip":"192.168.1.1","pools":["pool1","pool2"],"whitelabeled":false,"start_date":1409616000,"subusers":["tim@sendgrid.net"],"warmup":false,"assigned_at":1482883200},{"ip":"208.115.214.22","pools":[],"whitelabeled":true,"rdns":"o1.email.example.com","start_date":1409616000,"subusers":[],"warmup":false,"assigned_at":1482883200}]`},
	{"empty page", 200, "application/json", `[]`},
	{"subusers page", 200, "application/json", `[{"id":1,"username":"alice","email":"alice@example.com","disabled":false},{"id":2,"username":"carol","email":"carol@example.com","disabled":true}]`},
	{"put answer", 200, "application/json", `{"ips":["192.0.2.2","192.0.2.1","192.0.2.1"]}`},
	{"put answer empty", 200, "application/json", `{"ips":[]}`},
	{"unauthorized", 401, "application/json", `{"errors":[{"field":null,"message":"authorization required"}]}`},
	{"forbidden", 403, "application/json", `{"errors":[{"message":"you dont have permission to access this resource"}]}`},
	{"not found", 404, "application/json", `{"errors":[{"field":null,"message":"subuser not found"}]}`},
	{"not owned", 400, "application/json", `{"errors":[{"field":"ips","message":"IP 198.51.100.7 does not belong to your account"}]}`},
	{"refuse empty", 400, "application/json", `{"errors":[{"field":"ips","message":"You need to assign at least ONE IP to your subuser"}]}`},
	{"bad limit", 400, "application/json", `{"errors":[{"field":"limit","message":"limit must be between 1 and 500"}]}`},
	{"method", 405, "application/json", `{"errors":[{"field":null,"message":"method not allowed"}]}`},
	{"rate limited", 429, "application/json", `{"errors":[{"field":null,"message":"too many requests"}]}`},
	{"server", 500, "application/json", `{"errors":[{"message":"unable to validate IPs at this time"}]}`},
	{"error 200", 200, "application/json", `{"errors":[{"field":null,"message":"internal error"}]}`},
	{"mapped", 200, "application/json", `{"ips":["::ffff:203.0.113.1"]}`},
	{"hostile", 400, "application/json", `{"errors":[{"field":null,"message":"\u001b]0;t\u0007\r\u001b[K Apply complete!"}]}`},
	{"pools", 200, "application/json", `[{"name":"transactional"},{"name":"marketing"}]`},
	{"pool", 200, "application/json", `{"pool_name":"marketing","ips":["192.0.2.2","192.0.2.1"]}`},
	{"pool ip objects", 200, "application/json", `{"pool_name":"marketing","ips":[{"ip":"192.0.2.1","start_date":1409616000,"warmup":false}]}`},
	{"pool not found", 404, "application/json", `{"errors":[{"field":"error","message":"Unable to locate specified IPs Pool"}]}`},
	{"pool delete not found", 404, "application/json", `{"error":"Unable to locate specified IPs Pool"}`},
	{"pool created", 200, "application/json", `{"name":"marketing"}`},
	{"pool ip added", 201, "application/json", `{"ip":"192.0.2.1","pools":["marketing"],"start_date":1409616000,"warmup":true}`},
	{"pool name in use", 400, "application/json", `{"errors":[{"field":"name","message":"This pool name is already in use"}]}`},
	{"ip", 200, "application/json", `{"ip":"192.0.2.1","subusers":["bob","alice"],"rdns":"o1.em.example.com","pools":["test1"],"warmup":false,"start_date":null,"whitelabeled":true}`},
}

func v3Reply(status int, body string) reply {
	return reply{call: calls.V3SetSubuserIPs, user: "alice", notFound: ErrSubuserNotFound, status: status, contentType: "application/json", body: []byte(body), secrets: []string{testSecret}}
}

func TestDecodeV3Successes(t *testing.T) {
	ips, err := decodeV3IPs(v3Reply(200, documentedV3Bodies[1].body))
	if err != nil || len(ips) != 2 || ips[0].ip != "192.168.1.1" || !slices.Equal(ips[0].subusers, []string{"tim@sendgrid.net"}) ||
		ips[1].subusers == nil || len(ips[1].subusers) != 0 {
		t.Fatalf("ips: %+v %v", ips, err)
	}
	subs, err := decodeV3Subusers(v3Reply(200, documentedV3Bodies[3].body))
	if err != nil || !slices.Equal(subs, []v3Subuser{{"alice", false}, {"carol", true}}) {
		t.Fatalf("subusers: %+v %v", subs, err)
	}
	held, err := decodeV3SetIPs(v3Reply(200, documentedV3Bodies[4].body))
	if err != nil || !slices.Equal(held, []string{"192.0.2.1", "192.0.2.2"}) {
		t.Fatalf("put: %v %v", held, err)
	}
	held, err = decodeV3SetIPs(v3Reply(200, `{"ips":[]}`))
	if err != nil || held == nil || len(held) != 0 {
		t.Fatalf("put empty: %#v %v", held, err)
	}
	held, err = decodeV3SetIPs(v3Reply(200, `{"ips":["::ffff:203.0.113.1","2001:db8::1"]}`))
	if err != nil || !slices.Equal(held, []string{"203.0.113.1", "2001:db8::1"}) {
		t.Fatalf("mapped: %v %v", held, err)
	}
}

func TestDecodeV3Unreadable(t *testing.T) {
	for _, tc := range []struct {
		decoder string
		body    string
	}{
		{"put", `{}`},
		{"put", `{"ips":null}`},
		{"put", `{"ips":"192.0.2.1"}`},
		{"put", `{"ips":["192.0.2.1","not-an-ip"]}`},
		{"put", `{"ips":[1]}`},
		{"put", `{"ips":["fe80::1%eth0"]}`},
		{"put", `["192.0.2.1"]`},
		{"put", `{"errors":[]}`},
		{"ips", `{}`},
		{"ips", `[{"ip":"192.0.2.1"}]`},
		{"ips", `[{"ip":"192.0.2.1","subusers":null}]`},
		{"ips", `[{"ip":"192.0.2.1","subusers":"alice"}]`},
		{"ips", `[{"ip":"192.0.2.x","subusers":[]}]`},
		{"ips", `[{"subusers":[]}]`},
		{"ips", `["192.0.2.1"]`},
		{"subusers", `[{"username":"alice"}]`},
		{"subusers", `[{"username":"","disabled":false}]`},
		{"subusers", `[{"username":"alice","disabled":"false"}]`},
		{"subusers", `{"username":"alice","disabled":false}`},
	} {
		r := v3Reply(200, tc.body)
		var err error
		switch tc.decoder {
		case "put":
			_, err = decodeV3SetIPs(r)
		case "ips":
			_, err = decodeV3IPs(r)
		case "subusers":
			_, err = decodeV3Subusers(r)
		}
		if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), "content type") {
			t.Errorf("%s %s: want unreadable, got %v", tc.decoder, tc.body, err)
		}
	}
}

func TestDecodeV3ErrorShapes(t *testing.T) {
	for _, tc := range []struct {
		status int
		user   string
		body   string
		kind   error
	}{
		{401, "alice", documentedV3Bodies[6].body, ErrBadCredentials},
		{403, "", documentedV3Bodies[7].body, ErrBadCredentials},
		{404, "alice", documentedV3Bodies[8].body, ErrSubuserNotFound},
		{404, "", documentedV3Bodies[8].body, ErrWrongEndpoint},
		{404, "", `<html>not found</html>`, ErrWrongEndpoint},
		{404, "alice", `<html>not found</html>`, ErrWrongEndpoint},
		{400, "alice", documentedV3Bodies[9].body, ErrRejected},
		{400, "alice", `{"errors":"bad"}`, ErrUnreadable},
		{400, "alice", `{"errors":[{"field":"ips"}]}`, ErrUnreadable},
		{405, "", documentedV3Bodies[12].body, ErrRejected},
		{429, "", documentedV3Bodies[13].body, ErrRateLimited},
		{500, "", documentedV3Bodies[14].body, ErrServer},
		{502, "", `<html>bad gateway</html>`, ErrServer},
		{200, "alice", documentedV3Bodies[15].body, ErrRejected},
	} {
		r := v3Reply(tc.status, tc.body)
		if r.user = tc.user; r.user == "" { // a call about no subuser
			r.notFound = nil
		}
		_, err := decodeV3SetIPs(r)
		if !errors.Is(err, tc.kind) {
			t.Errorf("%d %s: want %v, got %v", tc.status, tc.body, tc.kind, err)
		}
	}
}

func TestEscapeControl(t *testing.T) {
	for in, want := range map[string]string{
		"plain text, ünïcödé":      "plain text, ünïcödé",
		"\x1b[2J":                  `\x1b[2J`,
		"\x1b]0;title\x07":         `\x1b]0;title\x07`,
		"\r\x1b[K Apply complete!": `\x0d\x1b[K Apply complete!`,
		"a\x00b\x7f":               `a\x00b\x7f`,
		"\u009b31m":                `\u009b31m`,
		"\u202eevil\u2028":         `\u202eevil\u2028`,
		"tab\there\nnewline":       `tab\x09here\x0anewline`,
	} {
		if got := escapeControl(in); got != want {
			t.Errorf("escapeControl(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestExcerptRedactsBeforeCutting: a key that straddles the cut leaves no part of itself.
func TestExcerptRedactsBeforeCutting(t *testing.T) {
	body := strings.Repeat("x", bodyStartLen-10) + testSecret
	got := v3Reply(200, body).excerpt()
	if strings.Contains(got, testSecret[:10]) {
		t.Fatalf("a piece of the key is left: %q", got)
	}
}

func TestDecodeV2Subusers(t *testing.T) {
	r := docReply(200, "application/json", `[{"username":"alice","email":"alice@example.com","active":"true"},{"username":"carol","email":"c@example.com","active":"false"}]`)
	got, err := decodeV2Subusers(r)
	if err != nil || !slices.Equal(got, []v2Subuser{{"alice", true}, {"carol", false}}) {
		t.Fatalf("got %+v %v", got, err)
	}
	for _, body := range []string{
		`[{"username":"alice","active":true}]`,
		`[{"username":"alice","active":"yes"}]`,
		`[{"username":"alice"}]`,
		`[{"active":"true"}]`,
		`[{"username":"","active":"true"}]`,
		`{"username":"alice","active":"true"}`,
		`["alice"]`,
	} {
		if _, err := decodeV2Subusers(docReply(200, "application/json", body)); !errors.Is(err, ErrUnreadable) {
			t.Errorf("%s: want unreadable, got %v", body, err)
		}
	}
	if _, err := decodeV2Subusers(docReply(200, "application/json", `{"message":"error","errors":["Invalid username and/or password"]}`)); !errors.Is(err, ErrBadCredentials) {
		t.Errorf("bad credentials: %v", err)
	}
}
