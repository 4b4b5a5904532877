package sendgrid

import (
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/calls"
)

const testSecret = "SG.test-secret-key-0123456789"

// documentedBodies are the documented v2 answers, byte for byte; they seed the fuzzer too.
var documentedBodies = []struct {
	name        string
	status      int
	contentType string
	body        string
}{
	{"ip list", 200, "application/json", `[{"ip":"255.255.255.250"},{"ip":"255.255.255.251"},{"ip":"255.255.255.252"}]`},
	{"ip list empty", 200, "application/json", `[]`},
	{"sendip list", 200, "application/json", `{"success":"success","outboundcluster":"o1.sendgrid.net","ips":[{"ip":"255.255.255.250"},{"ip":"255.255.255.251"},{"ip":"255.255.255.251"},{"ip":"255.255.255.252"},{"ip":"255.255.255.253"},{"ip":"255.255.255.254"}]}`},
	{"sendip list recorded", 200, "text/html", `{"success":"success","outboundcluster":"SendGrid MTA","ips":[{"ip":"10.0.0.1"}]}`},
	{"sendip list empty", 200, "application/json", `{"success":"success","outboundcluster":"SendGrid MTA","ips":[]}`},
	{"sendip list escaped slashes", 200, "text/html", `{"success":"success","outboundcluster":"o1.sendgrid.net\/x","ips":[]}`},
	{"append success", 200, "application/json", `{"message":"success"}`},
	{"user does not exist", 400, "application/json", `{"error":{"code":400,"message":"User does not exist"}}`},
	{"append error", 400, "application/json", `{"message":"error","errors":["...error messages..."]}`},
	{"bad credentials 200", 200, "application/json", `{"message":"error","errors":["Invalid username and/or password"]}`},
	{"permission denied 200", 200, "application/json", `{"error":{"code":401,"message":"Permission denied, not authorized"}}`},
	{"bad credentials 403 html", 403, "text/html", `{"error": "Bad username / password"}`},
	{"parameter error", 400, "application/json", `{"error":"error in end_date: end_date must be in YYYY-MM-DD format"}`},
	{"rate limited", 429, "application/json", `{"error":{"code":429,"message":"Too many requests"}}`},
	{"server error", 500, "text/html", `<html><body>Internal Server Error</body></html>`},
	{"maintenance page", 200, "text/html", `<!DOCTYPE html><html><body>Down for maintenance</body></html>`},
	{"truncated", 200, "application/json", `{"success":"success","outboundcluster":"SendGrid MTA","ips":[{"ip":"10.0`},
	{"secret echoed", 200, "text/html", `<html>api_key=` + testSecret + `</html>`},
}

func docReply(status int, contentType, body string) reply {
	return reply{call: "test.call", user: "alice", status: status, contentType: contentType, body: []byte(body), secrets: []string{testSecret}}
}

func TestDecodeDocumentedSuccesses(t *testing.T) {
	ips, err := decodeV2IPList(docReply(200, "application/json", documentedBodies[0].body))
	if err != nil || !slices.Equal(ips, []string{"255.255.255.250", "255.255.255.251", "255.255.255.252"}) {
		t.Fatalf("ip list: %v %v", ips, err)
	}
	ips, err = decodeV2IPList(docReply(200, "application/json", `[]`))
	if err != nil || len(ips) != 0 || ips == nil {
		t.Fatalf("empty ip list: %#v %v", ips, err)
	}
	got, err := decodeV2Holding(docReply(200, "application/json", documentedBodies[2].body))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"255.255.255.250", "255.255.255.251", "255.255.255.252", "255.255.255.253", "255.255.255.254"}
	if !slices.Equal(got.IPs, want) || got.OutboundCluster != "o1.sendgrid.net" {
		t.Fatalf("sendip list: %+v (duplicates must be removed)", got)
	}
	got, err = decodeV2Holding(docReply(200, "text/html", documentedBodies[5].body))
	if err != nil || got.OutboundCluster != "o1.sendgrid.net/x" || len(got.IPs) != 0 {
		t.Fatalf("escaped slashes / empty: %+v %v", got, err)
	}
	if err := decodeV2Success(docReply(200, "application/json", `{"message":"success"}`)); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeErrorShapes(t *testing.T) {
	cases := []struct {
		status   int
		ctype    string
		body     string
		kind     error
		messages []string
	}{
		{400, "application/json", `{"error":{"code":400,"message":"User does not exist"}}`, ErrSubuserNotFound, []string{"User does not exist"}},
		{400, "application/json", `{"message":"error","errors":["IP 1.2.3.4 does not belong to your account","IP 1.2.3.5 does not belong to your account"]}`, ErrRejected, []string{"IP 1.2.3.4 does not belong to your account", "IP 1.2.3.5 does not belong to your account"}},
		{200, "application/json", `{"message":"error","errors":["Invalid username and/or password"]}`, ErrBadCredentials, []string{"Invalid username and/or password"}},
		{200, "application/json", `{"error":{"code":401,"message":"Permission denied, not authorized"}}`, ErrBadCredentials, []string{"Permission denied, not authorized"}},
		{403, "text/html", `{"error": "Bad username / password"}`, ErrBadCredentials, []string{"Bad username / password"}},
		{400, "application/json", `{"error":"error in end_date: bad"}`, ErrRejected, []string{"error in end_date: bad"}},
		{200, "application/json", `{"message":"error","errors":["Internal error, please try again"]}`, ErrRejected, []string{"Internal error, please try again"}},
		{429, "application/json", `{"error":{"code":429,"message":"Too many requests"}}`, ErrRateLimited, []string{"Too many requests"}},
		{500, "text/html", `<html>oops</html>`, ErrServer, nil},
		{503, "text/html", ``, ErrServer, nil},
		{200, "text/html", `<html>maintenance</html>`, ErrUnreadable, nil},
		{200, "application/json", `{"success":"success","ips":[{"ip":"10.0`, ErrUnreadable, nil},
		{200, "application/json", `{"success":"success","ips":[{"ip":"not-an-ip"}]}`, ErrUnreadable, nil},
		{404, "text/html", `{}`, ErrUnreadable, nil},
		{200, "application/json", ``, ErrUnreadable, nil},
		{200, "application/json", `{"success":"success","outboundcluster":"SendGrid MTA"}`, ErrUnreadable, nil},
		{200, "application/json", `{"success":"success","ips":null}`, ErrUnreadable, nil},
	}
	for _, tc := range cases {
		t.Run(tc.body, func(t *testing.T) {
			r := docReply(tc.status, tc.ctype, tc.body)
			r.call = calls.V2SubuserIPs
			_, err := decodeV2Holding(r)
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("want *APIError, got %T %v", err, err)
			}
			if !errors.Is(err, tc.kind) {
				t.Fatalf("want kind %v, got %v", tc.kind, err)
			}
			if tc.messages != nil && !slices.Equal(apiErr.Messages, tc.messages) {
				t.Fatalf("messages: got %q want %q", apiErr.Messages, tc.messages)
			}
			if !strings.Contains(err.Error(), calls.V2SubuserIPs) || !strings.Contains(err.Error(), `"alice"`) {
				t.Fatalf("error must name the call and the user: %v", err)
			}
			if apiErr.Status != tc.status {
				t.Fatalf("status %d, want %d", apiErr.Status, tc.status)
			}
		})
	}
}

func TestUnreadableNamesContentTypeAndBodyWithoutSecret(t *testing.T) {
	_, err := decodeV2IPList(docReply(200, "text/html", `<html>api_key=`+testSecret+strings.Repeat("x", 500)+`</html>`))
	var apiErr *APIError
	if !errors.As(err, &apiErr) || !errors.Is(apiErr.Kind, ErrUnreadable) {
		t.Fatalf("got %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"test.call", "HTTP 200", `"text/html"`, "<html>api_key=[redacted]"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, testSecret) {
		t.Fatalf("secret leaked: %s", msg)
	}
	if len(apiErr.BodyStart) > bodyStartLen+20 {
		t.Fatalf("body excerpt too long: %d", len(apiErr.BodyStart))
	}
}

func TestRateLimitHints(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := http.Header{}
	h.Set("Retry-After", "7")
	h.Set("X-RateLimit-Reset", "1767323100")
	if after, _ := retryAfter(h, now); after != 7*time.Second || rateLimitReset(h).Unix() != 1767323100 {
		t.Fatalf("got %v %v", after, rateLimitReset(h))
	}
	h.Set("Retry-After", now.Add(90*time.Second).Format(http.TimeFormat))
	if after, _ := retryAfter(h, now); after != 90*time.Second {
		t.Fatalf("HTTP date: got %v", after)
	}
	h.Set("Retry-After", "soon")
	if after, _ := retryAfter(h, now); after != 0 {
		t.Fatalf("garbage: got %v", after)
	}
}

func TestSortIPsNumeric(t *testing.T) {
	got := SortIPs([]string{"1.2.3.10", "1.2.3.9", "10.0.0.1", "1.2.3.9", "9.0.0.1"})
	want := []string{"1.2.3.9", "1.2.3.10", "9.0.0.1", "10.0.0.1"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
}

// FuzzDecode: whatever the bytes, every decoder returns a valid value or a typed error without the secret or raw control characters.
func FuzzDecode(f *testing.F) {
	for _, d := range documentedBodies {
		f.Add(d.status, d.contentType, []byte(d.body))
	}
	for _, d := range documentedV3Bodies {
		f.Add(d.status, d.contentType, []byte(d.body))
	}
	f.Fuzz(func(t *testing.T, status int, contentType string, body []byte) {
		r := docReply(status, contentType, string(body))
		checkErr := func(err error) {
			if err == nil {
				return
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || apiErr.Kind == nil {
				t.Fatalf("not a typed error: %T %v", err, err)
			}
			msg := err.Error()
			if strings.Contains(msg, testSecret) {
				t.Fatalf("secret in error: %v", err)
			}
			if i := strings.IndexFunc(msg, needsEscape); i >= 0 {
				t.Fatalf("raw control character at %d in error: %q", i, msg)
			}
		}
		checkIPs := func(ips []string) {
			for i, ip := range ips {
				addr, err := netip.ParseAddr(ip)
				if err != nil || addr.Is4In6() || addr.Zone() != "" {
					t.Fatalf("invalid IP %q in a successful answer", ip)
				}
				if i > 0 && compareIP(ips[i-1], ip) >= 0 {
					t.Fatalf("IPs not sorted and unique: %q", ips)
				}
			}
		}
		success := func(err error) bool {
			checkErr(err)
			if err == nil && (status < 200 || status > 299) {
				t.Fatalf("success with HTTP %d", status)
			}
			return err == nil
		}
		ips, err := decodeV2IPList(r)
		if success(err) {
			checkIPs(ips)
		}
		sub, err := decodeV2Holding(r)
		checkErr(err)
		if err == nil {
			checkIPs(sub.IPs)
			if strings.ContainsFunc(sub.OutboundCluster, needsEscape) {
				t.Fatalf("raw control character in outbound cluster %q", sub.OutboundCluster)
			}
		}
		checkErr(decodeV2Success(r))
		_, err = decodeV2Subusers(r)
		success(err)

		v3 := r
		v3.notFound = ErrSubuserNotFound
		v3IPs, err := decodeV3IPs(v3)
		if success(err) {
			for _, ip := range v3IPs {
				checkIPs([]string{ip.ip})
			}
		}
		_, err = decodeV3Subusers(v3)
		success(err)
		held, err := decodeV3SetIPs(v3)
		if success(err) {
			checkIPs(held)
		}
		v3.user, v3.notFound = "", nil // calls about no subuser read 404 differently
		_, err = decodeV3IPs(v3)
		success(err)

		names, err := decodeV3Pools(v3)
		if success(err) && !slices.IsSorted(names) {
			t.Fatalf("pool names not sorted: %q", names)
		}
		success(decodeV3Echo(v3, "name", "marketing"))
		success(decodeV3Echo(v3, "ip", "192.0.2.1"))
		v3.pool, v3.notFound = "marketing", ErrPoolNotFound
		pool, err := decodeV3Pool(v3, "marketing")
		if success(err) {
			checkIPs(pool.IPs)
		}
		success(decodeV3Deleted(v3))
		v3.pool, v3.notFound = "", ErrIPNotFound
		ip, err := decodeV3IP(v3, "192.0.2.1")
		if success(err) && (ip.Address != "192.0.2.1" || ip.Pools == nil || ip.Subusers == nil || strings.ContainsFunc(ip.RDNS, needsEscape)) {
			t.Fatalf("IP %+v", ip)
		}
	})
}
