package sendgridmock

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/terraform-sendgrid/terraform-provider-sendgrid/internal/contract"
)

const (
	testUser = "reseller@example.com"
	testKey  = "test-key"
	bearer   = "Bearer " + testKey
	formCT   = "application/x-www-form-urlencoded"
)

// testSeed: every filter differs, and numeric order differs from text order (.9 < .10).
//
//	.1   alice                      taken, not available
//	.2   alice, bob (both active)   taken, not available
//	.3   carol (deactivated)        taken, available
//	.4   dan (deactivated), erin    taken, not available
//	.9   nobody                     free, available
//	.10  nobody                     free, available
func testSeed() Seed {
	return Seed{
		APIUser: testUser,
		APIKey:  testKey,
		IPs:     []string{"192.0.2.10", "192.0.2.9", "192.0.2.4", "192.0.2.3", "192.0.2.2", "192.0.2.1"},
		Subusers: []SeedSubuser{
			{Name: "alice", IPs: []string{"192.0.2.2", "192.0.2.1"}},
			{Name: "bob", Active: new(true), IPs: []string{"192.0.2.2"}},
			{Name: "carol", Active: new(false), IPs: []string{"192.0.2.3"}},
			{Name: "dan", Active: new(false), IPs: []string{"192.0.2.4"}},
			{Name: "erin", IPs: []string{"192.0.2.4"}},
			{Name: "frank"},
		},
	}
}

// creds returns the test credentials plus kv pairs.
func creds(kv ...string) url.Values {
	v := url.Values{"api_user": {testUser}, "api_key": {testKey}}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// reply is an HTTP answer read in full.
type reply struct {
	status int
	header http.Header
	body   string
}

// fresh opens a connection per request, so a dropped request is not retried on another.
var fresh = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}

// send makes one request with the test's User-Agent and header pairs, and reads the whole answer.
func send(c *http.Client, method, u, body string, header ...string) (reply, error) {
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] != "" {
			req.Header.Set(header[i], header[i+1])
		}
	}
	req.Header.Set("User-Agent", "sendgridmock-test/1")
	resp, err := c.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

func mustSend(t testing.TB, method, u, body string, header ...string) reply {
	t.Helper()
	r, err := send(http.DefaultClient, method, u, body, header...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	return r
}

// call sends params to path under s.URL(): in the query for GET, as a form body otherwise.
func call(t testing.TB, s *Server, method, path string, params url.Values) reply {
	t.Helper()
	return callRaw(t, s.URL()+path, method, params)
}

func callRaw(t testing.TB, u, method string, params url.Values) reply {
	t.Helper()
	if method == http.MethodGet {
		return mustSend(t, method, u+"?"+params.Encode(), "")
	}
	return mustSend(t, method, u, params.Encode(), "Content-Type", formCT)
}

func post(u string, params url.Values) (reply, error) {
	return send(fresh, http.MethodPost, u, params.Encode(), "Content-Type", formCT)
}

// v3req sends a v3 request to path under V3URL; auth and body "" send none.
func v3req(t testing.TB, s *Server, method, path, auth, body string) reply {
	t.Helper()
	ct := ""
	if body != "" {
		ct = "application/json"
	}
	return mustSend(t, method, s.V3URL()+path, body, "Authorization", auth, "Content-Type", ct)
}

func v3get(t testing.TB, s *Server, path string) reply {
	t.Helper()
	return v3req(t, s, http.MethodGet, path, bearer, "")
}

func v3put(t testing.TB, s *Server, user, body string) reply {
	t.Helper()
	return v3req(t, s, http.MethodPut, "v3/subusers/"+user+"/ips", bearer, body)
}

// wantReply checks status, content type (prefix) and exact body.
func wantReply(t testing.TB, got reply, status int, ctype, body string) {
	t.Helper()
	if got.status != status {
		t.Errorf("status = %d, want %d (body %q)", got.status, status, got.body)
	}
	if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, ctype) {
		t.Errorf("Content-Type = %q, want %q", ct, ctype)
	}
	if got.body != body {
		t.Errorf("body =\n%s\nwant\n%s", got.body, body)
	}
}

func decodeJSON(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
}

// ipsJSON decodes [{"ip":..}] into a list.
func ipsJSON(t testing.TB, body string) []string {
	t.Helper()
	var rows []struct{ IP string }
	decodeJSON(t, body, &rows)
	out := []string{}
	for _, r := range rows {
		out = append(out, r.IP)
	}
	return out
}

type v3Row struct {
	IP       string   `json:"ip"`
	Subusers []string `json:"subusers"`
}

func v3Rows(t testing.TB, body string) []v3Row {
	t.Helper()
	var rows []v3Row
	decodeJSON(t, body, &rows)
	return rows
}

// jsonIPList renders the expected customer.ip JSON.
func jsonIPList(ips ...string) string {
	parts := make([]string, len(ips))
	for i, ip := range ips {
		parts[i] = `{"ip":"` + ip + `"}`
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// xmlDoc adds the XML declaration the mock puts on every XML answer.
func xmlDoc(s string) string { return xmlHeader + s + "\n" }

// v3IP renders one expected GET /v3/ips item of an IP in no pool, with its reverse DNS.
func v3IP(ip string, subusers ...string) string {
	return v3IPIn(ip, nil, subusers...)
}

// v3IPIn renders one expected GET /v3/ips item of an IP in pools, with its reverse DNS.
func v3IPIn(ip string, pools []string, subusers ...string) string {
	b, _ := json.Marshal(append([]string{}, subusers...))
	p, _ := json.Marshal(append([]string{}, pools...))
	return `{"ip":"` + ip + `","subusers":` + string(b) + `,"pools":` + string(p) +
		`,"warmup":false,"start_date":null,"whitelabeled":true,"assigned_at":null,"rdns":"` + rdnsOf(ip) + `"}`
}

// rdnsOf is the reverse DNS name the mock gives an IP.
func rdnsOf(ip string) string {
	return "o" + strings.NewReplacer(".", "-", ":", "-").Replace(ip) + ".ptr.mock.example"
}

// v3Sub renders one expected GET /v3/subusers item.
func v3Sub(id int, name string, disabled bool) string {
	return fmt.Sprintf(`{"id":%d,"username":%q,"email":"%s@example.com","disabled":%t}`, id, name, name, disabled)
}

func v3Err(field string, msgs ...string) string {
	f := "null"
	if field != "" {
		f = `"` + field + `"`
	}
	parts := make([]string, len(msgs))
	for i, m := range msgs {
		parts[i] = `{"field":` + f + `,"message":"` + m + `"}`
	}
	return `{"errors":[` + strings.Join(parts, ",") + `]}`
}

func arr(items ...string) string { return "[" + strings.Join(items, ",") + "]" }

// aliceUntouched reports whether alice still has her seed IPs.
func aliceUntouched(s *Server) bool {
	ips, _ := s.SubuserIPs("alice")
	return len(ips) == 2
}

// referenceFilter computes a customer.ip filter from a snapshot by the definitions, apart from the server's counters.
func referenceFilter(seed Seed, list string) []string {
	holders := map[string][]bool{} // ip -> active flags of its holders
	for _, su := range seed.Subusers {
		for _, ip := range su.IPs {
			holders[ip] = append(holders[ip], su.Active == nil || *su.Active)
		}
	}
	out := []string{}
	for _, ip := range seed.IPs {
		h := holders[ip]
		if list == "all" || (list == "free" && len(h) == 0) || (list == "taken" && len(h) > 0) ||
			(list == "available" && !slices.Contains(h, true)) {
			out = append(out, ip)
		}
	}
	return out
}

// fakeClock is a settable clock safe for concurrent use.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// startWithClock starts a server whose clock is c.
func startWithClock(t *testing.T, seed Seed, c *fakeClock) *Server {
	t.Helper()
	s, err := New(seed)
	if err != nil {
		t.Fatal(err)
	}
	s.clock = c.Now // before Start: no request can read it yet
	if _, err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// offContract takes the violations of requests sent off SendGrid's contract on purpose, and fails
// unless one is in what ("request", "answer 404"; "": any) at where (a prefix; "": any).
func offContract(t testing.TB, s *Server, what, where string) {
	t.Helper()
	vs := s.TakeContractViolations()
	if !slices.ContainsFunc(vs, func(v contract.Violation) bool {
		return (what == "" || v.What == what) && strings.HasPrefix(v.Where, where)
	}) {
		t.Errorf("the contract check found %v, want a violation in the %s at %q", vs, what, where)
	}
}
